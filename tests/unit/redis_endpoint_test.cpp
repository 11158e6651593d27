#include "homectl/redis/endpoint.hpp"

#include <gtest/gtest.h>

namespace homectl::redis {
namespace {

Endpoint parse_ok(const std::string& url) {
  auto result = parse_url(url);
  EXPECT_TRUE(result.ok()) << url << ": " << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : Endpoint{};
}

std::string parse_error(const std::string& url) {
  auto result = parse_url(url);
  EXPECT_FALSE(result.ok()) << url;
  return result.ok() ? "" : result.error().message;
}

TEST(RedisEndpoint, ParsesHostPortAndDefaults) {
  auto ep = parse_ok("redis://cache.lan");
  EXPECT_EQ(ep.kind, Endpoint::Kind::tcp);
  EXPECT_EQ(ep.host, "cache.lan");
  EXPECT_EQ(ep.port, 6379);
  EXPECT_EQ(ep.db, 0);
  EXPECT_TRUE(ep.user.empty());
  EXPECT_TRUE(ep.password.empty());

  ep = parse_ok("redis://127.0.0.1:6380/2");
  EXPECT_EQ(ep.host, "127.0.0.1");
  EXPECT_EQ(ep.port, 6380);
  EXPECT_EQ(ep.db, 2);
  EXPECT_EQ(parse_ok("redis://h:1/").db, 0);
}

TEST(RedisEndpoint, ParsesUserPasswordAndPercentEscapes) {
  auto ep = parse_ok("redis://homectl:p%40ss%3Aw%2Frd@10.0.0.5:7000/1");
  EXPECT_EQ(ep.user, "homectl");
  EXPECT_EQ(ep.password, "p@ss:w/rd");
  EXPECT_EQ(ep.host, "10.0.0.5");
  EXPECT_EQ(ep.port, 7000);
  EXPECT_EQ(ep.db, 1);

  ep = parse_ok("redis://:secret@h");
  EXPECT_EQ(ep.user, "");
  EXPECT_EQ(ep.password, "secret");
  EXPECT_EQ(parse_ok("redis://secret@h").password, "secret") << "password-only shorthand";
}

TEST(RedisEndpoint, ParsesIpv6Literals) {
  auto ep = parse_ok("redis://[::1]:6390/4");
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, 6390);
  EXPECT_EQ(ep.db, 4);
  EXPECT_EQ(parse_ok("redis://[fe80::1]").port, 6379);
  EXPECT_EQ(ep.describe(), "redis://[::1]:6390/4");
}

TEST(RedisEndpoint, ParsesUnixSockets) {
  auto ep = parse_ok("unix:///run/redis/redis.sock");
  EXPECT_EQ(ep.kind, Endpoint::Kind::unix_socket);
  EXPECT_EQ(ep.path, "/run/redis/redis.sock");
  EXPECT_EQ(ep.db, 0);

  ep = parse_ok("unix://:pw@/run/redis.sock?db=5");
  EXPECT_EQ(ep.path, "/run/redis.sock");
  EXPECT_EQ(ep.password, "pw");
  EXPECT_EQ(ep.db, 5);
  EXPECT_EQ(ep.describe(), "unix://:***@/run/redis.sock?db=5");
}

TEST(RedisEndpoint, DescribeRedactsThePassword) {
  EXPECT_EQ(parse_ok("redis://u:hunter2@h:1/3").describe(), "redis://u:***@h:1/3");
  EXPECT_EQ(parse_ok("redis://:hunter2@h").describe(), "redis://:***@h:6379");
  EXPECT_EQ(parse_ok("redis://h").describe(), "redis://h:6379");
}

TEST(RedisEndpoint, RejectsBadUrlsWithClearMessages) {
  const std::string example =
      " (e.g. redis://:password@127.0.0.1:6379/0 or unix:///run/redis.sock)";
  EXPECT_EQ(parse_error("localhost:6379"), "redis.url: \"localhost:6379\" is not a URL" + example);
  EXPECT_EQ(parse_error("http://h"),
            "redis.url: unsupported scheme \"http\" (expected redis:// or unix://)" + example);
  EXPECT_EQ(parse_error("rediss://h"),
            "redis.url: TLS (rediss://) is not supported by this client; use redis:// on a "
            "trusted network or a unix socket" +
                example);
  EXPECT_EQ(parse_error("redis://"), "redis.url: the host is missing" + example);
  EXPECT_EQ(parse_error("redis://h:0"),
            "redis.url: port \"0\" is not a number from 1 to 65535" + example);
  EXPECT_EQ(parse_error("redis://h:70000"),
            "redis.url: port \"70000\" is not a number from 1 to 65535" + example);
  EXPECT_EQ(parse_error("redis://h:x"),
            "redis.url: port \"x\" is not a number from 1 to 65535" + example);
  EXPECT_EQ(parse_error("redis://h/abc"),
            "redis.url: database \"abc\" is not a non-negative number" + example);
  EXPECT_EQ(parse_error("redis://h/-1"),
            "redis.url: database \"-1\" is not a non-negative number" + example);
  EXPECT_EQ(parse_error("redis://[::1"), "redis.url: unterminated IPv6 address \"[::1\"" + example);
  EXPECT_EQ(parse_error("redis://h?timeout=1"),
            "redis.url: query parameters are not supported in \"?timeout=1\"" + example);
  EXPECT_EQ(parse_error("unix://relative.sock"),
            "redis.url: unix socket path \"relative.sock\" must be absolute" + example);
  EXPECT_EQ(parse_error("unix:///s.sock?x=1"),
            "redis.url: unsupported query \"x=1\" (only db=N is known)" + example);
  EXPECT_EQ(parse_error("redis://:%zz@h"),
            "redis.url: malformed %-escape in user or password" + example);
}

TEST(RedisEndpoint, ErrorsNeverQuoteThePassword) {
  for (const std::string url :
       {"redis://:s3cr/et@h:99999", "redis://u:s3cr/et@h/x", "redis://:s3cr/et@", "s3cr/et@h",
        "redis://:s3cr/et@h?q", "redis:u:s3cr/et@h"}) {
    auto message = parse_error(url);
    EXPECT_EQ(message.find("s3cr"), std::string::npos) << url << " -> " << message;
  }
}

} // namespace
} // namespace homectl::redis
