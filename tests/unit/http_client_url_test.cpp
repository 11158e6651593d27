#include "homectl/http/client.hpp"
#include "homectl/http/client_url.hpp"
#include "homectl/http/response_reader.hpp"

#include <gtest/gtest.h>

namespace homectl::http {
namespace {

TEST(BasicAuth, FromTheUrlsUserinfo) {
  auto u = util::parse_http_url("http://admin:p%40ss@plug.lan/rpc");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(basic_auth_value(*u), "Basic YWRtaW46cEBzcw==");
}

TEST(BasicAuth, Padding) {
  util::HttpUrl u;
  u.username = "a";
  EXPECT_EQ(basic_auth_value(u), "Basic YTo="); // "a:"
  u.username = "ab";
  EXPECT_EQ(basic_auth_value(u), "Basic YWI6"); // "ab:"
  u.username = "abc";
  EXPECT_EQ(basic_auth_value(u), "Basic YWJjOg=="); // "abc:"
}

TEST(ResolveLocation, AbsoluteAndRelativeForms) {
  auto base = *util::parse_http_url("https://user:pw@a.example/dir/page?q=1");
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
