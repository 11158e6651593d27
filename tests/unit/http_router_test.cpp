#include "homectl/http/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace homectl::http {
namespace {

boost::asio::awaitable<Response> ok(const Request&, const RouteParams&) {
  co_return Response::text(200, "ok");
}

Router make_router() {
  Router router;
  router.add({Method::get, "/live", RouteClass::probe, false, ok, "liveness"});
  router.add({Method::get, "/v1/sources/{name}", RouteClass::read, false, ok, "one source"});
  router.add(
      {Method::post, "/v1/sources/{name}/refresh", RouteClass::refresh, true, ok, "refresh"});
  return router;
}

TEST(Router, MatchesTemplatesAndDecodesParams) {
  const auto router = make_router();
  auto m = router.match(Method::get, "/v1/sources/wea%74her");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/sources/{name}");
  EXPECT_EQ(m.params.get("name"), "weather");
  m = router.match(Method::post, "/v1/sources/plug/refresh");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->route_class, RouteClass::refresh);
  EXPECT_EQ(m.params.get("name"), "plug");
}

TEST(Router, HeadMatchesGet) {
  const auto router = make_router();
  EXPECT_NE(router.match(Method::head, "/live").route, nullptr);
}

TEST(Router, ReportsAllowedMethodsForAKnownPath) {
  const auto router = make_router();
  const auto m = router.match(Method::post, "/live");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<Method>{Method::get, Method::head}));
}

TEST(Router, RejectsUnknownEmptyAndEncodedSlashSegments) {
  const auto router = make_router();
  EXPECT_EQ(router.match(Method::get, "/nope").route, nullptr);
  EXPECT_TRUE(router.match(Method::get, "/nope").allowed.empty());
  EXPECT_EQ(router.match(Method::get, "/v1/sources/").route, nullptr);
  EXPECT_EQ(router.match(Method::get, "/v1/sources/a%2Fb").route, nullptr);
  EXPECT_EQ(router.match(Method::get, "/v1/sources/%zz").route, nullptr);
  EXPECT_EQ(router.match(Method::get, "/live/").route, nullptr);
  EXPECT_EQ(router.match(Method::get, "").route, nullptr);
}

TEST(Request, FindsHeadersAndQueryParams) {
  Request req;
  req.headers = {{"Content-Type", "text/plain"}};
  req.query = "a=1&wait=5s&x=%41%42&flag";
  EXPECT_EQ(req.header("content-type"), "text/plain");
  EXPECT_EQ(req.header("missing"), "");
  EXPECT_EQ(req.query_param("wait"), "5s");
  EXPECT_EQ(req.query_param("x"), "AB");
  EXPECT_EQ(req.query_param("flag"), "");
  EXPECT_EQ(req.query_param("nope"), std::nullopt);
}

TEST(Response, ProblemIsRfc9457) {
  const auto r = Response::problem(404, "Not Found", "no source named \"x\"");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  const auto body = nlohmann::json::parse(*r.body);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["detail"], "no source named \"x\"");
}

} // namespace
} // namespace homectl::http
