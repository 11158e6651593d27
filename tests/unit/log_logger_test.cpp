#include "homectl/log/logger.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace homectl::log {
namespace {

TEST(LogFormatJson, EscapesEverythingIntoValidJson) {
  const std::string nasty = "quote\" back\\slash\nnew\tline\x01\x7f bad\xff\xfe utf8";
  const auto line = format_json(
      "2026-11-26T10:00:00.000Z", Level::warn, "homectl", nasty,
      {{"endpoint", "/v1/sources/{name}"}, {"field", nasty}, {"latency_ms", 1.5}, {"status", 200}});
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one record is one line";
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["ts"], "2026-11-26T10:00:00.000Z");
  EXPECT_EQ(parsed["level"], "warn");
  EXPECT_EQ(parsed["service"], "homectl");
  EXPECT_EQ(parsed["endpoint"], "/v1/sources/{name}");
  EXPECT_EQ(parsed["status"], 200);
  EXPECT_DOUBLE_EQ(parsed["latency_ms"].get<double>(), 1.5);
  const auto msg = parsed["msg"].get<std::string>();
  EXPECT_NE(msg.find("quote\" back\\slash\nnew\tline\x01"), std::string::npos);
  EXPECT_NE(msg.find("\xEF\xBF\xBD"), std::string::npos) << "invalid UTF-8 became U+FFFD";
}

TEST(LogFormatJson, KeepsKeyOrder) {
  const auto line = format_json("T", Level::info, "svc", "hello", {{"a", 1}});
  EXPECT_EQ(line, R"({"ts":"T","level":"info","service":"svc","msg":"hello","a":1})");
}

TEST(LogFormatText, EscapesControlCharacters) {
  const auto line = format_text("T", Level::error, "two\nlines\x01", {{"source", "wea ther"}});
  EXPECT_EQ(line, "T ERROR two\\nlines\\x01 source=wea ther");
}

TEST(LogRfc3339, HasMillisecondsAndZulu) {
  const auto ts = rfc3339_now();
  ASSERT_EQ(ts.size(), 24U);
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

} // namespace
} // namespace homectl::log
