// util/url: the one parser of http(s) and Redis URLs (the runtime and config
// validation both call it), the one redaction, loopback and notifier hosts.
#include "homectl/util/url.hpp"

#include <gtest/gtest.h>

namespace homectl::util {
namespace {

std::string error_of(const Result<HttpUrl>& r) {
  return r.ok() ? std::string("(ok)") : r.error().message;
}

RedisUrl redis_ok(const std::string& url) {
  auto result = parse_redis_url(url);
  EXPECT_TRUE(result.ok()) << url << ": " << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : RedisUrl{};
}

std::string redis_error(const std::string& url) {
  auto result = parse_redis_url(url);
  EXPECT_FALSE(result.ok()) << url;
  return result.ok() ? "" : result.error().message;
}

TEST(UrlPercentDecode, IsStrict) {
  EXPECT_EQ(percent_decode("p%40ss%3a"), "p@ss:");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%"), std::nullopt);
}

TEST(UrlLoopback, IsAnAddressIn127Slash8OrColonColon1OrExactlyLocalhost) {
  for (const char* host : {"localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"127.evil.example", "localhost.evil.example", "127.0.0.1.nip.io",
                           "ip6-localhost", "128.0.0.1", "::2", "0.0.0.0", "", "[::1", "evil"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(UrlAuthority, SplitsUserinfoHostAndPort) {
  auto a = parse_authority("u:p@ss@Host.lan:8123");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->userinfo, "u:p@ss");
  EXPECT_EQ(a->host, "Host.lan");
  EXPECT_EQ(a->port, 8123);
  auto v6 = parse_authority("[fe80::1]");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->bracketed);
  EXPECT_EQ(v6->host, "fe80::1");
  EXPECT_EQ(v6->port, std::nullopt);
  EXPECT_EQ(parse_authority("").error().message, "no host");
  EXPECT_EQ(parse_authority(":80").error().message, "no host");
  EXPECT_EQ(parse_authority("h:").error().message, "port \"\" is not a number from 1 to 65535");
  EXPECT_EQ(parse_authority("h:0").error().message, "port \"0\" is not a number from 1 to 65535");
  EXPECT_EQ(parse_authority("[::1").error().message, "unterminated IPv6 address \"[::1\"");
  EXPECT_EQ(parse_authority("[nope]").error().message, "bad IPv6 host \"nope\"");
  EXPECT_EQ(parse_authority("[::1]x").error().message, "unexpected \"x\" after the IPv6 address");
  EXPECT_EQ(parse_authority("::1").error().message,
            "IPv6 addresses need brackets (e.g. [::1]:8080)");
  EXPECT_EQ(parse_authority("bad host").error().message, "bad host \"bad host\"");
  EXPECT_FALSE(parse_authority("-lead").ok());
}

TEST(HttpUrl, ParsesSchemeHostPortTarget) {
  auto u = parse_http_url("https://API.Example.com/v1/forecast?lat=52.5&lon=13.4#frag");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v1/forecast?lat=52.5&lon=13.4");
  EXPECT_FALSE(u->host_is_ip());
  EXPECT_EQ(u->authority(), "api.example.com:443");

  auto p = parse_http_url("HTTP://plug.lan:8081");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->tls);
  EXPECT_EQ(p->port, 8081);
  EXPECT_EQ(p->target, "/");
  EXPECT_EQ(parse_http_url("http://h?x=1")->target, "/?x=1");
}

TEST(HttpUrl, IpLiterals) {
  auto v6 = parse_http_url("http://[::1]:9000/x");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(v6->host_is_ip());
  EXPECT_EQ(v6->authority(), "[::1]:9000");
  auto v4 = parse_http_url("https://127.0.0.1/");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->host_is_ip());
}

TEST(HttpUrl, UserinfoIsDecodedAndNeverShown) {
  auto u = parse_http_url("http://admin:p%40ss@plug.lan/rpc?token=abc&id=0");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->username, "admin");
  EXPECT_EQ(u->password, "p@ss");
  EXPECT_EQ(u->redacted(), "http://plug.lan/rpc?token=<redacted>&id=<redacted>");
  EXPECT_EQ(error_of(parse_http_url("http://admin:p%zz@plug.lan/")),
            "\"http://<redacted>@plug.lan/\" is not a URL: malformed %-escape in the user or "
            "password");
}

TEST(HttpUrl, ErrorsNameTheProblemWithoutSecrets) {
  const std::string example = " (e.g. https://api.example.com/data)";
  EXPECT_EQ(error_of(parse_http_url("ftp://u:secret@host/x?key=hidden")),
            R"("ftp://<redacted>@host/x?key=<redacted>" is not an http or https URL)" + example);
  EXPECT_EQ(error_of(parse_http_url("plug.lan/x")), R"("plug.lan/x" is not a URL)" + example);
  EXPECT_EQ(error_of(parse_http_url("http://h:70000/")),
            R"("http://h:70000/" is not a URL: port "70000" is not a number from 1 to 65535)");
  EXPECT_EQ(error_of(parse_http_url("http:///x")),
            R"("http:///x" is not a URL: no host)" + example);
  EXPECT_EQ(error_of(parse_http_url("")), "empty value is not a URL" + example);
  EXPECT_EQ(error_of(parse_http_url("http://h/a b")),
            R"("http://h/a b" is not a URL: it contains white space or control characters)");
  for (const char* bad : {"http://h:/", "http://::1/", "http://[::1/", "http://h/a\r\nX: y",
                          "http://bad host/", "http://[::1]x/", "http://u@/"}) {
    EXPECT_FALSE(parse_http_url(bad).ok()) << bad;
  }
}

TEST(RedisUrl, ParsesHostPortAndDefaults) {
  auto ep = redis_ok("redis://cache.lan");
  EXPECT_EQ(ep.kind, RedisUrl::Kind::tcp);
  EXPECT_EQ(ep.host, "cache.lan");
  EXPECT_EQ(ep.port, 6379);
  EXPECT_EQ(ep.db, 0);
  EXPECT_TRUE(ep.user.empty());
  EXPECT_TRUE(ep.password.empty());

  ep = redis_ok("redis://127.0.0.1:6380/2");
  EXPECT_EQ(ep.host, "127.0.0.1");
  EXPECT_EQ(ep.port, 6380);
  EXPECT_EQ(ep.db, 2);
  EXPECT_EQ(redis_ok("redis://h:1/").db, 0);
}

TEST(RedisUrl, ParsesUserPasswordAndPercentEscapes) {
  auto ep = redis_ok("redis://homectl:p%40ss%3Aw%2Frd@10.0.0.5:7000/1");
  EXPECT_EQ(ep.user, "homectl");
  EXPECT_EQ(ep.password, "p@ss:w/rd");
  EXPECT_EQ(ep.host, "10.0.0.5");
  EXPECT_EQ(ep.port, 7000);
  EXPECT_EQ(ep.db, 1);

  ep = redis_ok("redis://:secret@h");
  EXPECT_EQ(ep.user, "");
  EXPECT_EQ(ep.password, "secret");
  EXPECT_EQ(redis_ok("redis://secret@h").password, "secret") << "password-only shorthand";
}

TEST(RedisUrl, ParsesIpv6Literals) {
  auto ep = redis_ok("redis://[::1]:6390/4");
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, 6390);
  EXPECT_EQ(ep.db, 4);
  EXPECT_EQ(redis_ok("redis://[fe80::1]").port, 6379);
  EXPECT_EQ(ep.describe(), "redis://[::1]:6390/4");
}

TEST(RedisUrl, ParsesUnixSockets) {
  auto ep = redis_ok("unix:///run/redis/redis.sock");
  EXPECT_EQ(ep.kind, RedisUrl::Kind::unix_socket);
  EXPECT_EQ(ep.path, "/run/redis/redis.sock");
  EXPECT_EQ(ep.db, 0);

  ep = redis_ok("unix://:pw@/run/redis.sock?db=5");
  EXPECT_EQ(ep.path, "/run/redis.sock");
  EXPECT_EQ(ep.password, "pw");
  EXPECT_EQ(ep.db, 5);
  EXPECT_EQ(ep.describe(), "unix://<redacted>@/run/redis.sock?db=5");
}

TEST(RedisUrl, DescribeRedactsTheUserinfoLikeEveryOtherUrl) {
  EXPECT_EQ(redis_ok("redis://u:hunter2@h:1/3").describe(), "redis://<redacted>@h:1/3");
  EXPECT_EQ(redis_ok("redis://:hunter2@h").describe(), "redis://<redacted>@h:6379");
  EXPECT_EQ(redis_ok("redis://h").describe(), "redis://h:6379");
}

TEST(RedisUrl, RejectsBadUrlsWithClearMessages) {
  const std::string example =
      " (e.g. redis://:password@127.0.0.1:6379/0 or unix:///run/redis.sock)";
  const std::string invalid = "the Redis URL is invalid: ";
  EXPECT_EQ(redis_error("localhost:6379"),
            invalid + "it does not start with redis:// or unix://" + example);
  EXPECT_EQ(redis_error("http://h"),
            invalid + "unsupported scheme \"http\" (expected redis:// or unix://)" + example);
  EXPECT_EQ(redis_error("rediss://h"),
            "the Redis URL uses TLS (rediss://), which is not supported; use redis:// on a "
            "trusted network or a unix socket");
  EXPECT_EQ(redis_error("redis://"), invalid + "no host" + example);
  EXPECT_EQ(redis_error("redis://h:0"),
            invalid + "port \"0\" is not a number from 1 to 65535" + example);
  EXPECT_EQ(redis_error("redis://h:x"),
            invalid + "port \"x\" is not a number from 1 to 65535" + example);
  EXPECT_EQ(redis_error("redis://h/abc"),
            invalid + "database \"abc\" is not a non-negative number" + example);
  EXPECT_EQ(redis_error("redis://h/-1"),
            invalid + "database \"-1\" is not a non-negative number" + example);
  EXPECT_EQ(redis_error("redis://[::1"), invalid + "unterminated IPv6 address \"[::1\"" + example);
  EXPECT_EQ(redis_error("redis://h?timeout=1"),
            invalid + "query parameters are not supported" + example);
  EXPECT_EQ(redis_error("unix://relative.sock"),
            invalid + "the socket path must be absolute" + example);
  EXPECT_EQ(redis_error("unix:///s.sock?x=1"),
            invalid + "the only query a socket URL takes is db=N" + example);
  EXPECT_EQ(redis_error("redis://:p%zz@h"),
            invalid + "malformed %-escape in the user or password" + example);
}

TEST(RedisUrl, ErrorsNeverQuoteThePassword) {
  for (const std::string url :
       {"redis://:s3cr/et@h:99999", "redis://u:s3cr/et@h/x", "redis://:s3cr/et@", "s3cr/et@h",
        "redis://:s3cr/et@h?q", "redis:u:s3cr/et@h", "unix://:s3cr/et@relative",
        "unix://:s3cr%zz@/s.sock", "redis://:s3cr%zz@h"}) {
    auto message = redis_error(url);
    EXPECT_EQ(message.find("s3cr"), std::string::npos) << url << " -> " << message;
  }
}

TEST(UrlRedaction, OneFormatForEveryUrl) {
  EXPECT_EQ(redact_url("https://u:p@api.example/v1?key=abc&flag#frag"),
            "https://<redacted>@api.example/v1?key=<redacted>&<redacted>#<redacted>");
  EXPECT_EQ(redact_url("http://plug.lan/rpc"), "http://plug.lan/rpc");
  EXPECT_EQ(redact_url("http://plug.lan:8080/rpc?"), "http://plug.lan:8080/rpc?");
  EXPECT_EQ(redact_url("http://h/?a=1&&b="), "http://h/?a=<redacted>&&b=<redacted>");
  EXPECT_EQ(redact_url("redis://:pw@h:6379/0"), "redis://<redacted>@h:6379/0");
  EXPECT_EQ(redact_url("u:pw@h/x"), "<redacted>@h/x") << "no scheme: still no userinfo";
  EXPECT_EQ(redact_url("http://a@b@h/"), "http://<redacted>@h/");
  EXPECT_EQ(redact_url(""), "");
  EXPECT_EQ(redact_url("https://ha.lan:8123/api/webhook/s3cret?x=1", UrlPath::secret),
            "https://ha.lan:8123/<redacted>?x=<redacted>");
  EXPECT_EQ(redact_url("https://ntfy.sh/", UrlPath::secret), "https://ntfy.sh/");
  EXPECT_EQ(redact_url("https://ntfy.sh", UrlPath::secret), "https://ntfy.sh");
}

TEST(UrlHostLabel, IsHostAndPortAsWritten) {
  EXPECT_EQ(url_host_label("https://u:p@HA.lan:8123/api/webhook/secret?x=1"), "ha.lan:8123");
  EXPECT_EQ(url_host_label("https://ntfy.sh/topic"), "ntfy.sh");
  EXPECT_EQ(url_host_label("http://[::1]:8080/"), "[::1]:8080");
  EXPECT_EQ(url_host_label("http://bad host/"), "");
  EXPECT_EQ(url_host_label("no-scheme/x"), "");
  EXPECT_EQ(url_host_label("http:///x"), "");
}

} // namespace
} // namespace homectl::util
