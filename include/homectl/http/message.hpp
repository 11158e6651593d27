#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Transport-neutral HTTP request and response, so handlers stay free of Beast
// (and fast to compile) and can be driven in-memory by tests and fuzzers.
namespace homectl::http {

enum class Method { get, head, post, put, patch, del, options, other };

std::string_view to_string(Method method);
Method method_from_string(std::string_view text);

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  Method method = Method::get;
  std::string target; // as received: path and query
  std::string path;   // target before '?', not decoded
  std::string query;  // target after '?', not decoded
  std::vector<Header> headers;
  std::string body;
  std::string client_address; // peer IP as text
  std::string client_key;     // who the inbound limiter counts it against (limiter_key of the peer)

  // Case-insensitive header lookup; empty when absent.
  std::string_view header(std::string_view name) const;
  // The percent-decoded value of a query parameter, if present.
  std::optional<std::string> query_param(std::string_view name) const;
};

// A streamed response body (Server-Sent Events), written chunk by chunk.
class EventStream {
public:
  virtual ~EventStream() = default;
  // Sends one chunk; returns false once the client is gone or too slow — stop then.
  virtual boost::asio::awaitable<bool> send(std::string chunk) = 0;
  // True once the server drains; a streaming handler should return soon.
  virtual bool closing() const = 0;
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  // Shared and immutable so a cached body is served without a copy.
  std::shared_ptr<const std::string> body;
  // When set, the server sends the headers and then runs this until it
  // returns (the body is ignored). Used for text/event-stream.
  std::function<boost::asio::awaitable<void>(EventStream&)> stream;

  // Sets (replacing) a header.
  void set_header(std::string_view name, std::string value);
  // Case-insensitive header lookup; empty when absent.
  std::string_view header(std::string_view name) const;

  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response json(int status, const nlohmann::json& body,
                       std::string content_type = "application/json");
  static Response shared(int status, std::shared_ptr<const std::string> body,
                         std::string content_type);
  // RFC 9457 application/problem+json: {type, title, status, detail}.
  static Response problem(int status, std::string_view title, std::string_view detail,
                          std::string_view type = "about:blank");
};

// The standard reason phrase for a status code ("Not Found").
std::string_view reason_phrase(int status);

} // namespace homectl::http
