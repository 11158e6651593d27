#include "homectl/http/inbound_limiter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace homectl::http {
namespace {

using namespace std::chrono_literals;

config::LimitsConfig limits(std::uint32_t per_minute, int burst) {
  config::LimitsConfig l;
  l.default_class = {config::Rate{per_minute, config::Duration{60'000}}, burst};
  l.refresh = {config::Rate{60, config::Duration{60'000}}, 30};
  return l;
}

TEST(InboundLimiter, AllowsTheBurstThenLimitsWithRetryAfter) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 3)); // one token per 10 s
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.check("10.0.0.1", RouteClass::read).limited) << i;
  }
  const auto d = limiter.check("10.0.0.1", RouteClass::read);
  EXPECT_TRUE(d.limited);
  EXPECT_EQ(d.policy, "default");
  EXPECT_EQ(d.retry_after, 10s);
  EXPECT_EQ(d.quota, 3);
  EXPECT_EQ(d.window, 30s);
  clock.advance(10s);
  EXPECT_FALSE(limiter.check("10.0.0.1", RouteClass::read).limited);
}

TEST(InboundLimiter, ClientsAndClassesHaveSeparateBuckets) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 1));
  EXPECT_FALSE(limiter.check("a", RouteClass::read).limited);
  EXPECT_TRUE(limiter.check("a", RouteClass::read).limited);
  EXPECT_FALSE(limiter.check("b", RouteClass::read).limited);
  EXPECT_FALSE(limiter.check("a", RouteClass::refresh).limited);
}

TEST(InboundLimiter, ProbesAndDisabledClassesAreNeverLimited) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, config::LimitsConfig{}); // default class off by default
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(limiter.check("a", RouteClass::probe).limited);
    ASSERT_FALSE(limiter.check("a", RouteClass::read).limited);
  }
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(InboundLimiter, IdleBucketsExpireSoMemoryStaysBounded) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(60, 2));
  for (int i = 0; i < 500; ++i) {
    limiter.check("client-" + std::to_string(i), RouteClass::read);
  }
  EXPECT_EQ(limiter.tracked(), 500u);
  clock.advance(11s); // every bucket is full again and the sweep is due
  limiter.check("fresh", RouteClass::read);
  EXPECT_EQ(limiter.tracked(), 1u);
}

TEST(InboundLimiter, ReconfigureDropsBucketsOfChangedClassesOnly) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 1));
  limiter.check("a", RouteClass::read);
  limiter.check("a", RouteClass::refresh);
  EXPECT_TRUE(limiter.check("a", RouteClass::read).limited);
  limiter.configure(limits(6, 5));
  EXPECT_EQ(limiter.tracked(), 1u); // the refresh bucket stays
  EXPECT_FALSE(limiter.check("a", RouteClass::read).limited);
  const auto state = limiter.state();
  EXPECT_EQ(state["default"]["burst"], 5);
  EXPECT_EQ(state["refresh"]["tracked_clients"], 1);
}

TEST(InboundLimiter, TooManyRequestsCarriesTheDraftHeaders) {
  InboundLimiter::Decision d;
  d.limited = true;
  d.policy = "refresh";
  d.quota = 30;
  d.window = 30s;
  d.retry_after = 2s;
  const auto r = too_many_requests(d);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("Retry-After"), "2");
  EXPECT_EQ(r.header("RateLimit-Policy"), "\"refresh\";q=30;w=30");
  EXPECT_EQ(r.header("RateLimit"), "\"refresh\";r=0;t=2");
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(*r.body)["detail"],
            "rate limit 'refresh' exceeded for this client; retry in 2 s");
}

} // namespace
} // namespace homectl::http
