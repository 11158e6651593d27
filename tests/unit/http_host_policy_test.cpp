#include "homectl/http/host_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homectl::http {
namespace {

bool allowed(std::string_view host, std::vector<std::string> list = {}) {
  return host_allowed(host, list, "nas");
}

TEST(HostPolicy, IpLiteralsLocalhostAndTheMachineNameAreAllowed) {
  for (const auto* host : {"127.0.0.1", "127.0.0.1:8080", "192.168.1.20:80", "[::1]", "[::1]:8080",
                           "[fe80::1]:80", "localhost", "LocalHost:8080", "localhost.", "nas",
                           "NAS:8080", "nas.local", "nas.local:8080", ""}) {
    EXPECT_TRUE(allowed(host)) << host;
  }
  EXPECT_TRUE(host_allowed("nas", {}, "nas.example.com"));
  EXPECT_TRUE(host_allowed("nas.example.com:8080", {}, "nas.example.com"));
  EXPECT_TRUE(host_allowed("nas.local", {}, "nas.example.com"));
}

TEST(HostPolicy, OtherNamesAreRefusedUnlessListed) {
  for (const auto* host :
       {"evil.example", "127.evil.example", "localhost.evil", "nas.evil", "127.1", "0x7f000001",
        "[::1", "[::1]x", "::1", "host:port", "a b", "localhost:80:80"}) {
    EXPECT_FALSE(allowed(host)) << host;
  }
  EXPECT_TRUE(allowed("nas.lan:8080", {"nas.lan"}));
  EXPECT_TRUE(allowed("NAS.LAN", {"nas.lan"}));
  EXPECT_FALSE(allowed("other.lan", {"nas.lan"}));
  EXPECT_TRUE(allowed("anything.example", {"*"}));
  EXPECT_FALSE(host_allowed("nas", {}, "")) << "no machine name known";
}

Request post(std::vector<Header> headers) {
  Request r;
  r.method = Method::post;
  r.headers = std::move(headers);
  return r;
}

TEST(HostPolicy, CrossSiteIsAnOriginOtherThanTheHostOrSecFetchSite) {
  EXPECT_FALSE(cross_site(post({{"Host", "localhost:8080"}})));
  EXPECT_FALSE(cross_site(post({{"Host", "localhost:8080"}, {"Origin", "http://localhost:8080"}})));
  EXPECT_FALSE(cross_site(post({{"Host", "localhost"}, {"Origin", "http://localhost:80"}})));
  EXPECT_FALSE(cross_site(post({{"Host", "NAS.lan"}, {"Origin", "HTTP://nas.lan"}})));
  EXPECT_FALSE(cross_site(post({{"Host", "x"}, {"Sec-Fetch-Site", "same-origin"}})));
  EXPECT_FALSE(cross_site(post({{"Host", "x"}, {"Sec-Fetch-Site", "none"}})));

  EXPECT_TRUE(cross_site(post({{"Host", "localhost:8080"}, {"Origin", "http://evil.example"}})));
  EXPECT_TRUE(cross_site(post({{"Host", "localhost:8080"}, {"Origin", "http://localhost:9090"}})));
  EXPECT_TRUE(cross_site(post({{"Host", "localhost:8080"}, {"Origin", "null"}})));
  EXPECT_TRUE(cross_site(post({{"Host", "localhost"}, {"Origin", "http://localhost/x"}})));
  EXPECT_TRUE(cross_site(post({{"Host", "localhost"}, {"Sec-Fetch-Site", "Cross-Site"}})));
  EXPECT_TRUE(cross_site(post(
      {{"Host", "localhost"}, {"Origin", "http://localhost"}, {"Origin", "http://evil.example"}})));
}

} // namespace
} // namespace homectl::http
