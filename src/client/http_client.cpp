#include "homectl/client/http_client.hpp"

#include "homectl/config/values.hpp"
#include "homectl/http/client.hpp"
#include "homectl/http/client_url.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <exception>

namespace homectl::client {

namespace {

// parse_base_url() without the URL in its messages.
Result<BaseUrl> split_base_url(std::string_view url) {
  std::string_view rest = url;
  std::string scheme;
  if (rest.starts_with("http://")) {
    scheme = "http";
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    scheme = "https";
    rest.remove_prefix(8);
  } else {
    return make_error("only http:// and https:// URLs are supported");
  }
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return make_error("user:password@ in the URL is not supported; use --token");
  }
  if (auto parsed = util::parse_authority(authority); !parsed) {
    const std::string& what = parsed.error().message;
    return make_error(what == "no host" ? std::string("the URL has no host") : what);
  }
  if (path.find('#') != std::string_view::npos) {
    path = path.substr(0, path.find('#'));
  }
  std::string base_path(path);
  while (base_path.size() > 1 && base_path.back() == '/') {
    base_path.pop_back();
  }
  if (base_path == "/") {
    base_path.clear();
  }
  BaseUrl out;
  out.scheme_host_port = scheme + "://" + std::string(authority);
  out.path = std::move(base_path);
  out.text = util::redact_url(url);
  return out;
}

} // namespace

Result<BaseUrl> parse_base_url(std::string_view url) {
  auto split = split_base_url(url);
  if (!split) {
    return make_error("\"" + util::redact_url(url) + "\": " + split.error().message);
  }
  return split;
}

std::string Response::header(std::string_view name) const {
  auto it = headers.find(util::to_lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

// One private event loop per client runs http::Client, the same bounded
// reader the daemon fetches with, to completion for each request.
struct HttpClient::Impl {
  std::optional<BaseUrl> base;
  Failure url_error;
  boost::asio::io_context io;
  std::unique_ptr<http::Client> client;
};

HttpClient::HttpClient(ClientOptions options)
    : m_options(std::move(options)), m_impl(std::make_unique<Impl>()) {
  auto base = split_base_url(m_options.url);
  if (!base) {
    m_impl->url_error = {FailureKind::invalid_url,
                         "\"" + util::redact_url(m_options.url) + "\": " + base.error().message,
                         base.error().message};
    return;
  }
  m_impl->base = std::move(base).value();
  m_impl->client = std::make_unique<http::Client>(m_impl->io.get_executor());
}

HttpClient::~HttpClient() = default;

std::string HttpClient::url_for(std::string_view path) const {
  if (!m_impl->base) {
    return util::redact_url(m_options.url);
  }
  return m_impl->base->scheme_host_port + m_impl->base->path + std::string(path);
}

namespace {

Failure make_failure(FailureKind kind, const std::string& url, std::string reason) {
  return Failure{kind, url + ": " + reason, std::move(reason)};
}

Outcome to_outcome(const http::ClientResponse& result, const std::string& url,
                   const ClientOptions& options, std::chrono::steady_clock::time_point started) {
  Outcome out;
  switch (result.error) {
  case http::ClientError::none:
    break;
  case http::ClientError::connect:
    out.failure =
        make_failure(FailureKind::unreachable, url, "cannot connect (" + result.message + ")");
    return out;
  case http::ClientError::timeout:
    out.failure = make_failure(
        FailureKind::timeout, url,
        result.connected
            ? "no complete answer within " + config::format_duration(options.read_timeout)
            : "no connection within " + config::format_duration(options.connect_timeout));
    return out;
  case http::ClientError::invalid_url:
    out.failure = make_failure(FailureKind::invalid_url, url, result.message);
    return out;
  default:
    out.failure = make_failure(FailureKind::other, url, result.message);
    return out;
  }
  Response response;
  response.status = result.status;
  for (const auto& [name, value] : result.headers) {
    response.headers.emplace(util::to_lower(name), value);
  }
  response.body = result.body;
  response.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  out.response = std::move(response);
  return out;
}

std::string request_path(const std::optional<BaseUrl>& base, std::string_view path) {
  std::string full = (base ? base->path : std::string{}) + std::string(path);
  if (full.empty() || full.front() != '/') {
    full.insert(full.begin(), '/');
  }
  return full;
}

bool has_header(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return util::to_lower(h.first) == name; });
}

// The Authorization header value for HTTP Basic credentials.
std::string basic_authorization(const ClientOptions& options) {
  util::HttpUrl credentials;
  credentials.username = options.basic_user;
  credentials.password = options.basic_password;
  return http::basic_auth_value(credentials);
}

} // namespace

Outcome HttpClient::send(std::string_view method, std::string_view path, const Headers& headers,
                         std::string_view body, std::string_view content_type) {
  if (!m_impl->client) {
    return Outcome{std::nullopt, m_impl->url_error};
  }
  http::ClientRequest request;
  request.method = std::string(method);
  request.url = m_impl->base->scheme_host_port + request_path(m_impl->base, path);
  request.headers.assign(headers.begin(), headers.end());
  if (!has_header(headers, "authorization")) {
    if (!m_options.bearer_token.empty()) {
      request.headers.emplace_back("Authorization", "Bearer " + m_options.bearer_token);
    } else if (!m_options.basic_user.empty() || !m_options.basic_password.empty()) {
      request.headers.emplace_back("Authorization", basic_authorization(m_options));
    }
  }
  if (!content_type.empty() && !has_header(headers, "content-type")) {
    request.headers.emplace_back("Content-Type", std::string(content_type));
  }
  request.body = std::string(body);
  http::ClientOptions options;
  options.connect_timeout = m_options.connect_timeout;
  options.timeout = m_options.read_timeout;
  options.max_body = m_options.max_body;

  const auto started = std::chrono::steady_clock::now();
  std::optional<http::ClientResponse> result;
  std::exception_ptr error;
  boost::asio::co_spawn(m_impl->io, m_impl->client->request(std::move(request), options),
                        [&](std::exception_ptr e, http::ClientResponse r) {
                          error = std::move(e);
                          result = std::move(r);
                        });
  m_impl->io.restart();
  while (!result && m_impl->io.run_one() != 0) {
  }
  if (error) {
    std::rethrow_exception(error);
  }
  if (!result) {
    return Outcome{std::nullopt,
                   make_failure(FailureKind::other, url_for(path), "the request never ended")};
  }
  return to_outcome(*result, url_for(path), m_options, started);
}

Outcome HttpClient::get(std::string_view path, const Headers& headers) {
  return send("GET", path, headers, {}, {});
}

Outcome HttpClient::post(std::string_view path, std::string_view body,
                         std::string_view content_type, const Headers& headers) {
  return send("POST", path, headers, body, content_type);
}

} // namespace homectl::client
