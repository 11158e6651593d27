#include "homectl/daemon/daemon.hpp"
#include "homectl/daemon/server_core.hpp"
#include "homectl/http/openapi.hpp"
#include "homectl/util/strings.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace homectl::daemon {
namespace {

using boost::asio::awaitable;

struct Answer {
  http::Response response;
  std::string endpoint;
};

// Runs the dispatcher on a private io_context, as a session would.
Answer dispatch(ServerCore& core, http::Request request) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(
      io,
      [&]() -> awaitable<Answer> {
        std::string_view endpoint;
        auto response = co_await core.dispatcher.dispatch(request, endpoint);
        co_return Answer{std::move(response), std::string(endpoint)};
      },
      boost::asio::use_future);
  io.run();
  return future.get();
}

http::Request make(http::Method method, std::string path, std::vector<http::Header> headers = {}) {
  http::Request r;
  r.method = method;
  r.path = std::move(path);
  r.target = r.path;
  r.headers = std::move(headers);
  r.client_address = "192.0.2.1";
  r.client_key = "192.0.2.1";
  return r;
}

class Dispatching : public ::testing::Test {
protected:
  Dispatching() : core(config::Config{}, clock) {
    add_core_endpoints(core);
    core.router.add({.method = http::Method::post,
                     .pattern = "/v1/things/{name}/refresh",
                     .route_class = http::RouteClass::refresh,
                     .handler = [](const http::Request&,
                                   const http::RouteParams& p) -> awaitable<http::Response> {
                       co_return http::Response::text(200, std::string(p.get("name")));
                     }});
    core.router.add({.method = http::Method::get,
                     .pattern = "/v1/broken",
                     .handler = [](const http::Request&,
                                   const http::RouteParams&) -> awaitable<http::Response> {
                       throw std::runtime_error("boom");
                       co_return http::Response::text(200, "");
                     }});
  }
  void set_token(std::string token) {
    auto c = *core.state.config();
    c.server.api_token = std::move(token);
    core.state.set_config(c);
  }
  util::ManualClock clock;
  ServerCore core;
};

TEST_F(Dispatching, RoutesToTheHandlerWithParams) {
  const auto a = dispatch(core, make(http::Method::post, "/v1/things/lamp/refresh"));
  EXPECT_EQ(a.response.status, 200);
  EXPECT_EQ(*a.response.body, "lamp");
  EXPECT_EQ(a.endpoint, "/v1/things/{name}/refresh");
}

TEST_F(Dispatching, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  auto a = dispatch(core, make(http::Method::get, "/nope"));
  EXPECT_EQ(a.response.status, 404);
  EXPECT_EQ(a.endpoint, "unmatched");
  a = dispatch(core, make(http::Method::get, "/v1/things/lamp/refresh"));
  EXPECT_EQ(a.response.status, 405);
  EXPECT_EQ(a.response.header("Allow"), "POST");
  EXPECT_EQ(a.endpoint, "/v1/things/{name}/refresh") << "counted under the route it missed";
}

TEST_F(Dispatching, TokenGuardsPostAndDiagnosticsOnly) {
  set_token("t0ken");
  auto a = dispatch(core, make(http::Method::post, "/v1/things/lamp/refresh"));
  EXPECT_EQ(a.response.status, 401);
  EXPECT_EQ(a.response.header("WWW-Authenticate"), "Bearer realm=\"homectl\"");
  a = dispatch(core, make(http::Method::get, "/diagnostics", {{"authorization", "Bearer nope"}}));
  EXPECT_EQ(a.response.status, 401);
  a = dispatch(core, make(http::Method::get, "/diagnostics", {{"Authorization", "Bearer t0ken"}}));
  EXPECT_EQ(a.response.status, 200);
  a = dispatch(core, make(http::Method::get, "/live"));
  EXPECT_EQ(a.response.status, 200);
}

TEST_F(Dispatching, RefreshClassIsRateLimitedByDefault) {
  int limited = 0;
  for (int i = 0; i < 31; ++i) {
    const auto a = dispatch(core, make(http::Method::post, "/v1/things/lamp/refresh"));
    limited += a.response.status == 429 ? 1 : 0;
  }
  EXPECT_EQ(limited, 1); // burst 30
  EXPECT_NE(core.metrics.render().find("homectl_rate_limited_total{class=\"refresh\"} 1"),
            std::string::npos);
}

TEST_F(Dispatching, HostThatDoesNotNameThisServerIs421BeforeRouting) {
  auto a = dispatch(core, make(http::Method::get, "/live", {{"Host", "rebind.example:8080"}}));
  EXPECT_EQ(a.response.status, 421);
  EXPECT_EQ(a.response.header("Content-Type"), "application/problem+json");
  EXPECT_NE(a.response.body->find("server.allowed_hosts"), std::string::npos);
  a = dispatch(core, make(http::Method::get, "/nope", {{"Host", "rebind.example"}}));
  EXPECT_EQ(a.response.status, 421);
  for (const auto* host : {"127.0.0.1:8080", "[::1]:8080", "localhost:8080", "LOCALHOST", ""}) {
    a = dispatch(core, make(http::Method::get, "/live", {{"Host", host}}));
    EXPECT_EQ(a.response.status, 200) << host;
  }
  auto c = *core.state.config();
  c.server.allowed_hosts = {"nas.lan"};
  core.state.set_config(c);
  a = dispatch(core, make(http::Method::get, "/live", {{"Host", "NAS.lan:8080"}}));
  EXPECT_EQ(a.response.status, 200);
  a = dispatch(core, make(http::Method::get, "/live", {{"Host", "evil.lan"}}));
  EXPECT_EQ(a.response.status, 421);
}

TEST_F(Dispatching, CrossSitePostIs403EvenWithTheToken) {
  set_token("t0ken");
  const std::vector<http::Header> base{{"Host", "localhost:8080"},
                                       {"Authorization", "Bearer t0ken"}};
  auto with = [&](http::Header extra) {
    auto headers = base;
    headers.push_back(std::move(extra));
    return make(http::Method::post, "/v1/things/lamp/refresh", std::move(headers));
  };
  EXPECT_EQ(dispatch(core, with({"Origin", "http://evil.example"})).response.status, 403);
  EXPECT_EQ(dispatch(core, with({"Origin", "null"})).response.status, 403);
  EXPECT_EQ(dispatch(core, with({"Sec-Fetch-Site", "cross-site"})).response.status, 403);
  EXPECT_EQ(dispatch(core, with({"Origin", "http://localhost:8080"})).response.status, 200);
  EXPECT_EQ(dispatch(core, with({"Sec-Fetch-Site", "same-origin"})).response.status, 200);
  EXPECT_EQ(
      dispatch(core, make(http::Method::post, "/v1/things/lamp/refresh", base)).response.status,
      200)
      << "curl and scripts send neither header";
  // Reads are not refused: a cross-site page cannot read their answers.
  EXPECT_EQ(dispatch(core, make(http::Method::get, "/live",
                                {{"Host", "localhost"}, {"Origin", "http://evil.example"}}))
                .response.status,
            200);
}

TEST_F(Dispatching, ThrowingHandlerIs500) {
  const auto a = dispatch(core, make(http::Method::get, "/v1/broken"));
  EXPECT_EQ(a.response.status, 500);
  EXPECT_EQ(a.response.header("Content-Type"), "application/problem+json");
}

TEST_F(Dispatching, ReadyFailsOnceDraining) {
  EXPECT_EQ(dispatch(core, make(http::Method::get, "/ready")).response.status, 200);
  core.state.start_draining();
  const auto a = dispatch(core, make(http::Method::get, "/ready"));
  EXPECT_EQ(a.response.status, 503);
  EXPECT_EQ(nlohmann::json::parse(*a.response.body)["status"], "fail");
}

TEST_F(Dispatching, RecordCountsByRouteTemplate) {
  core.dispatcher.record("/v1/things/{name}/refresh", http::Method::post, 200, 10,
                         std::chrono::milliseconds(3));
  const auto text = core.metrics.render();
  EXPECT_NE(text.find("homectl_http_requests_total{route=\"/v1/things/{name}/refresh\","
                      "method=\"POST\",code=\"200\"} 1"),
            std::string::npos)
      << text;
}

// Every route the daemon serves (including those other areas add in
// install_areas) must be described in the OpenAPI document.
TEST(OpenApi, DocumentsEveryRoutedPathAndMethod) {
  util::ManualClock clock;
  boost::asio::io_context io;
  ServerCore core(config::Config{}, clock);
  install_areas(io, core);
  const auto& doc = http::openapi_document();
  ASSERT_FALSE(core.router.routes().empty());
  for (const auto& route : core.router.routes()) {
    const auto method = util::to_lower(std::string(http::to_string(route.method)));
    ASSERT_TRUE(doc["paths"].contains(route.pattern)) << route.pattern << " is not documented";
    EXPECT_TRUE(doc["paths"][route.pattern].contains(method))
        << method << " " << route.pattern << " is not documented";
  }
}

} // namespace
} // namespace homectl::daemon
