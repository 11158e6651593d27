#pragma once

#include <string>
#include <utility>
#include <variant>

namespace homectl {

// An expected failure: what went wrong, where, and with which value.
struct Error {
  std::string message;
};

// The outcome of an operation that can fail in an expected way: either a value
// or an Error. Exceptions stay for the truly exceptional. Never dropped
// unread: a failure nobody looks at is a failure nobody hears of. An area
// whose failures carry more than a message names its own error type `E`
// (e.g. the HTTP client's failed ClientResponse).
template <typename T, typename E = Error>
class [[nodiscard]] Result {
public:
  Result(T value) : m_state(std::move(value)) {} // NOLINT(google-explicit-constructor)
  Result(E error) : m_state(std::move(error)) {} // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return m_state.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_state); }
  const T& value() const& { return std::get<0>(m_state); }
  T&& value() && { return std::get<0>(std::move(m_state)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const E& error() const& { return std::get<1>(m_state); }
  [[nodiscard]] E&& error() && { return std::get<1>(std::move(m_state)); }

private:
  std::variant<T, E> m_state;
};

// The outcome of an operation that returns nothing but can fail: success
// (default-constructed) or an error.
template <typename E>
class [[nodiscard]] Result<void, E> {
public:
  Result() = default;
  Result(E error)
      : m_error(std::move(error)), m_failed(true) {} // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return !m_failed; }
  explicit operator bool() const { return ok(); }

  [[nodiscard]] const E& error() const { return m_error; }

private:
  E m_error;
  bool m_failed = false;
};

// Convenience for "failed with this message".
inline Error make_error(std::string message) {
  return Error{std::move(message)};
}

} // namespace homectl
