#include "homectl/util/json.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace homectl::util {
namespace {

using nlohmann::json;

// The quoted text nlohmann puts in a syntax error is upstream data: keep it
// short and printable so a log line cannot carry a megabyte or raw bytes.
std::string printable_excerpt(std::string_view token) {
  constexpr std::size_t k_max = 40;
  std::string out;
  for (const char c : token.substr(0, k_max)) {
    out += c >= 0x20 && c <= 0x7e ? c : '?';
  }
  if (token.size() > k_max) {
    out += "...";
  }
  return out;
}

// "[json.exception.parse_error.101] parse error at line 1, column 6: syntax
// error ... - invalid literal; last read: '<token>'; expected ..." → the part
// after the position, its token cut down by printable_excerpt.
std::string syntax_error_detail(std::string_view what) {
  if (const auto at = what.find("parse error"); at != std::string_view::npos) {
    what.remove_prefix(at);
    if (const auto colon = what.find(": "); colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
  }
  constexpr std::string_view k_last_read = "; last read: '";
  const auto start = what.find(k_last_read);
  if (start == std::string_view::npos) {
    return std::string(what);
  }
  const auto token_start = start + k_last_read.size();
  auto token_end = what.rfind("'; expected ");
  if (token_end == std::string_view::npos || token_end < token_start) {
    token_end = what.size() - (what.ends_with('\'') ? 1 : 0);
  }
  std::string out(what.substr(0, token_start));
  out += printable_excerpt(what.substr(token_start, token_end - token_start));
  out += what.substr(token_end);
  return out;
}

// nlohmann's SAX events turned into a value, as its own DOM parser does, but
// refusing to open a level past `max_depth`: the parse stops there,
// before anything deeper exists.
class BoundedBuilder {
public:
  BoundedBuilder(json& root, int max_depth)
      : m_root(root), m_max_depth(static_cast<std::size_t>(std::max(max_depth, 0))) {}

  bool null() { return put(nullptr) != nullptr; }
  bool boolean(bool v) { return put(v) != nullptr; }
  bool number_integer(json::number_integer_t v) { return put(v) != nullptr; }
  bool number_unsigned(json::number_unsigned_t v) { return put(v) != nullptr; }
  bool number_float(json::number_float_t v, const json::string_t& /*text*/) {
    return put(v) != nullptr;
  }
  bool string(json::string_t& v) { return put(std::move(v)) != nullptr; }
  bool binary(json::binary_t& v) { return put(std::move(v)) != nullptr; }

  bool start_object(std::size_t /*size*/) { return open(json::value_t::object); }
  bool key(json::string_t& k) {
    m_member = &(*m_open.back())[std::move(k)];
    return true;
  }
  bool end_object() {
    m_open.pop_back();
    return true;
  }
  bool start_array(std::size_t /*size*/) { return open(json::value_t::array); }
  bool end_array() {
    m_open.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*token*/,
                   const nlohmann::detail::exception& ex) {
    m_error_at = position;
    m_error = syntax_error_detail(ex.what());
    return false;
  }

  [[nodiscard]] bool too_deep() const { return m_too_deep; }
  [[nodiscard]] std::size_t error_at() const { return m_error_at; }
  [[nodiscard]] const std::string& error() const { return m_error; }

private:
  // Stores a value where the document expects the next one; returns it.
  template <typename Value>
  json* put(Value&& value) {
    if (m_open.empty()) {
      m_root = json(std::forward<Value>(value));
      return &m_root;
    }
    json& parent = *m_open.back();
    if (parent.is_array()) {
      parent.emplace_back(std::forward<Value>(value));
      return &parent.back();
    }
    *m_member = json(std::forward<Value>(value));
    return m_member;
  }

  bool open(json::value_t type) {
    if (m_open.size() >= m_max_depth) {
      m_too_deep = true;
      return false;
    }
    m_open.push_back(put(type));
    return true;
  }

  json& m_root;
  std::size_t m_max_depth;
  std::vector<json*> m_open; // the arrays and objects not closed yet, innermost last
  json* m_member = nullptr;  // the object member whose key was read last
  bool m_too_deep = false;
  std::size_t m_error_at = 0;
  std::string m_error;
};

} // namespace

std::size_t find_excess_nesting(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i; // the escaped character, a quote included, cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
    case '"':
      in_string = true;
      break;
    case '[':
    case '{':
      if (++depth > max_depth) {
        return i + 1;
      }
      break;
    case ']':
    case '}':
      depth = depth > 0 ? depth - 1 : 0;
      break;
    default:
      break;
    }
  }
  return 0;
}

Result<nlohmann::json> parse_json(std::string_view text, int max_depth) {
  // nlohmann's lexer takes a NUL byte outside a string for the end of the
  // input and would accept "[1]\0anything": a NUL is refused wherever it is.
  const auto nul_error = [](std::size_t at) {
    return make_error("invalid JSON at byte " + std::to_string(at) + ": a NUL byte");
  };
  json value;
  BoundedBuilder builder(value, max_depth);
  if (json::sax_parse(text.begin(), text.end(), &builder)) {
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
      return nul_error(nul + 1);
    }
    return value;
  }
  if (builder.too_deep()) {
    // The parser read valid JSON up to the level it refused, so the scan finds it.
    return make_error("JSON nests deeper than " + std::to_string(max_depth) + " levels at byte " +
                      std::to_string(find_excess_nesting(text, max_depth)));
  }
  const std::size_t at = builder.error_at();
  if (at >= 1 && at <= text.size() && text[at - 1] == '\0') {
    return nul_error(at);
  }
  return make_error("invalid JSON at byte " + std::to_string(at) + ": " + builder.error());
}

} // namespace homectl::util
