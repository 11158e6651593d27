#include "homectl/config/values.hpp"

#include <gtest/gtest.h>

namespace homectl::config {
namespace {

using namespace std::chrono_literals;

template <typename T>
std::string error_of(const Result<T>& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

TEST(ConfigValues, ParsesDurations) {
  EXPECT_EQ(*parse_duration("250ms"), 250ms);
  EXPECT_EQ(*parse_duration("5s"), 5s);
  EXPECT_EQ(*parse_duration("15m"), 15min);
  EXPECT_EQ(*parse_duration("1h30m"), 90min);
  EXPECT_EQ(*parse_duration("2d"), 48h);
  EXPECT_EQ(*parse_duration("1d2h3m4s5ms"), 26h + 3min + 4s + 5ms);
  EXPECT_EQ(*parse_duration("0s"), 0ms);
  EXPECT_EQ(*parse_duration("90s"), 90s);
}

TEST(ConfigValues, RejectsBadDurationsWithExactMessages) {
  EXPECT_EQ(error_of(parse_duration("abc")), R"("abc" is not a duration (e.g. 30s, 5m))");
  EXPECT_EQ(error_of(parse_duration("")), "empty value is not a duration (e.g. 30s, 5m)");
  EXPECT_EQ(error_of(parse_duration("30")), R"("30" is not a duration: add a unit (e.g. 30s))");
  EXPECT_EQ(error_of(parse_duration("-5s")),
            R"("-5s" is not a duration: negative durations are not allowed)");
  EXPECT_EQ(error_of(parse_duration("5x")),
            R"("5x" is not a duration: unknown unit "x" (use ms, s, m, h, d))");
  EXPECT_EQ(error_of(parse_duration("1.5s")),
            R"("1.5s" is not a duration: use whole numbers of a smaller unit (e.g. 1s500ms))");
  EXPECT_EQ(error_of(parse_duration("30m1h")),
            R"("30m1h" is not a duration: units must go from largest to smallest (e.g. 1h30m))");
  EXPECT_EQ(error_of(parse_duration("5s5s")),
            R"("5s5s" is not a duration: units must go from largest to smallest (e.g. 1h30m))");
  EXPECT_EQ(error_of(parse_duration("1h30")),
            R"("1h30" is not a duration: the last number has no unit)");
  EXPECT_EQ(error_of(parse_duration("99999999999999999999s")),
            R"("99999999999999999999s" is too large for a duration)");
  EXPECT_EQ(error_of(parse_duration("106751991168d")),
            R"("106751991168d" is too large for a duration)");
  EXPECT_EQ(error_of(parse_duration(" 5s")), R"(" 5s" is not a duration (e.g. 30s, 5m))");
}

TEST(ConfigValues, DurationOrOff) {
  EXPECT_FALSE(parse_duration_or_off("off")->has_value());
  EXPECT_EQ(**parse_duration_or_off("5m"), 5min);
  EXPECT_EQ(error_of(parse_duration_or_off("never")),
            R"("never" is not a duration or "off" (e.g. 30s, 5m))");
}

TEST(ConfigValues, FormatsDurations) {
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(48h), "2d");
  EXPECT_EQ(format_duration(1s + 500ms), "1s500ms");
  for (const auto* text : {"1d2h3m4s5ms", "15m", "1h30m", "250ms"}) {
    EXPECT_EQ(format_duration(*parse_duration(text)), text);
  }
}

TEST(ConfigValues, ParsesSizes) {
  EXPECT_EQ(*parse_size("512"), 512U);
  EXPECT_EQ(*parse_size("64KiB"), 64U * 1024);
  EXPECT_EQ(*parse_size("10MB"), 10U * 1000 * 1000);
  EXPECT_EQ(*parse_size("2GiB"), 2ULL * 1024 * 1024 * 1024);
  EXPECT_EQ(*parse_size("1KB"), 1000U);
  EXPECT_EQ(*parse_size("7B"), 7U);
  EXPECT_EQ(error_of(parse_size("10XB")),
            R"("10XB" is not a size: unknown unit "XB" (use B, KB, MB, GB, KiB, MiB, GiB))");
  EXPECT_EQ(error_of(parse_size("-1")), R"("-1" is not a size: negative sizes are not allowed)");
  EXPECT_EQ(error_of(parse_size("")), "empty value is not a size (e.g. 512, 64KiB, 10MB)");
  EXPECT_EQ(error_of(parse_size("big")), R"("big" is not a size (e.g. 512, 64KiB, 10MB))");
  EXPECT_EQ(error_of(parse_size("99999999999GiB")), R"("99999999999GiB" is too large for a size)");
  EXPECT_EQ(error_of(parse_size("1.5MiB")),
            R"("1.5MiB" is not a size: use a whole number of a smaller unit)");
  EXPECT_EQ(format_size(64 * 1024), "64KiB");
  EXPECT_EQ(format_size(10 * 1024 * 1024), "10MiB");
  EXPECT_EQ(format_size(1000), "1000");
}

TEST(ConfigValues, ParsesRates) {
  EXPECT_EQ(*parse_rate("20/s"), (Rate{20, 1000ms}));
  EXPECT_EQ(*parse_rate("60/m"), (Rate{60, 60'000ms}));
  EXPECT_EQ(*parse_rate("1000/h"), (Rate{1000, 3'600'000ms}));
  EXPECT_DOUBLE_EQ(parse_rate("60/m")->per_second(), 1.0);
  EXPECT_FALSE(parse_rate_or_off("off")->has_value());
  EXPECT_EQ(error_of(parse_rate("abc")), R"("abc" is not a rate (e.g. 20/s, 60/m, 1000/h))");
  EXPECT_EQ(error_of(parse_rate("20/w")),
            R"("20/w" is not a rate: unknown period "w" (use s, m, h, d))");
  EXPECT_EQ(error_of(parse_rate("0/s")),
            R"("0/s" is not a rate: the count must be positive (use "off" for unlimited))");
  EXPECT_EQ(error_of(parse_rate("-1/s")), R"("-1/s" is not a rate: the count must be positive)");
  EXPECT_EQ(error_of(parse_rate("99999999999/s")), R"("99999999999/s" is too large for a rate)");
  EXPECT_EQ(format_rate(Rate{60, 60'000ms}), "60/m");
}

TEST(ConfigValues, ParsesListenAddresses) {
  EXPECT_EQ(*parse_listen("127.0.0.1:8080"), (ListenAddress{"127.0.0.1", 8080}));
  EXPECT_EQ(*parse_listen("[::1]:9000"), (ListenAddress{"::1", 9000}));
  EXPECT_EQ(*parse_listen("localhost:1"), (ListenAddress{"localhost", 1}));
  EXPECT_EQ(*parse_listen("0.0.0.0:0"), (ListenAddress{"0.0.0.0", 0})); // 0 = any free port
  EXPECT_EQ(
      error_of(parse_listen("localhost")),
      R"("localhost" is not a listen address: missing port (e.g. 127.0.0.1:8080 or [::1]:8080))");
  EXPECT_EQ(
      error_of(parse_listen("::1:8080")),
      R"("::1:8080" is not a listen address: put IPv6 addresses in brackets (e.g. [::1]:8080))");
  EXPECT_EQ(
      error_of(parse_listen("host:70000")),
      R"("host:70000" is not a listen address: port "70000" is not a number from 1 to 65535 (or 0 for any free port))");
  EXPECT_EQ(
      error_of(parse_listen("bad host:80")),
      R"("bad host:80" is not a listen address: "bad host" is not a host name or IP address)");
  EXPECT_EQ(format_listen(ListenAddress{"::1", 80}), "[::1]:80");
  EXPECT_EQ(format_listen(ListenAddress{"127.0.0.1", 8080}), "127.0.0.1:8080");
}

TEST(ConfigValues, ParsesHttpUrls) {
  EXPECT_TRUE(parse_http_url("https://api.example.com/v1?x=1").ok());
  EXPECT_TRUE(parse_http_url("http://[::1]:8080/x").ok());
  EXPECT_TRUE(parse_http_url("http://user:pw@plug.lan/rpc").ok());
  EXPECT_EQ(error_of(parse_http_url("ftp://x/y")),
            R"("ftp://x/y" is not an http or https URL (e.g. https://api.example.com/data))");
  EXPECT_EQ(error_of(parse_http_url("example.com")),
            R"("example.com" is not a URL (e.g. https://api.example.com/data))");
  EXPECT_EQ(error_of(parse_http_url("http://")),
            R"("http://" is not a URL: no host (e.g. https://api.example.com/data))");
  EXPECT_EQ(error_of(parse_http_url("http://h:99999/")),
            R"("http://h:99999/" is not a URL: port "99999" is not a number from 1 to 65535)");
  // Messages never quote userinfo or query values.
  EXPECT_EQ(
      error_of(parse_http_url("ftp://u:hunter2@h/?key=hunter2")),
      R"("ftp://<redacted>@h/?key=<redacted>" is not an http or https URL (e.g. https://api.example.com/data))");
}

TEST(ConfigValues, ParsesRedisUrlsWithoutQuotingThem) {
  EXPECT_TRUE(parse_redis_url("redis://127.0.0.1:6379/0").ok());
  EXPECT_TRUE(parse_redis_url("redis://:pw@localhost").ok());
  EXPECT_TRUE(parse_redis_url("redis://user:pw@[::1]:6380/2").ok());
  EXPECT_TRUE(parse_redis_url("unix:///run/redis/redis.sock").ok());
  const std::string example =
      " (e.g. redis://:password@127.0.0.1:6379/0 or unix:///run/redis.sock)";
  EXPECT_EQ(error_of(parse_redis_url("http://:hunter2@host")),
            "the Redis URL is invalid: unsupported scheme \"http\" (expected redis:// or "
            "unix://)" +
                example);
  EXPECT_EQ(error_of(parse_redis_url("redis://:hunter2@host:abc")),
            "the Redis URL is invalid: port \"abc\" is not a number from 1 to 65535" + example);
  EXPECT_EQ(error_of(parse_redis_url("redis://:hunter2@host/x")),
            "the Redis URL is invalid: database \"x\" is not a non-negative number" + example);
  // What the Redis client refuses, validation refuses: "valid" means "will work".
  EXPECT_EQ(error_of(parse_redis_url("redis://:p%zz@host")),
            "the Redis URL is invalid: malformed %-escape in the user or password" + example);
  EXPECT_EQ(error_of(parse_redis_url("unix://relative")),
            "the Redis URL is invalid: the socket path must be absolute" + example);
}

TEST(ConfigValues, ChecksJsonPointersAndSourceNames) {
  EXPECT_TRUE(parse_json_pointer("").ok());
  EXPECT_TRUE(parse_json_pointer("/a/b~1c/~0").ok());
  EXPECT_EQ(error_of(parse_json_pointer("current")),
            R"("current" is not a JSON Pointer: it must start with "/" (e.g. "/current"))");
  EXPECT_EQ(
      error_of(parse_json_pointer("/a~2")),
      R"("/a~2" is not a JSON Pointer: "~" must be followed by 0 or 1 (~0 is "~", ~1 is "/"))");
  EXPECT_TRUE(parse_source_name("weather").ok());
  EXPECT_TRUE(parse_source_name("my-api_2").ok());
  EXPECT_TRUE(parse_source_name(std::string(64, 'a')).ok());
  EXPECT_FALSE(parse_source_name(std::string(65, 'a')).ok());
  EXPECT_FALSE(parse_source_name("-x").ok());
  EXPECT_FALSE(parse_source_name("").ok());
  EXPECT_EQ(
      error_of(parse_source_name("Weather")),
      R"("Weather" is not a valid source name: use 1-64 characters a-z, 0-9, "_" or "-", starting with a letter or digit)");
}

} // namespace
} // namespace homectl::config
