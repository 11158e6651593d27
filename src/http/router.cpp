#include "homectl/http/router.hpp"

#include "homectl/util/url.hpp"

#include <algorithm>

namespace homectl::http {
namespace {

// Matches `path` against `pattern` segment by segment, capturing {params}.
bool match_pattern(std::string_view pattern, std::string_view path, RouteParams& params) {
  while (true) {
    if (pattern.empty() || path.empty()) {
      return pattern.empty() && path.empty();
    }
    if (pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pattern_end = std::min(pattern.find('/'), pattern.size());
    const auto path_end = std::min(path.find('/'), path.size());
    const std::string_view want = pattern.substr(0, pattern_end);
    const std::string_view got = path.substr(0, path_end);
    if (want.size() >= 2 && want.front() == '{' && want.back() == '}') {
      auto decoded = util::percent_decode(got);
      if (got.empty() || !decoded || decoded->find('/') != std::string::npos) {
        return false;
      }
      params.add(std::string(want.substr(1, want.size() - 2)), std::move(*decoded));
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(pattern_end);
    path.remove_prefix(path_end);
  }
}

} // namespace

void Router::add(Route route) {
  m_literal.push_back(route.pattern.find('{') == std::string::npos ? 1 : 0);
  m_routes.push_back(std::move(route));
}

Match Router::match(Method method, std::string_view path) const {
  Match result;
  const Method wanted = method == Method::head ? Method::get : method;
  for (std::size_t i = 0; i < m_routes.size(); ++i) {
    const auto& route = m_routes[i];
    RouteParams params;
    // A pattern without {params} matches only itself: one comparison.
    if (m_literal[i] != 0 ? route.pattern != path : !match_pattern(route.pattern, path, params)) {
      continue;
    }
    if (route.method == wanted) {
      result.route = &route;
      result.params = std::move(params);
      result.allowed.clear();
      result.pattern = {};
      return result;
    }
    result.pattern = route.pattern;
    if (std::find(result.allowed.begin(), result.allowed.end(), route.method) ==
        result.allowed.end()) {
      result.allowed.push_back(route.method);
      if (route.method == Method::get) {
        result.allowed.push_back(Method::head);
      }
    }
  }
  return result;
}

} // namespace homectl::http
