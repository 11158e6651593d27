#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace homectl::redis {

// One Redis reply as a small owning value (RESP2): nil, integer, bulk string,
// status, error or array. Strings are binary-safe.
class Reply {
public:
  enum class Kind { nil, integer, string, status, error, array };

  Reply() = default; // nil

  static Reply nil() { return Reply(); }
  static Reply integer(std::int64_t value);
  static Reply string(std::string value);
  static Reply status(std::string value);
  static Reply error(std::string message);
  static Reply array(std::vector<Reply> elements);

  Kind kind() const { return m_kind; }
  bool is_nil() const { return m_kind == Kind::nil; }
  bool is_error() const { return m_kind == Kind::error; }

  // The integer of an integer reply (0 otherwise).
  std::int64_t integer_value() const { return m_integer; }
  // The bytes of a string, status or error reply (empty otherwise).
  const std::string& text() const { return m_text; }
  // The elements of an array reply (empty otherwise).
  const std::vector<Reply>& elements() const { return m_elements; }

  // A short human rendering for logs and error messages, like redis-cli's:
  // (nil), (integer) 3, "bytes", OK, (error) ERR ..., [a, b]. Long strings are cut.
  std::string describe() const;

  bool operator==(const Reply&) const = default;

private:
  Kind m_kind = Kind::nil;
  std::int64_t m_integer = 0;
  std::string m_text;
  std::vector<Reply> m_elements;
};

} // namespace homectl::redis
