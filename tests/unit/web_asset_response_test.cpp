#include "homectl/web/asset_response.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using homectl::web::Asset;
using homectl::web::AssetResponse;
using homectl::web::if_none_match_matches;
using homectl::web::respond_to_get;

const Asset k_asset{"/app.js", "console.log(1);", "text/javascript; charset=utf-8", "\"abc123\""};

std::map<std::string, std::string> headers_of(const AssetResponse& response) {
  std::map<std::string, std::string> out;
  for (const auto& header : response.headers) {
    EXPECT_TRUE(out.emplace(header.name, header.value).second) << "duplicate " << header.name;
  }
  return out;
}

TEST(WebIfNoneMatch, MatchesTheSameTagStronglyOrWeakly) {
  EXPECT_TRUE(if_none_match_matches("\"abc123\"", "\"abc123\""));
  EXPECT_TRUE(if_none_match_matches("W/\"abc123\"", "\"abc123\""));
  EXPECT_TRUE(if_none_match_matches("  \"abc123\"\t", "\"abc123\""));
}

TEST(WebIfNoneMatch, MatchesAnyEntryOfAListAndTheWildcard) {
  EXPECT_TRUE(if_none_match_matches("\"x\", \"abc123\"", "\"abc123\""));
  EXPECT_TRUE(if_none_match_matches("\"x\",W/\"abc123\",\"y\"", "\"abc123\""));
  EXPECT_TRUE(if_none_match_matches("*", "\"abc123\""));
  EXPECT_TRUE(if_none_match_matches("\"a,b\", \"abc123\"", "\"abc123\""));
}

TEST(WebIfNoneMatch, RejectsOtherTagsEmptyAndUnquoted) {
  EXPECT_FALSE(if_none_match_matches("", "\"abc123\""));
  EXPECT_FALSE(if_none_match_matches("   ", "\"abc123\""));
  EXPECT_FALSE(if_none_match_matches("\"abc124\"", "\"abc123\""));
  EXPECT_FALSE(if_none_match_matches("abc123", "\"abc123\""));
  EXPECT_FALSE(if_none_match_matches("\"abc\", \"123\"", "\"abc123\""));
  EXPECT_FALSE(if_none_match_matches("\"a,\"abc123\"\"", "\"abc123\""));
}

TEST(WebAssetResponse, AnswersWithTheBodyAndSecurityHeaders) {
  const auto response = respond_to_get(k_asset, "");
  EXPECT_EQ(response.status, 200U);
  EXPECT_EQ(response.body, "console.log(1);");
  const auto headers = headers_of(response);
  EXPECT_EQ(headers.at("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(headers.at("ETag"), "\"abc123\"");
  EXPECT_EQ(headers.at("Cache-Control"), "no-cache");
  EXPECT_EQ(headers.at("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(headers.at("Referrer-Policy"), "no-referrer");
  const auto& csp = headers.at("Content-Security-Policy");
  EXPECT_TRUE(csp.starts_with("default-src 'none';")) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(csp.find('*'), std::string::npos);
}

TEST(WebAssetResponse, AnswersNotModifiedWhenTheClientHasTheSameVersion) {
  const auto response = respond_to_get(k_asset, "\"abc123\"");
  EXPECT_EQ(response.status, 304U);
  EXPECT_TRUE(response.body.empty());
  const auto headers = headers_of(response);
  EXPECT_EQ(headers.at("ETag"), "\"abc123\"");
  EXPECT_EQ(headers.at("Cache-Control"), "no-cache");
}

TEST(WebAssetResponse, AnswersInFullForAnOutdatedCopy) {
  const auto response = respond_to_get(k_asset, "\"old\"");
  EXPECT_EQ(response.status, 200U);
  EXPECT_EQ(response.body, "console.log(1);");
}

} // namespace
