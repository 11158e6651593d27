#include "homectl/config/jsonc.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>

namespace homectl::config {
namespace {

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Finds the first invalid UTF-8 sequence; returns its byte offset or npos.
std::size_t find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return i;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= text.size() || !is_continuation(static_cast<unsigned char>(text[i + k]))) {
        return i;
      }
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    const bool overlong =
        (n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Reader {
public:
  explicit Reader(std::string_view text) : m_text(text) {}

  JsoncResult run() {
    JsoncResult result;
    m_doc = &result.document;
    skip_space();
    if (m_error) {
      result.error = m_error;
      return result;
    }
    if (at_end()) {
      result.error = JsoncError{here(), "the file has no JSON value (expected an object: {...})"};
      return result;
    }
    if (parse_value(result.document.value, "", 0)) {
      skip_space();
      if (!m_error && !at_end()) {
        fail("unexpected " + describe_here() + " after the end of the JSON value");
      }
    }
    if (m_error) {
      result.error = m_error;
      result.document = JsoncDocument{};
    }
    return result;
  }

private:
  bool at_end() const { return m_pos >= m_text.size(); }
  char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
  Position here() const { return Position{m_line, m_column}; }

  void advance() {
    if (at_end()) {
      return;
    }
    const char c = m_text[m_pos++];
    if (c == '\n') {
      ++m_line;
      m_column = 1;
    } else if (!is_continuation(static_cast<unsigned char>(c))) {
      ++m_column;
    }
  }

  bool fail(std::string message) {
    if (!m_error) {
      m_error = JsoncError{here(), std::move(message)};
    }
    return false;
  }
  bool fail_at(Position p, std::string message) {
    if (!m_error) {
      m_error = JsoncError{p, std::move(message)};
    }
    return false;
  }

  // The offending text at the current position, quoted, for messages.
  std::string describe_here() const {
    if (at_end()) {
      return "end of file";
    }
    std::size_t end = m_pos;
    const auto is_delim = [](char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '{' ||
             c == '}' || c == '[' || c == ']' || c == '"';
    };
    if (is_delim(m_text[end])) {
      ++end;
    } else {
      while (end < m_text.size() && !is_delim(m_text[end]) && end - m_pos < 24) {
        ++end;
      }
    }
    return "\"" + std::string(m_text.substr(m_pos, end - m_pos)) + "\"";
  }

  void skip_space() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '/') {
        while (!at_end() && peek() != '\n') {
          advance();
        }
      } else if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '*') {
        const Position start = here();
        advance();
        advance();
        while (!at_end() &&
               !(peek() == '*' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '/')) {
          advance();
        }
        if (at_end()) {
          fail_at(start, "unterminated comment \"/*\"");
          return;
        }
        advance();
        advance();
      } else {
        return;
      }
    }
  }

  bool parse_value(nlohmann::json& out, const std::string& pointer, int depth) {
    m_doc->value_positions[pointer] = here();
    const char c = peek();
    if (c == '{' || c == '[') {
      if (depth >= k_max_jsonc_depth) {
        return fail("nesting deeper than " + std::to_string(k_max_jsonc_depth) + " levels");
      }
      return c == '{' ? parse_object(out, pointer, depth) : parse_array(out, pointer, depth);
    }
    if (c == '"') {
      std::string s;
      if (!parse_string(s)) {
        return false;
      }
      out = std::move(s);
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return parse_number(out);
    }
    for (const auto& [word, value] : {std::pair<std::string_view, nlohmann::json>{"true", true},
                                      {"false", false},
                                      {"null", nullptr}}) {
      if (m_text.substr(m_pos, word.size()) == word) {
        const std::size_t after = m_pos + word.size();
        const bool ends =
            after >= m_text.size() || !std::isalnum(static_cast<unsigned char>(m_text[after]));
        if (ends) {
          for (std::size_t i = 0; i < word.size(); ++i) {
            advance();
          }
          out = value;
          return true;
        }
      }
    }
    if (c == '\'') {
      return fail("unexpected " + describe_here() + ": strings need double quotes");
    }
    if (at_end()) {
      return fail("unexpected end of file: expected a value");
    }
    return fail("unexpected " + describe_here() +
                ": expected a value (string, number, object, "
                "array, true, false or null)");
  }

  bool parse_object(nlohmann::json& out, const std::string& pointer, int depth) {
    const Position open = here();
    advance();
    out = nlohmann::json::object();
    while (true) {
      skip_space();
      if (m_error) {
        return false;
      }
      if (peek() == '}') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated object: \"{\" has no matching \"}\"");
      }
      if (peek() != '"') {
        return fail("unexpected " + describe_here() +
                    ": expected a member name in double quotes "
                    "or \"}\"");
      }
      const Position key_pos = here();
      std::string key;
      if (!parse_string(key)) {
        return false;
      }
      skip_space();
      if (m_error) {
        return false;
      }
      if (peek() != ':') {
        return fail("unexpected " + describe_here() + ": expected \":\" after \"" + key + "\"");
      }
      advance();
      skip_space();
      if (m_error) {
        return false;
      }
      const std::string child = pointer_append(pointer, key);
      if (out.contains(key)) {
        m_doc->duplicate_keys.push_back(child);
      }
      m_doc->key_positions[child] = key_pos;
      nlohmann::json value;
      if (!parse_value(value, child, depth + 1)) {
        return false;
      }
      out[key] = std::move(value);
      skip_space();
      if (m_error) {
        return false;
      }
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == '}') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated object: \"{\" has no matching \"}\"");
      }
      return fail("unexpected " + describe_here() +
                  ": expected \",\" or \"}\" after the value of \"" + key + "\"");
    }
  }

  bool parse_array(nlohmann::json& out, const std::string& pointer, int depth) {
    const Position open = here();
    advance();
    out = nlohmann::json::array();
    while (true) {
      skip_space();
      if (m_error) {
        return false;
      }
      if (peek() == ']') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated array: \"[\" has no matching \"]\"");
      }
      nlohmann::json value;
      if (!parse_value(value, pointer_append(pointer, std::to_string(out.size())), depth + 1)) {
        return false;
      }
      out.push_back(std::move(value));
      skip_space();
      if (m_error) {
        return false;
      }
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == ']') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated array: \"[\" has no matching \"]\"");
      }
      return fail("unexpected " + describe_here() + ": expected \",\" or \"]\" in the array");
    }
  }

  bool read_hex4(std::uint32_t& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      std::uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return fail("bad \\u escape: expected 4 hex digits, found " + describe_here());
      }
      out = out * 16 + digit;
      advance();
    }
    return true;
  }

  bool parse_string(std::string& out) {
    const Position open = here();
    advance();
    while (true) {
      if (at_end()) {
        return fail_at(open, "unterminated string");
      }
      const char c = peek();
      if (c == '"') {
        advance();
        return true;
      }
      if (c == '\n') {
        return fail_at(open, "unterminated string (strings cannot span lines)");
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return fail("control character in a string (write it as an escape, e.g. \\t)");
      }
      if (c != '\\') {
        out += c;
        advance();
        continue;
      }
      advance();
      const char e = peek();
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        advance();
        std::uint32_t cp = 0;
        if (!read_hex4(cp)) {
          return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t low = 0;
          if (peek() != '\\' || m_pos + 1 >= m_text.size() || m_text[m_pos + 1] != 'u') {
            return fail("bad \\u escape: a high surrogate must be followed by a low one");
          }
          advance();
          advance();
          if (!read_hex4(low)) {
            return false;
          }
          if (low < 0xDC00 || low > 0xDFFF) {
            return fail("bad \\u escape: a high surrogate must be followed by a low one");
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail("bad \\u escape: a lone low surrogate");
        }
        append_utf8(out, cp);
        continue;
      }
      default:
        return fail("bad escape \"\\" + std::string(1, e) + "\" in a string");
      }
      advance();
    }
  }

  bool parse_number(nlohmann::json& out) {
    const std::size_t start = m_pos;
    const Position start_pos = here();
    std::size_t end = m_pos;
    if (m_text[end] == '-') {
      ++end;
    }
    const std::size_t int_start = end;
    while (end < m_text.size() && m_text[end] >= '0' && m_text[end] <= '9') {
      ++end;
    }
    bool is_float = false;
    bool ok = end > int_start && !(m_text[int_start] == '0' && end - int_start > 1);
    if (ok && end < m_text.size() && m_text[end] == '.') {
      is_float = true;
      const std::size_t frac = ++end;
      while (end < m_text.size() && m_text[end] >= '0' && m_text[end] <= '9') {
        ++end;
      }
      ok = end > frac;
    }
    if (ok && end < m_text.size() && (m_text[end] == 'e' || m_text[end] == 'E')) {
      is_float = true;
      ++end;
      if (end < m_text.size() && (m_text[end] == '+' || m_text[end] == '-')) {
        ++end;
      }
      const std::size_t exp = end;
      while (end < m_text.size() && m_text[end] >= '0' && m_text[end] <= '9') {
        ++end;
      }
      ok = end > exp;
    }
    // A number must end at a delimiter: "5s" unquoted is a common mistake.
    if (ok && end < m_text.size() &&
        (std::isalnum(static_cast<unsigned char>(m_text[end])) || m_text[end] == '.' ||
         m_text[end] == '_')) {
      ok = false;
    }
    if (!ok) {
      while (end < m_text.size() &&
             (std::isalnum(static_cast<unsigned char>(m_text[end])) || m_text[end] == '.' ||
              m_text[end] == '-' || m_text[end] == '+')) {
        ++end;
      }
      const std::string token(m_text.substr(start, end - start));
      return fail_at(start_pos, "\"" + token +
                                    "\" is not a valid number (strings such as durations need "
                                    "double quotes: \"" +
                                    token + "\")");
    }
    const std::string_view token = m_text.substr(start, end - start);
    while (m_pos < end) {
      advance();
    }
    if (!is_float) {
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (ec == std::errc{} && ptr == token.data() + token.size()) {
        out = value;
        return true;
      }
      return fail_at(start_pos, "number " + std::string(token) + " is too large");
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
    if (ec != std::errc{} || ptr != token.data() + token.size()) {
      return fail_at(start_pos, "number " + std::string(token) + " is out of range");
    }
    out = d;
    return true;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  int m_line = 1;
  int m_column = 1;
  JsoncDocument* m_doc = nullptr;
  std::optional<JsoncError> m_error;
};

// Line and column of a byte offset (for errors found before parsing).
Position position_of(std::string_view text, std::size_t offset) {
  Position p{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if (!is_continuation(static_cast<unsigned char>(text[i]))) {
      ++p.column;
    }
  }
  return p;
}

} // namespace

JsoncResult parse_jsonc(std::string_view text) {
  JsoncResult result;
  if (text.size() > k_max_jsonc_size) {
    result.error = JsoncError{Position{}, "the file is too large (" + std::to_string(text.size()) +
                                              " bytes; at most 1 MiB)"};
    return result;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    result.error = JsoncError{Position{}, "the file is empty (expected a JSON object: {...})"};
    return result;
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    result.error = JsoncError{position_of(text, nul),
                              "the file contains a NUL byte: it looks binary, not JSON text"};
    return result;
  }
  // A UTF-8 byte order mark is harmless; skip it.
  std::string_view body = text;
  if (body.starts_with("\xEF\xBB\xBF")) {
    body.remove_prefix(3);
  }
  if (const auto bad = find_invalid_utf8(body); bad != std::string_view::npos) {
    result.error =
        JsoncError{position_of(body, bad), "the file is not valid UTF-8 text (bad byte sequence)"};
    return result;
  }
  return Reader(body).run();
}

std::string pointer_append(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out += '/';
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace homectl::config
