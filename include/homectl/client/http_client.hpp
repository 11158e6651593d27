#pragma once

#include "homectl/util/result.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// The blocking HTTP client the one-shot commands (check-ready, metrics, cache
// warm, watchdog and its notifiers) use: http::Client run to completion on a
// private event loop, so the answer is read with the same bounds as the
// daemon's fetches. It always sets a connect timeout and a deadline for the
// answer, caps the body (ClientOptions::max_body) and reports every failure
// as a value naming the URL.
namespace homectl::client {

// A base URL split for the client: "http://host:port" and a path prefix.
struct BaseUrl {
  std::string scheme_host_port; // e.g. "http://127.0.0.1:8080"
  std::string path;             // "" or e.g. "/homectl" (no trailing slash) or a full topic path
  std::string text;             // the URL as redact_url() shows it, for messages
};

// Splits and checks an http:// or https:// URL; the Error says what is wrong
// with it, e.g. `"ftp://x": only http:// and https:// URLs are supported`.
Result<BaseUrl> parse_base_url(std::string_view url);

// Headers by lower-case name.
using Headers = std::map<std::string, std::string>;

// An HTTP answer (any status: 4xx/5xx are answers, not failures).
struct Response {
  int status = 0;
  Headers headers; // lower-case names
  std::string body;
  std::chrono::microseconds latency{0};

  // The header value, or "" when absent (name in any case).
  std::string header(std::string_view name) const;
};

// How a request failed before an answer arrived.
enum class FailureKind { invalid_url, unreachable, timeout, other };

// Why no answer arrived.
struct Failure {
  FailureKind kind = FailureKind::other;
  std::string message; // e.g. "http://127.0.0.1:1/ready: connection refused"
  std::string reason;  // the same without the URL (which may hold secrets)
};

// An answer or a failure.
struct Outcome {
  std::optional<Response> response;
  Failure failure;
  explicit operator bool() const { return response.has_value(); }
};

struct ClientOptions {
  std::string url;          // base URL, e.g. http://127.0.0.1:8080 (no user:password@)
  std::string bearer_token; // sent as Authorization: Bearer when set
  std::chrono::milliseconds connect_timeout{2000}; // DNS, TCP and TLS
  // The request and its whole answer, once connected.
  std::chrono::milliseconds read_timeout{2000};
  // HTTP Basic credentials, sent when either is set and the request carries no
  // Authorization header of its own.
  std::string basic_user;
  std::string basic_password;
  // A larger answer body fails (the daemon's /metrics with thousands of
  // sources stays far below); so does a header over 64 KiB or more than 4 KiB
  // of chunk framing.
  std::size_t max_body = std::size_t{16} * 1024 * 1024;
};

// One client per base URL; requests may reuse the connection (keep-alive).
class HttpClient {
public:
  explicit HttpClient(ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GET base-path + `path` (path starts with '/' or is empty).
  Outcome get(std::string_view path, const Headers& headers = {});

  // POST base-path + `path` with a body of the given content type.
  Outcome post(std::string_view path, std::string_view body, std::string_view content_type,
               const Headers& headers = {});

  // The full URL a path resolves to (for messages).
  std::string url_for(std::string_view path) const;

  const ClientOptions& options() const { return m_options; }

private:
  Outcome send(std::string_view method, std::string_view path, const Headers& headers,
               std::string_view body, std::string_view content_type);

  struct Impl;
  ClientOptions m_options;
  std::unique_ptr<Impl> m_impl;
};

} // namespace homectl::client
