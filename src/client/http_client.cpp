#include "homectl/client/http_client.hpp"

#include "homectl/util/strings.hpp"

#include <httplib.h>

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
  if (authority.empty()) {
    return make_error("the URL has no host");
  }
  if (authority.find('@') != std::string_view::npos) {
    return make_error("user:password@ in the URL is not supported; use --token");
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return make_error("unterminated [IPv6] host");
    }
    host = authority.substr(0, close + 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return make_error("unexpected text after the [IPv6] host");
      }
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || host == "[]") {
    return make_error("the URL has no host");
  }
  if (!port.empty() || authority.ends_with(':')) {
    unsigned long value = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) {
      digits = digits && c >= '0' && c <= '9';
    }
    if (digits) {
      value = std::stoul(std::string(port));
    }
    if (!digits || value == 0 || value > 65535) {
      return make_error("port \"" + std::string(port) + "\" is not a number in 1-65535");
    }
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
  out.text = std::string(url);
  return out;
}

} // namespace

Result<BaseUrl> parse_base_url(std::string_view url) {
  auto split = split_base_url(url);
  if (!split) {
    return make_error("\"" + std::string(url) + "\": " + split.error().message);
  }
  return split;
}

std::string Response::header(std::string_view name) const {
  auto it = headers.find(util::to_lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

std::string format_duration(std::chrono::milliseconds d) {
  using namespace std::chrono;
  const auto ms = d.count();
  if (ms < 1000) {
    return std::to_string(ms) + "ms";
  }
  if (ms % 1000 != 0 && ms < 60'000) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", static_cast<double>(ms) / 1000.0);
    return std::string(buf) + "s";
  }
  auto s = ms / 1000;
  std::string out;
  if (s >= 86400 && s % 86400 == 0) {
    return std::to_string(s / 86400) + "d";
  }
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0 || out.empty()) {
    out += std::to_string(s) + "s";
  }
  return out;
}

struct HttpClient::Impl {
  std::optional<BaseUrl> base;
  Failure url_error;
  std::unique_ptr<httplib::Client> client;
};

HttpClient::HttpClient(ClientOptions options)
    : m_options(std::move(options)), m_impl(std::make_unique<Impl>()) {
  auto base = split_base_url(m_options.url);
  if (!base) {
    m_impl->url_error = {FailureKind::invalid_url,
                         "\"" + m_options.url + "\": " + base.error().message,
                         base.error().message};
    return;
  }
  m_impl->base = std::move(base).value();
  m_impl->client = std::make_unique<httplib::Client>(m_impl->base->scheme_host_port);
  auto& c = *m_impl->client;
  c.set_connection_timeout(m_options.connect_timeout);
  c.set_read_timeout(m_options.read_timeout);
  c.set_write_timeout(m_options.read_timeout);
  c.set_keep_alive(true);
  c.set_follow_location(false);
  if (!m_options.bearer_token.empty()) {
    c.set_bearer_token_auth(m_options.bearer_token);
  }
}

HttpClient::~HttpClient() = default;

std::string HttpClient::url_for(std::string_view path) const {
  if (!m_impl->base) {
    return m_options.url;
  }
  return m_impl->base->scheme_host_port + m_impl->base->path + std::string(path);
}

namespace {

Failure make_failure(FailureKind kind, const std::string& url, std::string reason) {
  return Failure{kind, url + ": " + reason, std::move(reason)};
}

Outcome to_outcome(httplib::Result& result, const std::string& url, const ClientOptions& options,
                   std::chrono::steady_clock::time_point started) {
  Outcome out;
  if (!result) {
    const auto error = result.error();
    switch (error) {
    case httplib::Error::Connection:
      out.failure = make_failure(FailureKind::unreachable, url,
                                 "cannot connect (connection refused or host unreachable)");
      break;
    case httplib::Error::ConnectionTimeout:
      out.failure =
          make_failure(FailureKind::timeout, url,
                       "no connection within " + format_duration(options.connect_timeout));
      break;
    case httplib::Error::Read:
      out.failure =
          make_failure(FailureKind::timeout, url,
                       "no complete answer within " + format_duration(options.read_timeout) +
                           " (timed out or connection closed)");
      break;
    default:
      out.failure = make_failure(FailureKind::other, url, httplib::to_string(error));
      break;
    }
    return out;
  }
  Response response;
  response.status = result->status;
  for (const auto& [name, value] : result->headers) {
    response.headers[util::to_lower(name)] = value;
  }
  response.body = std::move(result->body);
  response.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  out.response = std::move(response);
  return out;
}

httplib::Headers to_httplib(const Headers& headers, const ClientOptions& options) {
  httplib::Headers out;
  for (const auto& [name, value] : headers) {
    out.emplace(name, value);
  }
  if ((!options.basic_user.empty() || !options.basic_password.empty()) &&
      out.find("Authorization") == out.end()) {
    out.insert(
        httplib::make_basic_authentication_header(options.basic_user, options.basic_password));
  }
  return out;
}

std::string request_path(const std::optional<BaseUrl>& base, std::string_view path) {
  std::string full = (base ? base->path : std::string{}) + std::string(path);
  if (full.empty() || full.front() != '/') {
    full.insert(full.begin(), '/');
  }
  return full;
}

} // namespace

Outcome HttpClient::get(std::string_view path, const Headers& headers) {
  if (!m_impl->client) {
    return Outcome{std::nullopt, m_impl->url_error};
  }
  const auto started = std::chrono::steady_clock::now();
  auto result =
      m_impl->client->Get(request_path(m_impl->base, path), to_httplib(headers, m_options));
  return to_outcome(result, url_for(path), m_options, started);
}

Outcome HttpClient::post(std::string_view path, std::string_view body,
                         std::string_view content_type, const Headers& headers) {
  if (!m_impl->client) {
    return Outcome{std::nullopt, m_impl->url_error};
  }
  const auto started = std::chrono::steady_clock::now();
  auto result =
      m_impl->client->Post(request_path(m_impl->base, path), to_httplib(headers, m_options),
                           body.data(), body.size(), std::string(content_type));
  return to_outcome(result, url_for(path), m_options, started);
}

} // namespace homectl::client
