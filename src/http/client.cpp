#include "homectl/http/client.hpp"

#include "client_impl.hpp"

#include "homectl/build_info.hpp"
#include "homectl/config/values.hpp"
#include "homectl/http/response_reader.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/util/strings.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace homectl::http {

namespace bhttp = boost::beast::http;

namespace detail {

ClientResponse failure(ClientError error, std::string message) {
  ClientResponse r;
  r.error = error;
  r.message = std::move(message);
  return r;
}

ClientResponse io_failure(const Exchange& x, std::string_view phase, boost::system::error_code ec) {
  if (ec == beast::error::timeout || SteadyClock::now() >= x.deadline) {
    return failure(ClientError::timeout,
                   std::string(phase) + ": timed out after " + config::format_duration(x.budget));
  }
  if (ec == asio::error::operation_aborted) {
    return failure(ClientError::timeout, std::string(phase) + ": cancelled");
  }
  return failure(ClientError::protocol, std::string(phase) + ": " + ec.message());
}

} // namespace detail

namespace {

using detail::Connection;
using detail::Exchange;
using detail::failure;
using detail::io_failure;

// The longest redirect Location followed; a longer one fails the request.
constexpr std::size_t k_max_location = 8 * 1024;

using util::iequals;

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool is_header_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string host_header(const util::HttpUrl& url) {
  std::string h = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? 443 : 80)) {
    h += ":" + std::to_string(url.port);
  }
  return h;
}

// The deadline `t`, or the caller's absolute deadline when that comes first.
SteadyClock::time_point capped(const ClientOptions& options, SteadyClock::time_point t) {
  return options.deadline && *options.deadline < t ? *options.deadline : t;
}

// The exchange once a connection is ready: with a connect timeout, the
// request and its answer get `timeout` from now on.
Exchange answer_phase(const Exchange& x) {
  if (!x.options.connect_timeout) {
    return x;
  }
  Exchange answer = x;
  answer.deadline = capped(x.options, SteadyClock::now() + x.options.timeout);
  answer.budget = x.options.timeout;
  return answer;
}

// Only idempotent requests travel on pooled connections: a stale connection
// found dead mid-request can then be retried on a fresh one without harm.
bool may_reuse(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

bhttp::request<bhttp::string_body> make_request(const Exchange& x) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(x.method);
  req.target(x.url.target);
  req.version(11);
  req.set(bhttp::field::host, host_header(x.url));
  req.set(bhttp::field::user_agent, std::string("homectl/") + build::k_version);
  if (!may_reuse(x.method)) {
    req.set(bhttp::field::connection, "close");
  }
  if (x.url.has_credentials()) {
    req.set(bhttp::field::authorization, basic_auth_value(x.url));
  }
  for (const auto& [name, value] : x.headers) {
    req.set(name, value);
  }
  if (!x.body.empty() || x.method == "POST" || x.method == "PUT" || x.method == "PATCH") {
    req.body() = x.body;
    req.prepare_payload();
  }
  return req;
}

// A failed read keeps the status when the answer's header had arrived.
ClientResponse with_status(ClientResponse r, ResponseReader& reader) {
  if (reader.header_done()) {
    r.status = static_cast<int>(reader.message().result_int());
  }
  return r;
}

// The complete answer the reader holds.
ClientResponse answer_of(ResponseReader& reader) {
  auto& msg = reader.message();
  ClientResponse out;
  out.status = static_cast<int>(msg.result_int());
  for (const auto& field : msg) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(msg.body());
  return out;
}

// Sends the request and reads the answer. `reusable` tells whether the
// connection may carry another request afterwards.
template <typename Stream>
asio::awaitable<ClientResponse> converse(Stream& stream, const Exchange& x, bool& reusable) {
  reusable = false;
  auto req = make_request(x);
  auto [wec, written] =
      co_await bhttp::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
  (void)written;
  if (wec) {
    co_return io_failure(x, "write", wec);
  }
  // Read through a ResponseReader, never more than the answer may take.
  ResponseReader reader;
  reader.start(x.options.max_body, x.method == "HEAD");
  bool closed = false;
  for (;;) {
    auto progress = reader.parse();
    if (progress == ResponseReader::Progress::need_more) {
      auto [rec, read] =
          co_await stream.async_read_some(reader.prepare(), asio::as_tuple(asio::use_awaitable));
      reader.commit(read);
      if (rec && rec != asio::error::eof) {
        co_return with_status(io_failure(x, "read", rec), reader);
      }
      if (!rec) {
        continue;
      }
      closed = true;
      progress = reader.end_of_stream();
    }
    if (progress == ResponseReader::Progress::failed) {
      co_return with_status(failure(reader.failure().error, reader.failure().message), reader);
    }
    break;
  }
  reusable = may_reuse(x.method) && reader.message().keep_alive() && !closed && !reader.buffered();
  co_return answer_of(reader);
}

} // namespace

std::string_view to_string(ClientError error) {
  switch (error) {
  case ClientError::none:
    return "none";
  case ClientError::invalid_url:
    return "invalid_url";
  case ClientError::connect:
    return "connect";
  case ClientError::timeout:
    return "timeout";
  case ClientError::tls:
    return "tls";
  case ClientError::protocol:
    return "protocol";
  case ClientError::too_large:
    return "too_large";
  case ClientError::redirects:
    return "redirects";
  }
  return "unknown";
}

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

namespace {

asio::awaitable<ClientResponse> converse_on(Connection& c, const Exchange& x, bool& reusable) {
  if (c.plain) {
    co_return co_await converse(*c.plain, x, reusable);
  }
  co_return co_await converse(*c.tls, x, reusable);
}

// Idle keep-alive connections: few per origin, dropped after a short idle time
// (servers close idle connections too; 30 s stays under most of their limits).
constexpr std::size_t k_max_idle_per_origin = 4;
constexpr auto k_idle_expiry = std::chrono::seconds(30);

std::string pool_key(const Exchange& x) {
  return std::string(x.url.tls ? "https://" : "http://") + x.url.authority() + "|" +
         (x.options.tls_verify ? "verify|" + x.options.ca_file : std::string("noverify"));
}

} // namespace

std::unique_ptr<Connection> Client::Impl::take_idle(const std::string& key) {
  std::lock_guard lock(mutex);
  const auto now = SteadyClock::now();
  for (auto it = idle.begin(); it != idle.end();) {
    std::erase_if(it->second, [&](const auto& c) { return now - c->idle_since > k_idle_expiry; });
    it = it->second.empty() ? idle.erase(it) : std::next(it);
  }
  auto it = idle.find(key);
  if (it == idle.end()) {
    return nullptr;
  }
  auto connection = std::move(it->second.back());
  it->second.pop_back();
  if (it->second.empty()) {
    idle.erase(it);
  }
  return connection;
}

void Client::Impl::put_idle(const std::string& key, std::unique_ptr<Connection> connection) {
  connection->lowest().expires_never();
  connection->idle_since = SteadyClock::now();
  std::lock_guard lock(mutex);
  auto& list = idle[key];
  if (list.size() < k_max_idle_per_origin) {
    list.push_back(std::move(connection));
  }
}

asio::awaitable<ClientResponse> Client::Impl::exchange(const Exchange& x) {
  const std::string key = pool_key(x);
  bool reusable = false;
  if (may_reuse(x.method)) {
    if (auto pooled = take_idle(key)) {
      const Exchange answer = answer_phase(x);
      pooled->lowest().expires_at(answer.deadline);
      ClientResponse r = co_await converse_on(*pooled, answer, reusable);
      // A pooled connection the server closed while it sat idle fails before
      // any answer arrives; only then is a fresh connection worth a try.
      log::debug("reused a pooled connection",
                 {{"host", x.url.host}, {"ok", r.ok()}, {"error", r.message}});
      if (r.error != ClientError::protocol || r.status != 0) {
        if (r.ok() && reusable) {
          put_idle(key, std::move(pooled));
        }
        r.connected = true;
        co_return r;
      }
    }
  }
  auto connected = co_await connect(x);
  if (!connected) {
    co_return std::move(connected).error();
  }
  auto connection = std::move(*connected);
  const Exchange answer = answer_phase(x);
  connection->lowest().expires_at(answer.deadline);
  ClientResponse r = co_await converse_on(*connection, answer, reusable);
  r.connected = true;
  log::debug("request on a new connection",
             {{"host", x.url.host}, {"ok", r.ok()}, {"keep_alive", reusable}});
  if (r.ok() && reusable) {
    put_idle(key, std::move(connection));
  }
  // Connections not pooled are simply closed: no TLS close_notify exchange,
  // which would only add a round trip (and stream_truncated from many servers).
  co_return r;
}

Client::Client(asio::any_io_executor executor) : m_impl(std::make_unique<Impl>()) {
  m_impl->executor = std::move(executor);
}

Client::~Client() = default;

namespace {

// The URL of a request the client will send, or why it refuses to: a bad
// URL, method or header never reaches the network.
Result<util::HttpUrl, ClientResponse> checked_url(const ClientRequest& request) {
  auto parsed = util::parse_http_url(request.url);
  if (!parsed) {
    return failure(ClientError::invalid_url, parsed.error().message);
  }
  if (!is_token(request.method)) {
    return failure(ClientError::invalid_url, "invalid method \"" + request.method + "\"");
  }
  for (const auto& [name, value] : request.headers) {
    if (!is_token(name) || !is_header_value(value)) {
      return failure(ClientError::invalid_url,
                     "header \"" + name + "\": invalid characters in the name or value");
    }
  }
  return std::move(parsed).value();
}

// What one hop sends; a redirect changes it for the next.
struct Hop {
  util::HttpUrl url;
  std::string method;
  std::string body;
  Headers headers;
};

// Where the redirect `response` (with its Location) leads from `from`, or the
// failed response that ends the chain: too many hops, an oversized or
// unusable Location.
Result<util::HttpUrl, ClientResponse> redirect_target(const ClientResponse& response,
                                                      std::string_view location,
                                                      const util::HttpUrl& from, int hops,
                                                      const ClientOptions& options) {
  auto refuse = [&](ClientError error, std::string message) {
    ClientResponse r = failure(error, std::move(message));
    r.status = response.status;
    return r;
  };
  if (hops >= options.max_redirects) {
    ClientResponse r = refuse(ClientError::redirects,
                              "more than " + std::to_string(options.max_redirects) + " redirects");
    r.redirects = hops;
    return r;
  }
  if (location.size() > k_max_location) {
    return refuse(ClientError::invalid_url,
                  "redirect: the Location header exceeds " + format_size(k_max_location));
  }
  auto next = resolve_location(from, location);
  if (!next) {
    return refuse(ClientError::invalid_url, "redirect: " + next.error().message);
  }
  return std::move(next).value();
}

// The next hop after a redirect with `status` to `next` (RFC 9110 15.4).
void follow(Hop& hop, int status, util::HttpUrl next) {
  if (next.tls != hop.url.tls || next.authority() != hop.url.authority()) {
    // Another origin: nothing the caller configured for this one travels
    // there (API keys hide in headers of any name, not only Authorization).
    hop.headers.clear();
  }
  if (status == 303 || ((status == 301 || status == 302) && hop.method == "POST")) {
    hop.method = "GET";
    hop.body.clear();
    std::erase_if(hop.headers, [](const auto& h) { return iequals(h.first, "content-type"); });
  }
  hop.url = std::move(next);
}

} // namespace

asio::awaitable<ClientResponse> Client::request(ClientRequest request, ClientOptions options) {
  auto url = checked_url(request);
  if (!url) {
    co_return std::move(url).error();
  }
  Hop hop{std::move(url).value(), request.method, std::move(request.body),
          std::move(request.headers)};
  const auto deadline = capped(options, SteadyClock::now() + options.timeout);

  for (int hops = 0;; ++hops) {
    // Without a connect timeout, one deadline covers every hop; with one,
    // each hop connects within it and then answers within `timeout`.
    Exchange x{hop.url, hop.method, hop.headers, hop.body, options, deadline, options.timeout};
    if (options.connect_timeout) {
      x.deadline = capped(options, SteadyClock::now() + *options.connect_timeout);
      x.budget = *options.connect_timeout;
    }
    ClientResponse response = co_await m_impl->exchange(x);
    response.redirects = hops;
    if (!response.ok() || !options.follow_redirects || !is_redirect(response.status)) {
      co_return response;
    }
    auto location = response.header("location");
    if (!location) {
      co_return response; // a 3xx without Location is an answer like any other
    }
    auto next = redirect_target(response, *location, hop.url, hops, options);
    if (!next) {
      co_return std::move(next).error();
    }
    log::debug("following redirect", {{"status", response.status}, {"to", next->redacted()}});
    follow(hop, response.status, std::move(next).value());
  }
}

} // namespace homectl::http
