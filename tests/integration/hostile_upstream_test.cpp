// Hostile upstreams against the real binary: answers built to make homectl
// allocate without limit (a chunk extension, a trailer section or a header
// that never ends, endless chunk framing) and redirects that would carry a
// source's headers to another origin. Each fetch fails with a clear reason
// while the daemon keeps its memory and keeps answering.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>

namespace homectl::test {
namespace {

using nlohmann::json;
using Kind = FakeResponse::Kind;

constexpr std::size_t k_flood = std::size_t{100} << 20;
// What the daemon may let the upstream push into the socket before it hangs
// up: its own read limit plus both kernels' socket buffers.
constexpr std::size_t k_flood_read_limit = std::size_t{16} << 20;

// An answer that starts well and then streams 100 MB of `pattern` after `prefix`.
FakeResponse flood(std::string prefix, std::string pattern = "a") {
  FakeResponse r = FakeResponse::of(Kind::flood);
  r.body = std::move(prefix);
  r.flood_pattern = std::move(pattern);
  r.huge_size = k_flood;
  return r;
}

json source_on(const std::string& url) {
  return {
      {"url", url}, {"refresh", "off"}, {"retries", 0}, {"max_size", "64KiB"}, {"timeout", "20s"}};
}

class HostileUpstream : public ::testing::Test {
protected:
  void start(json sources) {
    daemon = std::make_unique<DaemonProcess>(json{{"sources", std::move(sources)}});
    ASSERT_TRUE(daemon->start()) << daemon->output();
  }
  std::string metrics() const {
    const auto r = request(daemon->port(), "GET", "/metrics");
    return r && r->status == 200 ? r->body : std::string();
  }
  json refresh(const std::string& source) const {
    const auto r =
        request(daemon->port(), "POST", "/v1/sources/" + source + "/refresh?wait=30s", {}, {}, 40s);
    return r && r->status == 200 ? json::parse(r->body, nullptr, false) : json();
  }

  // Refreshes `source` (whose upstream floods) while /live is polled and RSS
  // sampled: the refresh must fail as too_large with `error`, RSS must stay
  // within 16 MiB of where it was, /live must keep answering, and the daemon
  // must hang up long before the 100 MB are through.
  void expect_refused(const std::string& source, const FakeUpstream& upstream,
                      const std::string& error) {
    const auto before = rss_kib(daemon->pid());
    ASSERT_TRUE(before);
    std::atomic<bool> done{false};
    std::int64_t peak = *before;
    int live_failures = 0;
    std::thread watcher([&] {
      while (!done) {
        peak = std::max(peak, rss_kib(daemon->pid()).value_or(0));
        const auto live = request(daemon->port(), "GET", "/live", {}, {}, 2s);
        live_failures += live && live->status == 200 ? 0 : 1;
        std::this_thread::sleep_for(5ms);
      }
    });
    const json outcome = refresh(source);
    done = true;
    watcher.join();

    std::cout << source << ": upstream pushed " << upstream.flooded() / 1024 << " KiB; RSS "
              << *before << " KiB before, " << peak << " KiB at the peak\n";
    EXPECT_EQ(outcome.value("outcome", ""), "error") << outcome.dump() << daemon->output();
    EXPECT_EQ(outcome.value("error", ""), error) << outcome.dump();
    EXPECT_LT(upstream.flooded(), k_flood_read_limit) << "the daemon kept reading the flood";
    const std::int64_t allowed = daemon_is_sanitized() ? 64 * 1024 : 16 * 1024;
    EXPECT_LT(peak - *before, allowed) << "RSS grew from " << *before << " to " << peak << " KiB";
    EXPECT_EQ(live_failures, 0);
    EXPECT_EQ(metric_value(metrics(), "homectl_source_failures_total",
                           {{"source", source}, {"reason", "too_large"}}),
              1)
        << metrics();
    EXPECT_FALSE(daemon->wait_exit(0ms));
  }

  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(HostileUpstream, AnEndlessChunkExtensionIsTooLarge) {
  FakeUpstream upstream;
  upstream.on("/ext", {flood("Transfer-Encoding: chunked\r\n\r\n1;x=")});
  start({{"ext", source_on(upstream.url("/ext"))}});
  expect_refused("ext", upstream, "a chunk-size line or trailer section exceeds 4KiB");
}

TEST_F(HostileUpstream, AnEndlessTrailerSectionIsTooLarge) {
  FakeUpstream upstream;
  upstream.on("/trailer", {flood("Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: ")});
  start({{"trailer", source_on(upstream.url("/trailer"))}});
  expect_refused("trailer", upstream, "a chunk-size line or trailer section exceeds 4KiB");
}

TEST_F(HostileUpstream, AnEndlessHeaderIsTooLarge) {
  FakeUpstream upstream;
  upstream.on("/header", {flood("X-Endless: ")});
  start({{"header", source_on(upstream.url("/header"))}});
  expect_refused("header", upstream, "response header exceeds 64KiB");
}

TEST_F(HostileUpstream, EndlessChunkFramingAroundATrickleOfBodyIsTooLarge) {
  // Each 1-byte chunk carries a 3000-byte extension (within the 4 KiB a line
  // may take): the body stays far below max_size while the bytes on the wire
  // grow without end.
  FakeUpstream upstream;
  upstream.on("/framing", {flood("Transfer-Encoding: chunked\r\n\r\n",
                                 "1;x=" + std::string(3000, 'e') + "\r\nb\r\n")});
  start({{"framing", source_on(upstream.url("/framing"))}});
  expect_refused("framing", upstream,
                 "response exceeds the body limit 64KiB + 64KiB of header + 4KiB of chunk framing");
}

TEST_F(HostileUpstream, ARedirectToAnotherOriginCarriesNoneOfTheSourceHeaders) {
  FakeUpstream origin;
  FakeUpstream elsewhere; // 127.0.0.1 too, on another port: another origin
  elsewhere.on("/landing", {FakeResponse::json(R"({"landed":"elsewhere"})")});
  origin.on("/away", {FakeResponse::with_header(302, "Location", elsewhere.url("/landing"))});
  origin.on("/near", {FakeResponse::with_header(302, "Location", "/landing")});
  origin.on("/landing", {FakeResponse::json(R"({"landed":"home"})")});
  const json headers = {
      {"X-Api-Key", "k-123"}, {"Authorization", "Bearer t-456"}, {"Cookie", "session=789"}};
  auto away = source_on(origin.url("/away"));
  away["follow_redirects"] = true;
  away["headers"] = headers;
  auto near = source_on(origin.url("/near"));
  near["follow_redirects"] = true;
  near["headers"] = headers;
  start({{"away", away}, {"near", near}});

  EXPECT_EQ(refresh("away").value("outcome", ""), "ok") << daemon->output();
  ASSERT_EQ(origin.requests("/away").size(), 1U);
  EXPECT_EQ(origin.requests("/away")[0].headers["x-api-key"], "k-123");
  ASSERT_EQ(elsewhere.requests("/landing").size(), 1U);
  // Copies: requests() returns the recorded requests by value.
  const auto landed = elsewhere.requests("/landing")[0].headers;
  for (const auto* name : {"x-api-key", "authorization", "cookie"}) {
    EXPECT_EQ(landed.count(name), 0U) << name << " followed the redirect to another origin";
  }

  EXPECT_EQ(refresh("near").value("outcome", ""), "ok") << daemon->output();
  ASSERT_EQ(origin.requests("/landing").size(), 1U);
  const auto kept = origin.requests("/landing")[0].headers;
  EXPECT_EQ(kept.at("x-api-key"), "k-123");
  EXPECT_EQ(kept.at("authorization"), "Bearer t-456");
  EXPECT_EQ(kept.at("cookie"), "session=789");
}

TEST_F(HostileUpstream, AnOverlongRedirectLocationIsRefused) {
  FakeUpstream upstream;
  upstream.on("/long", {FakeResponse::with_header(302, "Location", "/" + std::string(9000, 'l'))});
  auto source = source_on(upstream.url("/long"));
  source["follow_redirects"] = true;
  start({{"long", source}});
  const json outcome = refresh("long");
  EXPECT_EQ(outcome.value("outcome", ""), "error") << outcome.dump();
  EXPECT_EQ(outcome.value("error", ""), "redirect: the Location header exceeds 8KiB");
  EXPECT_EQ(upstream.count("/" + std::string(9000, 'l')), 0);
}

TEST(HostileUpstreamCli, OneShotCommandsStopReadingAnEndlessChunkExtension) {
  FakeUpstream upstream;
  upstream.on("/ready", {flood("Transfer-Encoding: chunked\r\n\r\n1;x=")});
  const auto started = std::chrono::steady_clock::now();
  const auto r = testing::run_homectl({"check-ready", "--url",
                                       "http://127.0.0.1:" + std::to_string(upstream.port()),
                                       "--timeout", "10s"},
                                      {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}}, 30s);
  const auto took = std::chrono::steady_clock::now() - started;
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  std::cout << "check-ready: upstream pushed " << upstream.flooded() / 1024 << " KiB in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms; largest child RSS " << children.ru_maxrss << " KiB\n";
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("HOMECTL UNKNOWN - request failed: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("a chunk-size line or trailer section exceeds 4KiB"), std::string::npos)
      << r.err;
  EXPECT_LT(upstream.flooded(), k_flood_read_limit) << "check-ready read the flood";
}

} // namespace
} // namespace homectl::test
