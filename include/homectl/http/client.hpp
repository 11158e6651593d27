#pragma once

#include "homectl/http/client_url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The outbound HTTP/HTTPS client: one request (plus redirects when asked) on
// the caller's event loop. Async DNS, one deadline for the whole attempt
// (DNS, connect, TLS, request, response), every byte of the answer bounded
// while reading (header, body, chunk framing: see ResponseReader), TLS with
// the system CA store or a per-request CA file, SNI and host-name
// verification. A redirect to another origin carries none of the request's
// headers. Retries and concurrency caps live a layer above
// (sources::HttpFetcher).
namespace homectl::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What to send.
struct ClientRequest {
  std::string method = "GET";
  std::string url;  // absolute http(s) URL; userinfo becomes Basic auth
  Headers headers;  // sent as given (Host, User-Agent, Content-Length are set for you);
                    // dropped on a redirect to another origin (scheme, host or port)
  std::string body; // sent with Content-Length when non-empty or method is POST
};

// How to send it.
struct ClientOptions {
  std::chrono::milliseconds timeout{5000}; // deadline for the whole attempt, redirects included
  // An absolute deadline that may cut the attempt shorter than `timeout`
  // (e.g. the end of a refresh's retry budget).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // When set, DNS + connect + TLS must finish within this, and `timeout` then
  // bounds the request and its answer, counted from the moment the connection
  // is ready (each redirect hop alike).
  std::optional<std::chrono::milliseconds> connect_timeout;
  // Larger bodies fail with ClientError::too_large, and so does an answer
  // taking more than max_body + 64 KiB of header + 4 KiB of chunk framing.
  std::size_t max_body = 1024 * 1024;
  bool follow_redirects = false;
  int max_redirects = 5;
  bool tls_verify = true; // false: no chain or host-name check (self-signed devices)
  std::string ca_file;    // PEM bundle trusted instead of the system store; empty = system
};

// Why a request produced no HTTP answer.
enum class ClientError {
  none,        // an HTTP answer arrived (any status)
  invalid_url, // the URL (or a redirect Location) cannot be used
  connect,     // DNS lookup or TCP connect failed
  timeout,     // the deadline passed
  tls,         // TLS setup, handshake or certificate verification failed
  protocol,    // malformed answer, connection closed or reset mid-response
  too_large,   // the body exceeded max_body, or the header or chunk framing their limits
  redirects,   // more redirects than max_redirects
};

std::string_view to_string(ClientError error);

// The answer (or the failure).
struct ClientResponse {
  ClientError error = ClientError::none;
  std::string message; // human-readable reason when error != none; never holds secrets
  int status = 0;      // last HTTP status seen (also set with error == redirects)
  Headers headers;
  std::string body;
  int redirects = 0;      // redirects followed
  bool connected = false; // a connection was ready: a failure came while asking or reading

  bool ok() const { return error == ClientError::none; }
  // The first header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

// A client bound to one executor; cheap to share. TLS contexts (system store,
// per CA file, no-verify) are built once and reused.
class Client {
public:
  explicit Client(boost::asio::any_io_executor executor);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request and reads the answer. Never throws for network or
  // protocol trouble: those come back as ClientResponse::error.
  boost::asio::awaitable<ClientResponse> request(ClientRequest request, ClientOptions options);

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace homectl::http
