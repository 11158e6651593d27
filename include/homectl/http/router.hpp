#pragma once

#include "homectl/http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace homectl::http {

// Which inbound rate limit applies to a route (DESIGN.md §4).
enum class RouteClass {
  probe,   // /live, /ready, /health, /metrics: never rate limited
  read,    // every other GET route: limits.default (off by default)
  refresh, // POST refresh routes: limits.refresh
};

// Values captured by `{name}` segments, percent-decoded.
class RouteParams {
public:
  void add(std::string name, std::string value) {
    m_values.emplace_back(std::move(name), std::move(value));
  }
  // The value of a captured parameter; empty when absent.
  std::string_view get(std::string_view name) const {
    for (const auto& [n, v] : m_values) {
      if (n == name) {
        return v;
      }
    }
    return {};
  }

private:
  std::vector<std::pair<std::string, std::string>> m_values;
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, const RouteParams&)>;

struct Route {
  Method method = Method::get;
  std::string pattern; // e.g. "/v1/sources/{name}"; a {param} matches one non-empty segment
  RouteClass route_class = RouteClass::read;
  bool needs_auth = false; // requires the API token when one is configured
  Handler handler;
  std::string summary; // one line, for logs and the OpenAPI check
};

// The result of routing a request.
struct Match {
  const Route* route = nullptr; // null: no route for this method
  RouteParams params;
  std::vector<Method> allowed; // non-empty when the path exists but not for this method (405)
  std::string_view pattern;    // with `allowed`: the template the path matched (a metric label)
};

// Route templates → handlers. Built once at start (or reload) and then only
// read, so it can be shared between threads.
class Router {
public:
  void add(Route route);
  // HEAD matches a GET route.
  Match match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return m_routes; }

private:
  std::vector<Route> m_routes;
  // Per route: 1 when the pattern has no {param} (bytes, not vector<bool>: read per request).
  std::vector<char> m_literal;
};

} // namespace homectl::http
