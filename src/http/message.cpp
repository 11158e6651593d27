#include "homectl/http/message.hpp"

#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace homectl::http {
namespace {

using util::iequals;

std::string_view find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) {
      return h.value;
    }
  }
  return {};
}

} // namespace

std::string_view to_string(Method method) {
  switch (method) {
  case Method::get:
    return "GET";
  case Method::head:
    return "HEAD";
  case Method::post:
    return "POST";
  case Method::put:
    return "PUT";
  case Method::patch:
    return "PATCH";
  case Method::del:
    return "DELETE";
  case Method::options:
    return "OPTIONS";
  case Method::other:
    return "OTHER";
  }
  return "OTHER";
}

Method method_from_string(std::string_view text) {
  static constexpr std::pair<std::string_view, Method> k_methods[] = {
      {"GET", Method::get},        {"HEAD", Method::head},   {"POST", Method::post},
      {"PUT", Method::put},        {"PATCH", Method::patch}, {"DELETE", Method::del},
      {"OPTIONS", Method::options}};
  for (const auto& [name, method] : k_methods) {
    if (name == text) {
      return method;
    }
  }
  return Method::other;
}

std::string_view Request::header(std::string_view name) const {
  return find_header(headers, name);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (util::percent_decode(key) == std::optional<std::string>(name)) {
      return eq == std::string_view::npos ? std::optional<std::string>("")
                                          : util::percent_decode(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

void Response::set_header(std::string_view name, std::string value) {
  for (auto& h : headers) {
    if (iequals(h.name, name)) {
      h.value = std::move(value);
      return;
    }
  }
  headers.push_back({std::string(name), std::move(value)});
}

std::string_view Response::header(std::string_view name) const {
  return find_header(headers, name);
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.push_back({"Content-Type", std::move(content_type)});
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

Response Response::json(int status, const nlohmann::json& body, std::string content_type) {
  return text(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
              std::move(content_type));
}

Response Response::shared(int status, std::shared_ptr<const std::string> body,
                          std::string content_type) {
  Response r;
  r.status = status;
  r.headers.push_back({"Content-Type", std::move(content_type)});
  r.body = std::move(body);
  return r;
}

Response Response::problem(int status, std::string_view title, std::string_view detail,
                           std::string_view type) {
  nlohmann::json body = {{"type", type}, {"title", title}, {"status", status}, {"detail", detail}};
  return json(status, body, "application/problem+json");
}

std::string_view reason_phrase(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 304:
    return "Not Modified";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 413:
    return "Content Too Large";
  case 429:
    return "Too Many Requests";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "Unknown";
  }
}

} // namespace homectl::http
