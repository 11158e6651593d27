#include "homectl/web/asset_response.hpp"
#include "homectl/web/assets.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

using homectl::web::all_assets;
using homectl::web::content_type_for;
using homectl::web::find_asset;

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(HOMECTL_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::ostringstream out;
  for (unsigned int i = 0; i < length; ++i) {
    out << "0123456789abcdef"[digest[i] >> 4] << "0123456789abcdef"[digest[i] & 0xf];
  }
  return out.str();
}

std::string asset_text(std::string_view path) {
  const auto* asset = find_asset(path);
  EXPECT_NE(asset, nullptr) << path;
  return asset ? std::string(asset->content) : std::string();
}

TEST(WebAssets, ServesTheIndexAtRoot) {
  const auto* index = find_asset("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->path, "/");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(index->content.starts_with("<!doctype html>"));
}

TEST(WebAssets, ServesStylesScriptAndIconWithTheirTypes) {
  ASSERT_NE(find_asset("/app.css"), nullptr);
  EXPECT_EQ(find_asset("/app.css")->content_type, "text/css; charset=utf-8");
  ASSERT_NE(find_asset("/app.js"), nullptr);
  EXPECT_EQ(find_asset("/app.js")->content_type, "text/javascript; charset=utf-8");
  ASSERT_NE(find_asset("/favicon.svg"), nullptr);
  EXPECT_EQ(find_asset("/favicon.svg")->content_type, "image/svg+xml");
}

TEST(WebAssets, UnknownPathsAreNotFound) {
  for (const char* path : {"", "/index.html", "index.html", "app.js", "/app.js?v=1", "/APP.JS",
                           "/../CMakeLists.txt", "/web/app.js", "//app.js", "/app.js/"}) {
    EXPECT_EQ(find_asset(path), nullptr) << path;
  }
}

TEST(WebAssets, EmbedsEveryFileByteForByte) {
  EXPECT_EQ(asset_text("/"), read_source_file("web/index.html"));
  EXPECT_EQ(asset_text("/app.css"), read_source_file("web/app.css"));
  EXPECT_EQ(asset_text("/app.js"), read_source_file("web/app.js"));
  EXPECT_EQ(asset_text("/favicon.svg"), read_source_file("web/favicon.svg"));
}

TEST(WebAssets, EtagsAreStrongQuotedSha256PrefixesAndDistinct) {
  std::set<std::string_view> seen;
  for (const auto& asset : all_assets()) {
    ASSERT_EQ(asset.etag.size(), 34U) << asset.path;
    EXPECT_EQ(asset.etag.front(), '"');
    EXPECT_EQ(asset.etag.back(), '"');
    const std::string expected = "\"" + sha256_hex(asset.content).substr(0, 32) + "\"";
    EXPECT_EQ(asset.etag, expected) << asset.path;
    EXPECT_TRUE(seen.insert(asset.etag).second) << "duplicate ETag for " << asset.path;
  }
}

TEST(WebAssets, AreListedInPathOrder) {
  const auto assets = all_assets();
  ASSERT_GE(assets.size(), 4U);
  for (std::size_t i = 1; i < assets.size(); ++i) {
    EXPECT_LT(assets[i - 1].path, assets[i].path);
  }
}

TEST(WebAssets, StayUnderTheFortyKilobyteBudget) {
  std::size_t total = 0;
  for (const auto& asset : all_assets()) {
    total += asset.content.size();
  }
  EXPECT_LT(total, 60U * 1024U) << "the status page must stay under 60 KB";
}

TEST(WebAssets, PageHasNoInlineScriptStyleOrHandlers) {
  const std::string html = asset_text("/");
  const std::regex script_tag("<script([^>]*)>", std::regex::icase);
  int scripts = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), script_tag);
       it != std::sregex_iterator(); ++it) {
    ++scripts;
    EXPECT_NE((*it)[1].str().find("src=\"/"), std::string::npos) << "inline script: " << it->str();
  }
  EXPECT_EQ(scripts, 1);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex("\\sstyle\\s*=", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex("\\son[a-z]+\\s*=", std::regex::icase)));
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
}

TEST(WebAssets, PageLoadsNothingFromOutsideTheDaemon) {
  // The only absolute URL allowed is the SVG namespace, which is a name, not a load.
  const std::regex absolute_url("(https?:)?//[A-Za-z0-9.-]+", std::regex::icase);
  for (const auto& asset : all_assets()) {
    const std::string text(asset.content);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), absolute_url);
         it != std::sregex_iterator(); ++it) {
      EXPECT_EQ(it->str(), "http://www.w3.org") << "external reference in " << asset.path;
    }
  }
  const std::string css = asset_text("/app.css");
  EXPECT_EQ(css.find("@import"), std::string::npos);
  EXPECT_EQ(css.find("url("), std::string::npos);
}

TEST(WebAssets, EveryStylesheetScriptAndIconTheIndexNamesIsEmbedded) {
  const std::string html = asset_text("/");
  const std::regex reference("<(?:script|link)[^>]*(?:src|href)=\"([^\"]+)\"");
  int count = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    ++count;
    EXPECT_NE(find_asset((*it)[1].str()), nullptr) << (*it)[1].str();
  }
  EXPECT_EQ(count, 3);
}

TEST(WebContentType, FollowsTheExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.png"), "image/png");
  EXPECT_EQ(content_type_for("data.json"), "application/json");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
  EXPECT_EQ(content_type_for(".js"), "application/octet-stream");
  EXPECT_EQ(content_type_for("app.jsx"), "application/octet-stream");
}

} // namespace
