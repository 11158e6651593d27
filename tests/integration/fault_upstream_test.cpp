// Fault injection on the upstream side: one real `homectl serve` with a source
// on each kind of misbehaving upstream (hang after accept, reset mid-body, a
// 10 MB body, a garbage status line, 50% 5xx, drip-feed), refreshing every
// second while clients read. The event loop must keep answering /live, values
// already fetched must keep being served, memory must stay bounded, and the
// logs and /metrics must say what went wrong where.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace homectl::test {
namespace {

using nlohmann::json;
using Kind = FakeResponse::Kind;
using SteadyClock = std::chrono::steady_clock;

// One kind of fault: a fake upstream that answers well once on /warm and then
// misbehaves, and misbehaves from the start on /cold.
struct Fault {
  std::string name;
  FakeResponse bad;
  // What a client gets from the cold source (nothing servable).
  std::set<int> cold_statuses;
  // The refresh outcome and failure reason the metrics and the log must show.
  std::string outcome;
  std::string reason;
  // A piece of the error message the log must carry.
  std::string error_part;
  // Settings of its two sources beyond the common ones.
  json extra = json::object();
};

FakeResponse good_answer(const std::string& name) {
  return FakeResponse::json(R"({"source":")" + name + R"(","ok":true})");
}

std::vector<Fault> all_faults() {
  FakeResponse drip = FakeResponse::of(Kind::drip_feed);
  drip.body = std::string(40, 'd');
  drip.drip_interval = 50ms; // 2 s for the body, far beyond the 500 ms timeout
  FakeResponse huge = FakeResponse::of(Kind::huge_body);
  huge.huge_size = std::size_t{10} * 1024 * 1024;
  return {
      {"hang", FakeResponse::of(Kind::hang), {504}, "timeout", "timeout", "timed out after 500ms"},
      {"reset", FakeResponse::of(Kind::reset_mid_body), {502}, "error", "protocol", "read: "},
      // Reading up to the 1 MiB cap may take a while in a sanitizer build on a
      // busy machine: the cap, not the timeout, must be what refuses it.
      {"huge", huge, {502}, "error", "too_large", "body exceeds 1MiB", {{"timeout", "3s"}}},
      {"garbage",
       FakeResponse::of(Kind::garbage_status_line),
       {502},
       "error",
       "protocol",
       "invalid HTTP"},
      {"flap", FakeResponse::status_only(503), {502}, "error", "status_5xx", "upstream status 503"},
      {"drip", drip, {504}, "timeout", "timeout", "timed out after 500ms"},
  };
}

json fault_source(const std::string& url) {
  return {{"url", url},
          {"ttl", "1s"},
          {"refresh", "1s"},
          {"stale_while_revalidate", "1s"},
          {"stale_if_error", "1h"},
          {"timeout", "500ms"},
          {"retries", 0},
          {"breaker_failures", 1000},
          {"breaker_open", "1s"}};
}

struct ClientTally {
  std::mutex mutex;
  std::map<std::string, std::map<int, int>> statuses; // source -> status -> count
  std::vector<std::string> problems;

  void note(const std::string& source, int status) {
    std::lock_guard lock(mutex);
    ++statuses[source][status];
  }
  void problem(std::string text) {
    std::lock_guard lock(mutex);
    if (problems.size() < 20) {
      problems.push_back(std::move(text));
    }
  }
};

TEST(FaultUpstream, MisbehavingUpstreamsNeitherBlockTheLoopNorLoseServableValues) {
  const auto faults = all_faults();
  std::map<std::string, std::unique_ptr<FakeUpstream>> upstreams;
  json sources = json::object();
  for (const auto& fault : faults) {
    auto up = std::make_unique<FakeUpstream>();
    up->on("/warm", {good_answer("warm_" + fault.name), fault.bad});
    up->on("/cold", {fault.bad});
    sources["warm_" + fault.name] = fault_source(up->url("/warm"));
    sources["warm_" + fault.name].update(fault.extra);
    sources["cold_" + fault.name] = fault_source(up->url("/cold"));
    sources["cold_" + fault.name].update(fault.extra);
    upstreams[fault.name] = std::move(up);
  }
  // The flapping one alternates good and 503 for as long as the test runs.
  std::vector<FakeResponse> flapping;
  for (int i = 0; i < 200; ++i) {
    flapping.push_back(i % 2 == 0 ? good_answer("warm_flap") : FakeResponse::status_only(503));
  }
  upstreams["flap"]->on("/warm", flapping);
  // A source whose breaker opens: a client sees 503 with Retry-After then.
  auto breaker_up = std::make_unique<FakeUpstream>();
  breaker_up->on("/cold", {FakeResponse::status_only(500)});
  sources["cold_breaker"] = fault_source(breaker_up->url("/cold"));
  sources["cold_breaker"]["breaker_failures"] = 2;

  DaemonProcess daemon(json{{"log", {{"level", "info"}}}, {"sources", sources}});
  ASSERT_TRUE(daemon.start()) << daemon.output();

  // Warm-up: every warm source gets its one good answer.
  for (const auto& fault : faults) {
    const std::string name = "warm_" + fault.name;
    const auto r = request(daemon.port(), "GET", "/v1/sources/" + name);
    ASSERT_TRUE(r) << name;
    ASSERT_EQ(r->status, 200) << name << ": " << r->body << "\n" << daemon.output();
    ASSERT_EQ(r->body, good_answer(name).body);
  }
  const auto rss_start = rss_kib(daemon.pid());
  ASSERT_TRUE(rss_start);

  // The faults run: refreshes every second fail in six different ways while
  // /live is polled and clients read every source.
  std::atomic<bool> stop{false};
  std::atomic<int> live_answers{0};
  std::atomic<long long> live_worst_ms{0};
  std::atomic<int> live_failures{0};
  std::thread live_poller([&] {
    while (!stop) {
      const auto start = SteadyClock::now();
      const auto r = request(daemon.port(), "GET", "/live", {}, {}, 1s);
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
      if (!r || r->status != 200) {
        ++live_failures;
      } else {
        ++live_answers;
        live_worst_ms = std::max(live_worst_ms.load(), static_cast<long long>(ms));
      }
      std::this_thread::sleep_for(20ms);
    }
  });
  ClientTally tally;
  auto reader = [&](const std::string& prefix) {
    while (!stop) {
      for (const auto& fault : faults) {
        const std::string name = prefix + fault.name;
        const auto r = request(daemon.port(), "GET", "/v1/sources/" + name, {}, {}, 5s);
        if (!r) {
          tally.problem(name + ": no answer");
          continue;
        }
        tally.note(name, r->status);
        if (prefix == "warm_" && (r->status != 200 || r->body != good_answer(name).body)) {
          tally.problem(name + ": " + std::to_string(r->status) + " " + r->body);
        }
        if (prefix == "cold_" && !fault.cold_statuses.contains(r->status)) {
          tally.problem(name + ": unexpected " + std::to_string(r->status) + " " + r->body);
        }
        if (prefix == "cold_" && r->header("Content-Type") != "application/problem+json") {
          tally.problem(name + ": not a problem document: " + r->header("Content-Type"));
        }
      }
      const auto b = request(daemon.port(), "GET", "/v1/sources/cold_breaker", {}, {}, 5s);
      if (b) {
        tally.note("cold_breaker", b->status);
        if (b->status == 503 && b->header("Retry-After").empty()) {
          tally.problem("cold_breaker: 503 without Retry-After");
        }
      }
    }
  };
  std::thread warm_reader(reader, "warm_");
  std::thread cold_reader(reader, "cold_");

  // Long enough for several failed refreshes of every source (one a second).
  const auto run_until = SteadyClock::now() + 6s;
  while (SteadyClock::now() < run_until) {
    std::this_thread::sleep_for(100ms);
  }
  stop = true;
  live_poller.join();
  warm_reader.join();
  cold_reader.join();

  ASSERT_FALSE(daemon.wait_exit(0ms)) << "the daemon died\n" << daemon.output();
  const auto rss_end = rss_kib(daemon.pid());
  ASSERT_TRUE(rss_end);
  std::cout << "/live: " << live_answers.load() << " answers, worst " << live_worst_ms.load()
            << " ms; RSS " << *rss_start << " -> " << *rss_end << " KiB; 10 MB answers: "
            << upstreams["huge"]->count("/warm") + upstreams["huge"]->count("/cold") << "\n";
  for (const auto& [source, counts] : tally.statuses) {
    std::cout << "  " << source << ":";
    for (const auto& [status, count] : counts) {
      std::cout << " " << status << "x" << count;
    }
    std::cout << "\n";
  }
  EXPECT_EQ(live_failures.load(), 0) << "/live did not answer within 1 s";
  EXPECT_GE(live_answers.load(), 50);
  EXPECT_LT(live_worst_ms.load(), 1000);
  for (const auto& text : tally.problems) {
    ADD_FAILURE() << text;
  }
  for (const auto& fault : faults) {
    EXPECT_GE(tally.statuses["warm_" + fault.name][200], 3) << fault.name;
    int cold_answers = 0;
    for (const auto& [status, count] : tally.statuses["cold_" + fault.name]) {
      cold_answers += count;
    }
    EXPECT_GE(cold_answers, 2) << fault.name;
  }
  EXPECT_GE(tally.statuses["cold_breaker"][503], 1) << "the breaker never opened";

  // Memory: the 10 MB answers were refused at the 1 MiB cap, not buffered.
  EXPECT_GE(upstreams["huge"]->count("/warm") + upstreams["huge"]->count("/cold"), 6);
  // AddressSanitizer adds shadow memory and keeps up to 256 MB of freed
  // blocks in quarantine: there only runaway growth can be told apart.
  const std::int64_t limit_kib = daemon_is_sanitized() ? *rss_start + 400 * 1024 : 64 * 1024;
  EXPECT_LT(*rss_end, limit_kib) << "RSS at start " << *rss_start << " KiB";

  // The metrics tell the story: failed refreshes by source and outcome, reads
  // answered stale, and the breaker that opened.
  const auto metrics = request(daemon.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  const auto& text = metrics->body;
  for (const auto& fault : faults) {
    for (const std::string prefix : {"warm_", "cold_"}) {
      const auto failed =
          metric_value(text, "homectl_source_requests_total",
                       {{"source", prefix + fault.name}, {"outcome", fault.outcome}});
      ASSERT_TRUE(failed) << prefix << fault.name << "\n" << text;
      EXPECT_GE(*failed, 2) << prefix << fault.name;
      const auto why = metric_value(text, "homectl_source_failures_total",
                                    {{"source", prefix + fault.name}, {"reason", fault.reason}});
      ASSERT_TRUE(why) << prefix << fault.name << ": no failures with reason " << fault.reason;
      EXPECT_GE(*why, 2) << prefix << fault.name;
    }
    const auto stale = metric_value(text, "homectl_cache_lookups_total",
                                    {{"source", "warm_" + fault.name}, {"result", "stale"}});
    ASSERT_TRUE(stale) << fault.name;
    EXPECT_GE(*stale, 1) << fault.name;
    const auto misses = metric_value(text, "homectl_cache_lookups_total",
                                     {{"source", "cold_" + fault.name}, {"result", "miss"}});
    ASSERT_TRUE(misses) << fault.name;
    EXPECT_GE(*misses, 2) << fault.name;
  }
  const auto flap_ok = metric_value(text, "homectl_source_requests_total",
                                    {{"source", "warm_flap"}, {"outcome", "ok"}});
  ASSERT_TRUE(flap_ok);
  EXPECT_GE(*flap_ok, 2);
  const auto refused = metric_value(text, "homectl_source_requests_total",
                                    {{"source", "cold_breaker"}, {"outcome", "breaker_open"}});
  ASSERT_TRUE(refused) << text;
  EXPECT_GE(*refused, 1);
  const auto breaker = metric_value(text, "homectl_breaker_state", {{"source", "cold_breaker"}});
  ASSERT_TRUE(breaker);
  EXPECT_GE(*breaker, 1) << "open (2) or half-open (1) after repeated failures";
  const auto healthy_breaker =
      metric_value(text, "homectl_breaker_state", {{"source", "warm_flap"}});
  ASSERT_TRUE(healthy_breaker);
  EXPECT_EQ(*healthy_breaker, 0);

  // The log names the source and the failure, once per failed refresh.
  const auto output = daemon.output();
  for (const auto& fault : faults) {
    for (const std::string prefix : {"warm_", "cold_"}) {
      const auto lines = log_lines(output, "source refresh failed",
                                   {{"source", prefix + fault.name}, {"outcome", fault.outcome}});
      ASSERT_FALSE(lines.empty()) << prefix << fault.name << "\n" << output.substr(0, 4000);
      EXPECT_EQ(lines.front().value("level", ""), "warn");
      EXPECT_EQ(lines.front().value("reason", ""), fault.reason) << prefix << fault.name;
      const auto error = lines.front().value("error", "");
      EXPECT_NE(error.find(fault.error_part), std::string::npos)
          << prefix << fault.name << ": " << error;
    }
  }
  EXPECT_FALSE(
      log_lines(output, "circuit breaker changed", {{"source", "cold_breaker"}, {"to", "open"}})
          .empty());
  EXPECT_EQ(output.find("\"level\":\"error\""), std::string::npos) << output.substr(0, 4000);
}

} // namespace
} // namespace homectl::test
