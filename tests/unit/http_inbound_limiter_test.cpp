#include "homectl/http/inbound_limiter.hpp"

#include <boost/asio/ip/address.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

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

std::string key_of(const char* address) {
  return limiter_key(boost::asio::ip::make_address(address));
}

TEST(LimiterKey, Ipv4IsTheWholeAddress) {
  EXPECT_EQ(key_of("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(key_of("192.0.2.2"), "192.0.2.2");
}

TEST(LimiterKey, Ipv4MappedIpv6IsItsIpv4Address) {
  EXPECT_EQ(key_of("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(key_of("::ffff:c000:201"), "192.0.2.1");
}

TEST(LimiterKey, Ipv6IsItsSlash64) {
  EXPECT_EQ(key_of("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(key_of("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(key_of("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  EXPECT_EQ(key_of("2001:db8:1:3::1"), "2001:db8:1:3::/64");
  EXPECT_EQ(key_of("2001:db8::1"), "2001:db8::/64");
  EXPECT_EQ(key_of("::1"), "::/64");
  EXPECT_EQ(key_of("fe80::1%1"), "fe80::/64"); // the scope goes with the host part
  EXPECT_EQ(key_of("2001:0:0:1::9"), "2001:0:0:1::/64");
  EXPECT_EQ(key_of("0:0:0:1::9"), "0:0:0:1::/64");
  EXPECT_EQ(key_of("0:0:0:0:1::"), "::/64");
}

TEST(InboundLimiter, AddressesInOneIpv6Slash64ShareABucket) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 1));
  EXPECT_FALSE(limiter.check(key_of("2001:db8:1:2::1"), RouteClass::read).limited);
  EXPECT_TRUE(limiter.check(key_of("2001:db8:1:2:a:b:c:d"), RouteClass::read).limited);
  EXPECT_FALSE(limiter.check(key_of("2001:db8:1:3::1"), RouteClass::read).limited);
  EXPECT_EQ(limiter.tracked(), 2u);
}

TEST(InboundLimiter, MappedIpv4SharesTheBucketOfItsAddress) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 1));
  EXPECT_FALSE(limiter.check(key_of("192.0.2.7"), RouteClass::read).limited);
  EXPECT_TRUE(limiter.check(key_of("::ffff:192.0.2.7"), RouteClass::read).limited);
  EXPECT_FALSE(limiter.check(key_of("192.0.2.8"), RouteClass::read).limited);
}

// 10.0.0.0/8 address number i.
std::string v4(std::size_t i) {
  return "10." + std::to_string((i >> 16) & 0xff) + "." + std::to_string((i >> 8) & 0xff) + "." +
         std::to_string(i & 0xff);
}

TEST(InboundLimiter, AFullTableEvictsTheLeastRecentlySeenClient) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 1)); // one request empties a bucket for 10 s
  const std::size_t full = InboundLimiter::k_max_buckets;
  for (std::size_t i = 0; i < full; ++i) {
    ASSERT_FALSE(limiter.check(v4(i), RouteClass::read).limited) << i;
  }
  ASSERT_EQ(limiter.tracked(), full);
  // Client 0 is seen again, so client 1 is now the least recently seen.
  EXPECT_TRUE(limiter.check(v4(0), RouteClass::read).limited);

  // Each new client takes the place of the least recently seen one.
  for (std::size_t i = full; i < full + 100; ++i) {
    ASSERT_FALSE(limiter.check(v4(i), RouteClass::read).limited) << i;
    ASSERT_EQ(limiter.tracked(), full);
  }
  // Kept, still empty: the newest, client 0, and the oldest not evicted.
  EXPECT_TRUE(limiter.check(v4(full + 99), RouteClass::read).limited);
  EXPECT_TRUE(limiter.check(v4(0), RouteClass::read).limited);
  EXPECT_TRUE(limiter.check(v4(101), RouteClass::read).limited);
  // Evicted, so back with a fresh bucket: clients 1 to 100. Coming back
  // evicts the next oldest in turn, which is 102, 103, ... (101 was just seen).
  EXPECT_FALSE(limiter.check(v4(1), RouteClass::read).limited);
  EXPECT_FALSE(limiter.check(v4(100), RouteClass::read).limited);
  EXPECT_FALSE(limiter.check(v4(102), RouteClass::read).limited);
  EXPECT_EQ(limiter.tracked(), full);
}

TEST(InboundLimiter, RefilledClientsLeaveBeforeAnyoneIsEvicted) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 1)); // an empty bucket is full again after 10 s
  const std::size_t full = InboundLimiter::k_max_buckets;
  for (std::size_t i = 0; i < full / 2; ++i) {
    limiter.check(v4(i), RouteClass::read);
  }
  clock.advance(5s);
  for (std::size_t i = full / 2; i < full; ++i) {
    limiter.check(v4(i), RouteClass::read);
  }
  ASSERT_EQ(limiter.tracked(), full);
  clock.advance(6s); // the first half has refilled, the second has not
  EXPECT_FALSE(limiter.check("192.0.2.1", RouteClass::read).limited);
  EXPECT_EQ(limiter.tracked(), full / 2 + 1);
  EXPECT_TRUE(limiter.check(v4(full / 2), RouteClass::read).limited);
  EXPECT_TRUE(limiter.check(v4(full - 1), RouteClass::read).limited);
}

TEST(InboundLimiter, StateCountsTrackedClientsPerClass) {
  util::ManualClock clock;
  InboundLimiter limiter(clock, limits(6, 1));
  limiter.check("192.0.2.1", RouteClass::read);
  limiter.check("192.0.2.2", RouteClass::read);
  limiter.check("192.0.2.1", RouteClass::refresh);
  auto state = limiter.state();
  EXPECT_EQ(state["default"]["tracked_clients"], 2);
  EXPECT_EQ(state["refresh"]["tracked_clients"], 1);
  clock.advance(11s); // all full again; they leave with the next request
  limiter.check("192.0.2.3", RouteClass::refresh);
  state = limiter.state();
  EXPECT_EQ(state["default"]["tracked_clients"], 0);
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
