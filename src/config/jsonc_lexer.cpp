// The token level of the JSONC reader: UTF-8 checks and positions of the raw
// text, white space and comments, strings with their escapes, numbers and the
// literals true, false and null.
#include "jsonc_lexer.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>

namespace homectl::config::detail {
namespace {

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

} // namespace

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

bool JsoncLexer::fail(std::string message) {
  if (!m_error) {
    m_error = JsoncError{here(), std::move(message)};
  }
  return false;
}

bool JsoncLexer::fail_at(Position p, std::string message) {
  if (!m_error) {
    m_error = JsoncError{p, std::move(message)};
  }
  return false;
}

std::string JsoncLexer::describe_here() const {
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

void JsoncLexer::skip_space() {
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

bool JsoncLexer::read_literal(nlohmann::json& out) {
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
  return false;
}

bool JsoncLexer::read_hex4(std::uint32_t& out) {
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

bool JsoncLexer::parse_string(std::string& out) {
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
    if (!read_escape(out)) {
      return false;
    }
  }
}

// The character after a backslash, and for \u its digits.
bool JsoncLexer::read_escape(std::string& out) {
  const char e = peek();
  char decoded = e;
  switch (e) {
  case '"':
  case '\\':
  case '/':
    break;
  case 'b':
    decoded = '\b';
    break;
  case 'f':
    decoded = '\f';
    break;
  case 'n':
    decoded = '\n';
    break;
  case 'r':
    decoded = '\r';
    break;
  case 't':
    decoded = '\t';
    break;
  case 'u':
    advance();
    return read_unicode_escape(out);
  default:
    return fail("bad escape \"\\" + std::string(1, e) + "\" in a string");
  }
  out += decoded;
  advance();
  return true;
}

// The four hex digits after \u, and a low surrogate's \uXXXX after a high one.
bool JsoncLexer::read_unicode_escape(std::string& out) {
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
  return true;
}

JsoncLexer::NumberScan JsoncLexer::scan_number() const {
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
  return NumberScan{end, ok, is_float};
}

// Quotes the whole word that is not a number, suggesting quotes.
bool JsoncLexer::fail_number(std::size_t start, Position start_pos, std::size_t end) {
  while (end < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[end])) ||
                                 m_text[end] == '.' || m_text[end] == '-' || m_text[end] == '+')) {
    ++end;
  }
  const std::string token(m_text.substr(start, end - start));
  return fail_at(start_pos, "\"" + token +
                                "\" is not a valid number (strings such as durations need "
                                "double quotes: \"" +
                                token + "\")");
}

bool JsoncLexer::convert_number(std::string_view token, bool is_float, Position start_pos,
                                nlohmann::json& out) {
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

bool JsoncLexer::parse_number(nlohmann::json& out) {
  const std::size_t start = m_pos;
  const Position start_pos = here();
  const NumberScan scan = scan_number();
  if (!scan.ok) {
    return fail_number(start, start_pos, scan.end);
  }
  const std::string_view token = m_text.substr(start, scan.end - start);
  while (m_pos < scan.end) {
    advance();
  }
  return convert_number(token, scan.is_float, start_pos, out);
}

} // namespace homectl::config::detail
