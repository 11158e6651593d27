#pragma once

// Test doubles for the sources unit tests: a scripted Fetcher, helpers to
// drive an io_context until a condition holds (with a deadline, never a sleep)
// and a Service over them.
#include "homectl/config/config.hpp"
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/fetcher.hpp"
#include "homectl/sources/service.hpp"
#include "homectl/util/clock.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace homectl::sources::testing {

// Answers from a script (then `fallback`); with `hold`, every fetch waits until release().
class FakeFetcher final : public Fetcher {
public:
  boost::asio::awaitable<FetchResult> fetch(const config::SourceConfig& source,
                                            cache::Validators known) override {
    ++calls;
    last_source = source.name;
    last_known = std::move(known);
    if (hold) {
      boost::asio::steady_timer gate(co_await boost::asio::this_coro::executor);
      gate.expires_after(std::chrono::hours(1));
      m_gates.push_back(&gate);
      co_await gate.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    if (!script.empty()) {
      auto result = script.front();
      script.pop_front();
      co_return result;
    }
    co_return fallback;
  }

  // Lets every held fetch finish (call while the io_context is not running).
  void release() {
    hold = false;
    for (auto* gate : std::exchange(m_gates, {})) {
      gate->cancel();
    }
  }

  static FetchResult ok(std::string body, std::string content_type = "application/json") {
    FetchResult r;
    r.outcome = FetchOutcome::ok;
    r.status = 200;
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.duration = std::chrono::milliseconds(12);
    r.attempts = 1;
    return r;
  }
  static FetchResult failed(int status, std::string error,
                            FetchOutcome outcome = FetchOutcome::error) {
    FetchResult r;
    r.outcome = outcome;
    r.status = status;
    r.error = std::move(error);
    r.duration = std::chrono::milliseconds(30);
    r.attempts = 3;
    if (outcome == FetchOutcome::timeout) {
      r.reason = "timeout";
    } else if (status >= 500) {
      r.reason = "status_5xx";
    } else if (status >= 400) {
      r.reason = "status_4xx";
    } else if (outcome == FetchOutcome::error) {
      r.reason = "connect";
    }
    return r;
  }

  std::deque<FetchResult> script;
  FetchResult fallback = ok("{\"v\":1}");
  bool hold = false;
  int calls = 0;
  std::string last_source;
  cache::Validators last_known; // what the last fetch could revalidate

private:
  std::vector<boost::asio::steady_timer*> m_gates;
};

// Runs `ctx` until `done()` or a 5 s deadline; true when done.
inline bool run_until(boost::asio::io_context& ctx, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    ctx.restart();
    ctx.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Runs pending handlers without waiting for timers.
inline void run_ready(boost::asio::io_context& ctx) {
  ctx.restart();
  ctx.poll();
}

// Runs one awaitable to completion on `ctx` and returns its value.
template <typename T>
std::optional<T> run_await(boost::asio::io_context& ctx, boost::asio::awaitable<T> op) {
  std::optional<T> out;
  boost::asio::co_spawn(
      ctx, [&]() -> boost::asio::awaitable<void> { out = co_await std::move(op); },
      boost::asio::detached);
  run_until(ctx, [&] { return out.has_value(); });
  return out;
}

// One source with short, round windows: ttl 60 s, swr 60 s, sie 3600 s, on demand.
inline config::SourceConfig make_source(std::string name = "weather") {
  config::SourceConfig s;
  s.name = std::move(name);
  s.url = "http://user:secret@127.0.0.1:9/v1/forecast?key=abc&city=berlin";
  s.policy.ttl = std::chrono::seconds(60);
  s.policy.stale_while_revalidate = std::chrono::seconds(60);
  s.policy.stale_if_error = std::chrono::seconds(3600);
  s.policy.refresh = std::nullopt;
  s.policy.timeout = std::chrono::milliseconds(50);
  s.policy.retries = 0;
  s.policy.breaker_failures = 3;
  s.policy.breaker_open = std::chrono::seconds(10);
  return s;
}

inline config::Config make_config(std::vector<config::SourceConfig> sources) {
  config::Config c;
  c.sources = std::move(sources);
  return c;
}

// A Service over the fakes: a manual clock, a FakeFetcher and its own
// registry, jitter fixed at the middle. Shared by the Service's, its
// metrics' and its routes' tests.
struct ServiceFixture {
  explicit ServiceFixture(std::vector<config::SourceConfig> sources = {make_source()},
                          ServiceOptions options = {})
      : config(make_config(std::move(sources))),
        service(
            ctx.get_executor(), config, fetcher, registry, clock, [] { return 0.5; }, options) {}

  Lookup get(const std::string& name = "weather") { return *run_await(ctx, service.get(name)); }
  // A refresh that waits up to 2 s for its outcome.
  RefreshReport refresh(const std::string& name = "weather") {
    auto trigger = run_await(ctx, service.refresh(name, std::chrono::milliseconds(2000)));
    EXPECT_TRUE(trigger && trigger->known && trigger->report) << name;
    return trigger && trigger->report ? *trigger->report : RefreshReport{};
  }
  // The value of one series in a render (`name` or `name{labels}`), -1 when absent.
  double metric(const std::string& series) const {
    const auto text = registry.render();
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
  }

  boost::asio::io_context ctx;
  util::ManualClock clock;
  metrics::Registry registry;
  FakeFetcher fetcher;
  config::Config config;
  Service service;
};

} // namespace homectl::sources::testing
