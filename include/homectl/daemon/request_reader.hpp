#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <optional>
#include <string>

// Reading one HTTP/1.1 request from a connection's bytes, with every byte
// bounded: the header by server.max_header_size, the body by
// server.max_body_size, and everything the request takes on the wire
// (header, body, chunk framing, chunk extensions, trailers) by their sum plus
// k_framing_allowance. Beast's parser alone caps neither a chunk-extension
// line nor the trailer section. No I/O here: the session reads the socket
// into prepare() and calls parse(); the request fuzzer feeds it bytes.
namespace homectl::daemon {

class RequestReader {
public:
  using Message = boost::beast::http::request<boost::beast::http::string_body>;

  // Bytes a request may take on the wire beyond max_header_size +
  // max_body_size: room for chunk framing and a short trailer section.
  static constexpr std::size_t k_framing_allowance = 4096;

  // What parse() found.
  enum class Progress { need_more, complete, failed };

  // Why a request was refused: a status (400, 413, 431) and a detail for
  // the problem answer, or status 0 when the client just went away.
  struct Failure {
    int status = 0;
    std::string detail;
  };

  // Starts reading the next request. Bytes the previous request left in the
  // buffer (pipelining) are its beginning.
  void start(std::size_t max_header_size, std::size_t max_body_size);

  // Parses what is buffered.
  Progress parse();

  // Room to read into, never more than the request may still take (at
  // least 1 byte while parse() says need_more). Commit what was read.
  boost::asio::mutable_buffer prepare();
  void commit(std::size_t bytes);

  bool header_done() const;
  // True when the buffer holds unparsed bytes (a next request has begun).
  bool buffered() const { return m_buffer.size() != 0; }
  // The parsed request; valid after parse() said complete.
  Message& message() { return m_parser->get(); }
  // Valid after parse() said failed.
  const Failure& failure() const { return m_failure; }
  // After a large request: gives memory back while the connection idles.
  void shrink();

private:
  Progress fail(int status, std::string detail);
  Progress check_header();

  boost::beast::flat_buffer m_buffer;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> m_parser;
  std::size_t m_limit = 0;    // bytes this request may take on the wire
  std::size_t m_consumed = 0; // bytes of this request parsed so far
  std::size_t m_max_header_size = 0;
  std::size_t m_max_body_size = 0;
  bool m_header_checked = false;
  Failure m_failure;
};

} // namespace homectl::daemon
