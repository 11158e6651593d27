#pragma once

#include "homectl/http/client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <optional>
#include <string>

// Reading one HTTP/1.1 response from a connection's bytes, with every byte
// bounded: the header by k_header_limit, the body by the caller's limit, a
// chunk-size line (extensions included) or the trailer section by
// k_framing_allowance, and everything the response takes on the wire
// (header, body, chunk framing) by their sum plus k_framing_allowance. Beast's
// parser alone caps neither a chunk-extension line nor the trailer section,
// so an upstream could otherwise make the client buffer without end. No I/O
// here: the client reads the socket into prepare() and calls parse().
namespace homectl::http {

// Formats a byte count the way config sizes are written: "1MiB", "64KiB", "1500 bytes".
std::string format_size(std::size_t bytes);

class ResponseReader {
public:
  using Message = boost::beast::http::response<boost::beast::http::string_body>;

  // The largest response header accepted (status line and fields).
  static constexpr std::size_t k_header_limit = 64 * 1024;
  // The longest chunk-size line or trailer section, and the bytes a response
  // may take on the wire beyond k_header_limit + the body limit.
  static constexpr std::size_t k_framing_allowance = 4096;

  // What parse() found.
  enum class Progress { need_more, complete, failed };

  // Why a response was refused: too_large or protocol, with a message
  // naming the limit or the problem.
  struct Failure {
    ClientError error = ClientError::none;
    std::string message;
  };

  // Starts reading a response whose body may hold `max_body` bytes; `head`:
  // it answers a HEAD request (no body follows the header).
  void start(std::size_t max_body, bool head);

  // Parses what is buffered.
  Progress parse();
  // The peer closed the connection: completes a body delimited by the close,
  // fails otherwise.
  Progress end_of_stream();

  // Room to read into, never more than the response may still take (at
  // least 1 byte while parse() says need_more). Commit what was read.
  boost::asio::mutable_buffer prepare();
  void commit(std::size_t bytes);

  bool header_done() const;
  // True when the buffer holds bytes beyond the response (the connection
  // cannot carry another request then).
  bool buffered() const { return m_buffer.size() != 0; }
  // Bytes the response may take on the wire in all.
  std::size_t limit() const { return m_limit; }
  // The parsed response; complete after parse() said complete, the header
  // alone once header_done().
  Message& message() { return m_parser->get(); }
  // Valid after parse() or end_of_stream() said failed.
  const Failure& failure() const { return m_failure; }

private:
  Progress fail(ClientError error, std::string message);
  Progress fail_invalid(const boost::system::error_code& ec);

  boost::beast::flat_buffer m_buffer;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> m_parser;
  std::size_t m_limit = 0;    // bytes this response may take on the wire
  std::size_t m_consumed = 0; // bytes of this response parsed so far
  std::size_t m_max_body = 0;
  Failure m_failure;
};

} // namespace homectl::http
