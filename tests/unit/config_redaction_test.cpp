#include "homectl/config/loader.hpp"

#include <gtest/gtest.h>

namespace homectl::config {
namespace {

// Secret values that must never appear in output or messages.
const std::vector<std::string> k_secrets{"tok-SECRET-1",   "redis-PASSWORD-2", "ntfy-SECRET-3",
                                         "hdr-SECRET-4",   "url-PASSWORD-5",   "query-SECRET-6",
                                         "gotify-SECRET-7"};

const char* const k_file = R"({
  "server": {"api_token": "${API_TOKEN}"},
  "redis": {"url": "redis://:redis-PASSWORD-2@localhost:6379/0"},
  "sources": {"w": {"url": "https://user:url-PASSWORD-5@api.x/v1?key=query-SECRET-6&lat=1",
                    "headers": {"Authorization": "Bearer hdr-SECRET-4"}}},
  "watchdog": {"notify": [{"type": "ntfy", "url": "https://ntfy.sh/t", "token": "ntfy-SECRET-3"},
                          {"type": "gotify", "url": "https://g.lan/", "token": "gotify-SECRET-7",
                           "headers": {"X-Key": "hdr-SECRET-4"}}]}
})";

void expect_no_secret(const std::string& text) {
  for (const auto& secret : k_secrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked in:\n" << text;
  }
}

TEST(ConfigRedaction, ShowNeverContainsSecrets) {
  const auto r = load_text(k_file, "f.json", {{"API_TOKEN", "tok-SECRET-1"}});
  ASSERT_TRUE(r.ok());
  const auto shown = to_json(r.config).dump();
  expect_no_secret(shown);
  expect_no_secret(to_json_with_origins(r).dump());
  const auto j = to_json(r.config);
  EXPECT_EQ(j["server"]["api_token"], "<redacted>");
  EXPECT_EQ(j["redis"]["url"], "<redacted>");
  EXPECT_EQ(j["sources"]["w"]["headers"]["Authorization"], "<redacted>");
  EXPECT_EQ(j["sources"]["w"]["url"], "https://<redacted>@api.x/v1?key=<redacted>&lat=<redacted>");
  EXPECT_EQ(j["watchdog"]["notify"][0]["token"], "<redacted>");
  EXPECT_EQ(j["watchdog"]["notify"][1]["headers"]["X-Key"], "<redacted>");
  // Unset secrets stay visibly empty, so "no token" is distinguishable.
  EXPECT_EQ(to_json(Config{})["server"]["api_token"], "");
  // Without redaction, the values are there (for internal use only).
  EXPECT_EQ(to_json(r.config, false)["server"]["api_token"], "tok-SECRET-1");
}

TEST(ConfigRedaction, ProblemsNeverQuoteSecrets) {
  const auto r = load_text(R"({
  "server": {"api_token": 12345},
  "redis": {"url": "redis://:redis-PASSWORD-2@host:notaport"},
  "sources": {"w": {"url": "ftp://u:url-PASSWORD-5@h/?key=query-SECRET-6",
                    "headers": {"Authorization": 5}}},
  "watchdog": {"notify": [{"type": "ntfy", "token": ["ntfy-SECRET-3"]}]}
})",
                           "f.json", {{"HOMECTL_REDIS_URL", "redis://:gotify-SECRET-7@h:x"}});
  ASSERT_FALSE(r.ok());
  std::string all;
  for (const auto& p : r.problems) {
    all += p.to_string() + "\n";
  }
  expect_no_secret(all);
  EXPECT_NE(all.find("server.api_token: expected a string, got a number"), std::string::npos)
      << all;
  EXPECT_NE(all.find("HOMECTL_REDIS_URL: the Redis URL is invalid: port \"x\" is not a number from "
                     "1 to 65535"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("sources.w.headers: \"Authorization\": expected a string, got a number"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("watchdog.notify[0].token: expected a string, got an array"),
            std::string::npos)
      << all;
}

} // namespace
} // namespace homectl::config
