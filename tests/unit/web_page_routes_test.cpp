#include "homectl/web/page_routes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <string>

namespace homectl::web {
namespace {

http::Response serve(const http::Router& router, http::Method method, const std::string& path,
                     std::vector<http::Header> headers = {}) {
  const auto match = router.match(method, path);
  if (match.route == nullptr) {
    return http::Response::problem(404, "Not Found", path);
  }
  http::Request request;
  request.method = method;
  request.target = path;
  request.path = path;
  request.headers = std::move(headers);
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, match.route->handler(request, match.params),
                                      boost::asio::use_future);
  io.run();
  return result.get();
}

TEST(WebPageRoutes, ServeEveryAssetAsAReadRouteWithoutAuth) {
  http::Router router;
  add_page_routes(router, [] { return true; });
  ASSERT_EQ(router.routes().size(), all_assets().size());
  for (const auto& path : {"/", "/app.css", "/app.js", "/favicon.svg"}) {
    const auto match = router.match(http::Method::get, path);
    ASSERT_NE(match.route, nullptr) << path;
    EXPECT_EQ(match.route->route_class, http::RouteClass::read) << path;
    EXPECT_FALSE(match.route->needs_auth) << path;
    EXPECT_NE(router.match(http::Method::head, path).route, nullptr) << path;
  }
  EXPECT_EQ(router.match(http::Method::post, "/").route, nullptr);
}

TEST(WebPageRoutes, AnswerWithTheEmbeddedPageAndItsHeaders) {
  http::Router router;
  add_page_routes(router, [] { return true; });
  const auto response = serve(router, http::Method::get, "/");
  EXPECT_EQ(response.status, 200);
  ASSERT_NE(response.body, nullptr);
  EXPECT_EQ(*response.body, find_asset("/")->content);
  EXPECT_EQ(response.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(response.header("etag"), find_asset("/")->etag);
  EXPECT_EQ(response.header("cache-control"), "no-cache");
  EXPECT_EQ(response.header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(response.header("content-security-policy").starts_with("default-src 'none'"));
}

TEST(WebPageRoutes, AnswerNotModifiedForTheCurrentEtag) {
  http::Router router;
  add_page_routes(router, [] { return true; });
  const std::string etag(find_asset("/app.js")->etag);
  const auto response = serve(router, http::Method::get, "/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(response.status, 304);
  EXPECT_EQ(response.body, nullptr);
  EXPECT_EQ(response.header("etag"), etag);
  const auto stale = serve(router, http::Method::get, "/app.js", {{"if-none-match", "\"old\""}});
  EXPECT_EQ(stale.status, 200);
}

TEST(WebPageRoutes, AnswerNotFoundWhileTheUiIsDisabled) {
  http::Router router;
  bool ui = false;
  add_page_routes(router, [&ui] { return ui; });
  for (const auto& path : {"/", "/app.js", "/app.css", "/favicon.svg"}) {
    const auto response = serve(router, http::Method::get, path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.header("content-type"), "application/problem+json");
    EXPECT_EQ(response.header("etag"), "");
    EXPECT_NE(response.body->find(std::string("no route for GET ") + path), std::string::npos);
  }
  ui = true; // a reload turned it back on
  EXPECT_EQ(serve(router, http::Method::get, "/").status, 200);
}

TEST(WebPageRoutes, ShareOneCopyOfEachBodyAcrossResponses) {
  http::Router router;
  add_page_routes(router, [] { return true; });
  const auto first = serve(router, http::Method::get, "/app.css");
  const auto second = serve(router, http::Method::get, "/app.css");
  ASSERT_NE(first.body, nullptr);
  EXPECT_EQ(first.body.get(), second.body.get());
}

} // namespace
} // namespace homectl::web
