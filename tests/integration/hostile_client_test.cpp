// Hostile clients against the real `homectl serve`: requests built to make
// the daemon allocate without limit, to smuggle a second request past it, or
// to reach it from a web page (DNS rebinding, cross-site POSTs), and upstream
// bodies that a browser would run as a page. Each is refused with a clear
// answer while everyone else is served. Requests from many source addresses
// each draw on their own client's rate limit.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace homectl::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view k_chunked_post =
    "POST /live HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";

// One request on a fresh connection, sent as raw bytes; the answer, and
// whether the daemon closed the connection after it.
struct Exchange {
  std::optional<HttpResponse> response;
  bool closed = false;
};
Exchange exchange(std::uint16_t port, std::string_view bytes) {
  RawConnection c(port);
  Exchange out;
  if (!c.ok() || !c.send(bytes)) {
    return out;
  }
  out.response = c.read_response(5s);
  out.closed = c.wait_closed(5s);
  return out;
}

std::string request_with_host(std::string_view target, std::string_view host) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host) +
         "\r\nConnection: close\r\n\r\n";
}

// Sends `prefix`, then `filler` bytes in 1 MiB writes, up to `total` bytes or
// until the daemon stops taking them or `limit` passes. Bytes sent.
std::size_t flood(std::uint16_t port, std::string_view prefix, char filler, std::size_t total,
                  std::chrono::seconds limit) {
  RawConnection c(port);
  if (!c.ok() || !c.send(prefix)) {
    return 0;
  }
  const std::string block(std::size_t{1} << 20, filler);
  const auto deadline = Clock::now() + limit;
  std::size_t sent = 0;
  while (sent < total && Clock::now() < deadline && c.send(block)) {
    sent += block.size();
  }
  return sent;
}

class HostileClient : public ::testing::Test {
protected:
  void start(json config = json::object(), std::vector<std::string> env = {}) {
    daemon = std::make_unique<DaemonProcess>(std::move(config), std::move(env));
    ASSERT_TRUE(daemon->start()) << daemon->output();
  }
  std::string metrics() const {
    const auto r = request(daemon->port(), "GET", "/metrics");
    return r && r->status == 200 ? r->body : std::string();
  }
  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(HostileClient, ChunkExtensionFloodFromTwentyClientsLeavesMemoryBounded) {
  constexpr int k_clients = 20;
  constexpr std::size_t k_flood = std::size_t{100} << 20;
  start();
  const auto before = rss_kib(daemon->pid());
  ASSERT_TRUE(before);

  std::atomic<bool> done{false};
  std::int64_t peak = *before;
  std::thread watcher([&] {
    while (!done) {
      peak = std::max(peak, rss_kib(daemon->pid()).value_or(0));
      std::this_thread::sleep_for(5ms);
    }
  });
  std::vector<std::thread> clients;
  std::atomic<std::size_t> sent{0};
  for (int i = 0; i < k_clients; ++i) {
    clients.emplace_back([&, i] {
      // Half flood a chunk extension, half an endless trailer section.
      const std::string prefix = std::string(k_chunked_post) + (i % 2 == 0 ? "1;x=" : "0\r\nX-T: ");
      sent += flood(daemon->port(), prefix, 'a', k_flood, 30s);
    });
  }
  for (auto& client : clients) {
    client.join();
  }
  done = true;
  watcher.join();

  std::cout << "20 floods sent " << sent / 1024 << " KiB in all; RSS " << *before << " KiB before, "
            << peak << " KiB at the peak\n";
  EXPECT_LT(sent.load(), k_clients * k_flood) << "the daemon read every byte of the floods";
  const std::int64_t allowed = daemon_is_sanitized() ? 64 * 1024 : 16 * 1024;
  EXPECT_LT(peak - *before, allowed) << "RSS grew from " << *before << " to " << peak << " KiB";
  const auto live = request(daemon->port(), "GET", "/live");
  ASSERT_TRUE(live && live->status == 200) << daemon->output();
  EXPECT_GE(metric_value(metrics(), "homectl_http_requests_total",
                         {{"route", "unmatched"}, {"method", "OTHER"}, {"code", "413"}})
                .value_or(0),
            1)
      << metrics();
  EXPECT_FALSE(daemon->wait_exit(0ms));
}

TEST_F(HostileClient, AnOverlongChunkExtensionIsAnswered413AndClosed) {
  start();
  const auto r =
      exchange(daemon->port(), std::string(k_chunked_post) + "1;x=" + std::string(200'000, 'a'));
  ASSERT_TRUE(r.response) << daemon->output();
  EXPECT_EQ(r.response->status, 413);
  EXPECT_EQ(r.response->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(json::parse(r.response->body)["detail"],
            "the request exceeds server.max_header_size + server.max_body_size + 4096 bytes of "
            "chunk framing (86016 bytes)");
  EXPECT_TRUE(r.closed);
}

TEST_F(HostileClient, FramingTheDaemonCannotReadSafelyIs400AndClosed) {
  start();
  const auto smuggle =
      exchange(daemon->port(), "POST /live HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip"
                               "\r\n\r\nGET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_TRUE(smuggle.response);
  EXPECT_EQ(smuggle.response->status, 400);
  EXPECT_EQ(json::parse(smuggle.response->body)["detail"],
            "only \"Transfer-Encoding: chunked\" is supported");
  EXPECT_TRUE(smuggle.closed) << "the body must not be read as a second request";

  const auto no_host = exchange(daemon->port(), "GET /live HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(no_host.response);
  EXPECT_EQ(no_host.response->status, 400);
  EXPECT_EQ(json::parse(no_host.response->body)["detail"],
            "an HTTP/1.1 request needs a Host header");
  EXPECT_TRUE(no_host.closed);

  const auto two_hosts = exchange(
      daemon->port(), "GET /live HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n");
  ASSERT_TRUE(two_hosts.response);
  EXPECT_EQ(two_hosts.response->status, 400);
  EXPECT_TRUE(two_hosts.closed);

  const auto old_client = exchange(daemon->port(), "GET /live HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old_client.response);
  EXPECT_EQ(old_client.response->status, 200) << "HTTP/1.0 needs no Host";
}

TEST_F(HostileClient, AHostThatDoesNotNameThisServerIs421) {
  start();
  for (const auto* target :
       {"/live", "/health", "/metrics", "/diagnostics", "/v1/sources", "/v1/sources/any", "/"}) {
    const auto r = exchange(daemon->port(), request_with_host(target, "rebind.example:8080"));
    ASSERT_TRUE(r.response) << target;
    EXPECT_EQ(r.response->status, 421) << target;
    EXPECT_EQ(r.response->header("Content-Type"), "application/problem+json") << target;
  }
  for (const auto* host : {"127.0.0.1", "localhost:1", "[::1]:80"}) {
    const auto r = exchange(daemon->port(), request_with_host("/live", host));
    ASSERT_TRUE(r.response) << host;
    EXPECT_EQ(r.response->status, 200) << host;
  }
}

TEST_F(HostileClient, AllowedHostsAddNamesAndStarTurnsTheCheckOff) {
  start({{"server", {{"allowed_hosts", {"nas.lan"}}}}});
  auto r = exchange(daemon->port(), request_with_host("/live", "nas.lan:8080"));
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, 200);
  r = exchange(daemon->port(), request_with_host("/live", "other.lan"));
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, 421);

  start(json::object(), {"HOMECTL_SERVER_ALLOWED_HOSTS=*"});
  r = exchange(daemon->port(), request_with_host("/live", "other.lan"));
  ASSERT_TRUE(r.response);
  EXPECT_EQ(r.response->status, 200);
}

TEST_F(HostileClient, ACrossSitePostIs403TokenOrNot) {
  FakeUpstream upstream;
  upstream.on("/w", {FakeResponse::json(R"({"t":1})")});
  for (const std::string token : {"", "s3cret"}) {
    json server = json::object();
    if (!token.empty()) {
      server["api_token"] = token;
    }
    start({{"server", server},
           {"sources", {{"w", {{"url", upstream.url("/w")}, {"refresh", "off"}}}}}});
    std::vector<std::pair<std::string, std::string>> auth;
    if (!token.empty()) {
      auth.emplace_back("Authorization", "Bearer " + token);
    }
    auto with = [&](std::pair<std::string, std::string> extra) {
      auto headers = auth;
      headers.push_back(std::move(extra));
      return request(daemon->port(), "POST", "/v1/sources/w/refresh", headers);
    };
    auto r = with({"Origin", "http://evil.example"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << token;
    EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
    r = with({"Sec-Fetch-Site", "cross-site"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << token;
    r = with({"Origin", "http://127.0.0.1"}); // the test client's Host is 127.0.0.1
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 202) << "a same-origin POST (the status page) " << r->body;
    r = request(daemon->port(), "POST", "/v1/sources/w/refresh?wait=5s", auth);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << "curl sends neither header: " << r->body;
  }
}

TEST_F(HostileClient, AnUpstreamPageIsServedInert) {
  FakeUpstream upstream;
  FakeResponse page = FakeResponse::json("<html><script>alert(document.cookie)</script></html>");
  page.content_type = "text/html";
  upstream.on("/page", {page});
  start({{"sources", {{"page", {{"url", upstream.url("/page")}, {"refresh", "off"}}}}}});
  const auto r = request(daemon->port(), "GET", "/v1/sources/page");
  ASSERT_TRUE(r && r->status == 200) << daemon->output();
  EXPECT_EQ(r->header("Content-Type"), "text/html");
  EXPECT_EQ(r->header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->header("Content-Security-Policy"), "sandbox");
  const auto again =
      request(daemon->port(), "GET", "/v1/sources/page", {{"If-None-Match", r->header("ETag")}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->header("Content-Security-Policy"), "sandbox");
  const auto unknown = request(daemon->port(), "GET", "/v1/sources/nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->header("X-Content-Type-Options"), "nosniff");
  // The status page keeps its own policy.
  const auto ui = request(daemon->port(), "GET", "/");
  ASSERT_TRUE(ui && ui->status == 200);
  EXPECT_NE(ui->header("Content-Security-Policy"), "sandbox");
}

TEST_F(HostileClient, EveryClientAddressHasItsOwnBudget) {
  start(json{{"limits", {{"default", {{"rate", "1/m"}, {"burst", 1}}}}}});
  const auto status_from = [&](const std::string& source) {
    RawConnection c(daemon->port(), source.c_str());
    if (!c.ok() || !c.send(request_with_host("/openapi.json", "localhost"))) {
      ADD_FAILURE() << "cannot send from " << source;
      return 0;
    }
    const auto r = c.read_response(5s);
    return r ? r->status : 0;
  };
  EXPECT_EQ(status_from("127.0.0.1"), 200);
  EXPECT_EQ(status_from("127.0.0.1"), 429);
  // A hundred more loopback addresses: each is a client of its own, with its
  // own burst, and none takes from another's.
  for (int i = 1; i <= 100; ++i) {
    const auto source = "127.0.1." + std::to_string(i);
    ASSERT_EQ(status_from(source), 200) << source;
    ASSERT_EQ(status_from(source), 429) << source;
  }
  EXPECT_EQ(status_from("127.0.0.1"), 429);
}

} // namespace
} // namespace homectl::test
