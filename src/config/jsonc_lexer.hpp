#pragma once

#include "homectl/config/jsonc.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// Internal to the config area: the token level of the JSONC reader (a cursor
// with line and column, comments, strings, numbers, literals, the first error)
// and the checks of the raw text that come before it.
namespace homectl::config::detail {

inline bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Finds the first invalid UTF-8 sequence; returns its byte offset or npos.
std::size_t find_invalid_utf8(std::string_view text);

// Line and column of a byte offset (for errors found before parsing).
Position position_of(std::string_view text, std::size_t offset);

// Reads JSONC tokens from valid UTF-8 text, tracking the position and keeping
// the first error; the structure (objects, arrays) is read on top of it.
class JsoncLexer {
public:
  explicit JsoncLexer(std::string_view text) : m_text(text) {}

protected:
  bool at_end() const { return m_pos >= m_text.size(); }
  char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
  Position here() const { return Position{m_line, m_column}; }
  bool failed() const { return m_error.has_value(); }
  const std::optional<JsoncError>& error() const { return m_error; }

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

  // Records the first error (here, or at p); always returns false.
  bool fail(std::string message);
  bool fail_at(Position p, std::string message);

  // The offending text at the current position, quoted, for messages.
  std::string describe_here() const;

  // Skips white space and comments; an unterminated comment is an error.
  void skip_space();

  // Reads true, false or null if one starts here; false (and no error) if not.
  bool read_literal(nlohmann::json& out);
  // From the opening quote; unescapes into out.
  bool parse_string(std::string& out);
  // From the first character of a number ('-' or a digit).
  bool parse_number(nlohmann::json& out);

private:
  // Where a number starting here ends, and whether its text is a valid number.
  struct NumberScan {
    std::size_t end = 0;
    bool ok = false;
    bool is_float = false;
  };
  NumberScan scan_number() const;
  bool fail_number(std::size_t start, Position start_pos, std::size_t end);
  bool convert_number(std::string_view token, bool is_float, Position start_pos,
                      nlohmann::json& out);

  bool read_escape(std::string& out);
  bool read_unicode_escape(std::string& out);
  bool read_hex4(std::uint32_t& out);

  std::string_view m_text;
  std::size_t m_pos = 0;
  int m_line = 1;
  int m_column = 1;
  std::optional<JsoncError> m_error;
};

} // namespace homectl::config::detail
