#include "homectl/http/client.hpp"
#include "homectl/http/client_url.hpp"
#include "homectl/http/response_reader.hpp"

#include <gtest/gtest.h>

namespace homectl::http {
namespace {

TEST(ClientUrl, ParsesSchemeHostPortTarget) {
  auto u = parse_client_url("https://API.Example.com/v1/forecast?lat=52.5&lon=13.4#frag");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v1/forecast?lat=52.5&lon=13.4");
  EXPECT_FALSE(u->host_is_ip());
  EXPECT_EQ(u->authority(), "api.example.com:443");

  auto p = parse_client_url("http://plug.lan:8081");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->tls);
  EXPECT_EQ(p->port, 8081);
  EXPECT_EQ(p->target, "/");
  EXPECT_EQ(parse_client_url("http://h?x=1")->target, "/?x=1");
}

TEST(ClientUrl, IpLiterals) {
  auto v6 = parse_client_url("http://[::1]:9000/x");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(v6->host_is_ip());
  EXPECT_EQ(v6->authority(), "[::1]:9000");
  auto v4 = parse_client_url("https://127.0.0.1/");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->host_is_ip());
}

TEST(ClientUrl, UserinfoBecomesBasicAuthAndIsNeverShown) {
  auto u = parse_client_url("http://admin:p%40ss@plug.lan/rpc?token=abc&id=0");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->username, "admin");
  EXPECT_EQ(u->password, "p@ss");
  EXPECT_EQ(basic_auth_value(*u), "Basic YWRtaW46cEBzcw==");
  EXPECT_EQ(u->redacted(), "http://plug.lan/rpc?token=***&id=***");
}

TEST(ClientUrl, BasicAuthPadding) {
  ClientUrl u;
  u.username = "a";
  EXPECT_EQ(basic_auth_value(u), "Basic YTo="); // "a:"
  u.username = "ab";
  EXPECT_EQ(basic_auth_value(u), "Basic YWI6"); // "ab:"
  u.username = "abc";
  EXPECT_EQ(basic_auth_value(u), "Basic YWJjOg=="); // "abc:"
}

TEST(ClientUrl, ErrorsNameTheProblemWithoutSecrets) {
  auto e = parse_client_url("ftp://u:secret@host/x?key=hidden");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(
      e.error().message,
      "url \"ftp://***@host/x?key=***\": unsupported scheme \"ftp\" (expected http or https)");
  EXPECT_EQ(parse_client_url("plug.lan/x").error().message,
            "url \"plug.lan/x\": not an absolute URL (expected http:// or https://)");
  EXPECT_EQ(parse_client_url("http://h:70000/").error().message,
            "url \"http://h:70000/\": invalid port \"70000\" (1-65535)");
  EXPECT_EQ(parse_client_url("http:///x").error().message, "url \"http:///x\": missing host");
  EXPECT_FALSE(parse_client_url("http://h:/").ok());
  EXPECT_FALSE(parse_client_url("http://::1/").ok());
  EXPECT_FALSE(parse_client_url("http://[::1/").ok());
  EXPECT_FALSE(parse_client_url("http://h/a b").ok());
  EXPECT_FALSE(parse_client_url("http://h/a\r\nX: y").ok());
  EXPECT_FALSE(parse_client_url("http://bad host/").ok());
}

TEST(ResolveLocation, AbsoluteAndRelativeForms) {
  auto base = *parse_client_url("https://user:pw@a.example/dir/page?q=1");
  auto abs = resolve_location(base, "http://b.example:8080/x");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->host, "b.example");
  EXPECT_FALSE(abs->tls);
  EXPECT_FALSE(abs->has_credentials()) << "credentials never travel to another origin";

  auto scheme_rel = resolve_location(base, "//c.example/y");
  ASSERT_TRUE(scheme_rel.ok());
  EXPECT_TRUE(scheme_rel->tls);
  EXPECT_EQ(scheme_rel->host, "c.example");
  EXPECT_EQ(scheme_rel->target, "/y");

  EXPECT_EQ(resolve_location(base, "/root?z=2")->target, "/root?z=2");
  EXPECT_EQ(resolve_location(base, "other")->target, "/dir/other");
  EXPECT_EQ(resolve_location(base, "../up")->target, "/up");
  EXPECT_EQ(resolve_location(base, "./same/./x")->target, "/dir/same/x");
  EXPECT_EQ(resolve_location(base, "?only=query")->target, "/dir/page?only=query");
  EXPECT_EQ(resolve_location(base, "/a/b/../../../c")->target, "/c");
  EXPECT_EQ(resolve_location(base, "other")->host, "a.example");
  EXPECT_FALSE(resolve_location(base, "").ok());
  EXPECT_FALSE(resolve_location(base, "ftp://x/").ok());
}

TEST(ClientFormat, Sizes) {
  EXPECT_EQ(format_size(1024 * 1024), "1MiB");
  EXPECT_EQ(format_size(64 * 1024), "64KiB");
  EXPECT_EQ(format_size(1500), "1500 bytes");
}

} // namespace
} // namespace homectl::http
