#pragma once

#include "homectl/metrics/prometheus_text.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// Internal to the metrics area: reading one line of the Prometheus text
// format (a cursor, names, sample lines); the document is assembled on top.
namespace homectl::metrics::detail {

inline bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
inline bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

// "line N: message".
Error line_error(std::size_t line, const std::string& message);

// A cursor over one line.
class LineReader {
public:
  explicit LineReader(std::string_view text) : m_text(text) {}

  bool at_end() const { return m_pos >= m_text.size(); }
  char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
  void advance() { ++m_pos; }
  std::size_t skip_blanks() {
    const std::size_t start = m_pos;
    while (!at_end() && is_blank(m_text[m_pos])) {
      ++m_pos;
    }
    return m_pos - start;
  }
  std::string_view take_while(bool (*pred)(char)) {
    const std::size_t start = m_pos;
    while (!at_end() && pred(m_text[m_pos])) {
      ++m_pos;
    }
    return m_text.substr(start, m_pos - start);
  }
  std::string_view take_token() {
    const std::size_t start = m_pos;
    while (!at_end() && !is_blank(m_text[m_pos])) {
      ++m_pos;
    }
    return m_text.substr(start, m_pos - start);
  }
  std::string_view rest() const { return m_text.substr(std::min(m_pos, m_text.size())); }

private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

// A sample value: a decimal number, +Inf, Inf, -Inf or NaN.
std::optional<double> parse_value(std::string_view token);

// A sample line from its metric name on: the labels (sorted by name), the
// value and the optional timestamp, and nothing after them.
Result<Sample> parse_sample(std::size_t line, LineReader& in);

} // namespace homectl::metrics::detail
