// The sources API end to end: the real `homectl serve`, real sockets, and a
// scripted fake upstream on loopback.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace homectl::test {
namespace {

using nlohmann::json;

json source_config(const FakeUpstream& up, const std::string& path, json extra = json::object()) {
  json source = {{"url", up.url(path)}, {"ttl", "1m"},  {"refresh", "off"},
                 {"timeout", "2s"},     {"retries", 0}, {"breaker_failures", 100}};
  source.update(extra);
  return source;
}

// Polls `probe` until it returns true or 10 s pass.
template <typename Probe>
bool eventually(Probe probe, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(SourcesApi, MissThenHitThenNotModified) {
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(json{{"sources", {{"weather", source_config(up, "/w")}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  auto r = request(daemon.port(), "GET", "/v1/sources/weather");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"t":21})");
  EXPECT_EQ(r->header("Content-Type"), "application/json");
  EXPECT_EQ(r->header("Cache-Status"), "homectl; fwd=miss; stored");
  const auto etag = r->header("ETag");
  EXPECT_EQ(etag.size(), 34u);

  r = request(daemon.port(), "GET", "/v1/sources/weather");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->header("Cache-Status").starts_with("homectl; hit; ttl="))
      << r->header("Cache-Status");
  EXPECT_FALSE(r->header("Last-Modified").empty());
  EXPECT_TRUE(r->header("Cache-Control").starts_with("max-age="));

  r = request(daemon.port(), "GET", "/v1/sources/weather", {{"If-None-Match", etag}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->header("ETag"), etag);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(up.count("/w"), 1);

  r = request(daemon.port(), "GET", "/v1/sources/wether");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(json::parse(r->body)["detail"], "no source named 'wether'; did you mean 'weather'?");
}

TEST(SourcesApi, RequestsOnOneKeepAliveConnectionAreIndependent) {
  // A connection reuses its request buffers: nothing of one request (a
  // header, the query, the target form) may leak into the next.
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(json{{"sources", {{"weather", source_config(up, "/w")}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto etag = request(daemon.port(), "GET", "/v1/sources/weather")->header("ETag");
  ASSERT_FALSE(etag.empty());

  RawConnection c(daemon.port());
  ASSERT_TRUE(c.ok());
  const auto exchange = [&](const std::string& head) {
    EXPECT_TRUE(c.send(head + "\r\n"));
    return c.read_response();
  };
  const std::string absolute = "http://127.0.0.1:" + std::to_string(daemon.port());
  auto r =
      exchange("GET /v1/sources/weather HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: " + etag +
               "\r\nX-Padding: " + std::string(300, 'p') + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  r = exchange("GET " + absolute + "/v1/sources/weather HTTP/1.1\r\nHost: localhost\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "the If-None-Match of the request before is gone";
  EXPECT_EQ(r->body, R"({"t":21})");
  r = exchange("GET /v1/sources/weather?pick=/t HTTP/1.1\r\nHost: localhost\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = exchange("GET " + absolute + "?x=1 HTTP/1.1\r\nHost: localhost\r\n");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 400) << "\"http://host?x=1\" is the root with a query";
  r = exchange("GET /live HTTP/1.1\r\nHost: localhost\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = exchange("GET * HTTP/1.1\r\nHost: localhost\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(up.count("/w"), 1);
}

TEST(SourcesApi, UpstreamFailureWithNothingCachedIsA502Problem) {
  FakeUpstream up;
  up.on("/down", {FakeResponse::status_only(500)});
  DaemonProcess daemon(json{{"sources", {{"down", source_config(up, "/down")}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto r = request(daemon.port(), "GET", "/v1/sources/down");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
  const auto doc = json::parse(r->body);
  EXPECT_EQ(doc["status"], 502);
  EXPECT_TRUE(doc["detail"].get<std::string>().starts_with("source 'down': upstream failed"))
      << doc.dump();
}

TEST(SourcesApi, ConcurrentMissesShareOneUpstreamRequest) {
  FakeUpstream up;
  FakeResponse slow = FakeResponse::json(R"({"slow":true})");
  slow.latency = 500ms;
  up.on("/slow", {slow});
  DaemonProcess daemon(json{{"sources", {{"slow", source_config(up, "/slow")}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  constexpr int k_clients = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < k_clients; ++i) {
    clients.emplace_back([&] {
      const auto r = request(daemon.port(), "GET", "/v1/sources/slow");
      if (r && r->status == 200 && r->body == R"({"slow":true})") {
        ++ok;
      }
    });
  }
  for (auto& c : clients) {
    c.join();
  }
  EXPECT_EQ(ok.load(), k_clients);
  EXPECT_EQ(up.count("/slow"), 1);
}

TEST(SourcesApi, ScheduledRequiredSourceIsPrefetchedAndMakesReadyPass) {
  FakeUpstream up;
  up.on("/plug", {FakeResponse::json(R"({"on":true})")});
  DaemonProcess daemon(
      json{{"sources",
            {{"plug", source_config(up, "/plug", {{"refresh", "10m"}, {"required", true}})}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(eventually([&] {
    const auto r = request(daemon.port(), "GET", "/ready");
    return r && r->status == 200;
  })) << daemon.output();
  EXPECT_EQ(up.count("/plug"), 1);
  const auto r = request(daemon.port(), "GET", "/v1/sources");
  ASSERT_TRUE(r);
  const auto list = json::parse(r->body)["sources"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "plug");
  EXPECT_EQ(list[0]["state"], "fresh");
  EXPECT_EQ(list[0]["refresh_s"], 600);
  EXPECT_TRUE(list[0]["next_refresh"].is_string());
  const auto health = request(daemon.port(), "GET", "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(json::parse(health->body)["checks"]["source:plug"][0]["status"], "pass");
}

TEST(SourcesApi, RequiredSourceThatFailsKeepsReadyRed) {
  FakeUpstream up;
  up.on("/plug", {FakeResponse::status_only(503)});
  DaemonProcess daemon(
      json{{"sources",
            {{"plug", source_config(up, "/plug", {{"refresh", "10m"}, {"required", true}})}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(eventually([&] { return up.count("/plug") >= 1; }));
  ASSERT_TRUE(eventually([&] {
    const auto r = request(daemon.port(), "GET", "/ready");
    return r && r->status == 503 &&
           r->body.find("required source has nothing servable") != std::string::npos;
  })) << daemon.output();
}

TEST(SourcesApi, RefreshWaitsAndEventsStreamTheChange) {
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"v":1})"), FakeResponse::json(R"({"v":2})")});
  DaemonProcess daemon(json{{"sources", {{"weather", source_config(up, "/w")}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  RawConnection events(daemon.port());
  ASSERT_TRUE(events.ok());
  ASSERT_TRUE(events.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::string seen;
  ASSERT_TRUE(eventually([&] {
    seen += events.read_some(100ms);
    return seen.find("retry: 3000") != std::string::npos;
  })) << seen;

  auto r = request(daemon.port(), "POST", "/v1/sources/weather/refresh?wait=5s");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto doc = json::parse(r->body);
  EXPECT_EQ(doc["source"], "weather");
  EXPECT_EQ(doc["outcome"], "ok");
  EXPECT_EQ(doc["status"], 200);
  EXPECT_EQ(doc["changed"], true);
  ASSERT_TRUE(eventually([&] {
    seen += events.read_some(100ms);
    return seen.find("event: source.updated") != std::string::npos;
  })) << seen;
  EXPECT_NE(seen.find(R"("source":"weather")"), std::string::npos) << seen;

  r = request(daemon.port(), "POST", "/v1/sources/weather/refresh");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  ASSERT_TRUE(eventually([&] { return up.count("/w") == 2; }));

  r = request(daemon.port(), "GET", "/v1/sources/weather/history");
  ASSERT_TRUE(r);
  ASSERT_TRUE(eventually([&] {
    const auto h = request(daemon.port(), "GET", "/v1/sources/weather/history");
    return h && json::parse(h->body)["entries"].size() == 2;
  }));
}

} // namespace
} // namespace homectl::test
