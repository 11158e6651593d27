// The settings of command sources, `values` and `revalidate`: what is
// accepted, and the message for what is not.
#include "homectl/config/loader.hpp"
#include "homectl/config/schema.hpp"

#include "config_problems.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homectl::config {
namespace {

using testing::lines;

TEST(ConfigSourceKinds, CommandSourceWithEnvAndContentType) {
  const auto r = load_text(R"({"sources": {"disk": {
    "command": ["/usr/sbin/smartctl", "-j", "-a", "/dev/sda"],
    "env": {"SMART_TOKEN": "s3cret"}, "content_type": "application/json"}}})",
                           "f.json", {});
  ASSERT_TRUE(r.ok()) << lines(r).front();
  const auto* source = r.config.find_source("disk");
  ASSERT_NE(source, nullptr);
  EXPECT_TRUE(source->url.empty());
  EXPECT_EQ(source->command,
            (std::vector<std::string>{"/usr/sbin/smartctl", "-j", "-a", "/dev/sda"}));
  EXPECT_EQ(source->env.at("SMART_TOKEN"), "s3cret");
  EXPECT_EQ(source->content_type, "application/json");
}

TEST(ConfigSourceKinds, ExactlyOneOfUrlAndCommand) {
  const auto r = load_text(R"({"sources": {
    "both": {"url": "http://127.0.0.1:1/", "command": ["/bin/true"]},
    "neither": {"ttl": "1m"}}})",
                           "f.json", {});
  EXPECT_EQ(lines(r),
            (std::vector<std::string>{
                "f.json:2:55: sources.both.command: set either \"url\" or \"command\", not both",
                "f.json:3:5: sources.neither: missing \"url\" (the upstream to fetch) or "
                "\"command\" (a program to run)"}));
}

TEST(ConfigSourceKinds, CommandNeedsAnAbsolutePathAndValidEnvNames) {
  const auto r = load_text(R"({"sources": {
    "rel": {"command": ["smartctl", "-j"]},
    "env": {"command": ["/bin/true"], "env": {"1X": "a", "OK_NAME": "b"}},
    "urlenv": {"url": "http://127.0.0.1:1/", "env": {"A": "b"}}}})",
                           "f.json", {});
  EXPECT_EQ(lines(r),
            (std::vector<std::string>{
                "f.json:2:24: sources.rel.command: \"smartctl\" is not an absolute path (commands "
                "run without a shell or PATH search)",
                "f.json:3:46: sources.env.env: \"1X\" is not a valid environment variable name "
                "(letters, digits and _, not starting with a digit)",
                "f.json:4:53: sources.urlenv.env: warning: \"env\" only applies to a "
                "\"command\" source; it is ignored with \"url\""}));
}

TEST(ConfigSourceKinds, ValuesAreNamedJsonPointers) {
  const auto r = load_text(R"({"sources": {"w": {"url": "http://127.0.0.1:1/",
    "values": {"temperature": "/current/temperature_2m", "is_day": "/current/is_day"}}}})",
                           "f.json", {});
  ASSERT_TRUE(r.ok()) << lines(r).front();
  const auto* source = r.config.find_source("w");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->values.size(), 2U);
  EXPECT_EQ(source->values.at("temperature"), "/current/temperature_2m");
}

TEST(ConfigSourceKinds, BadValuesNameTheProblem) {
  const auto bad_name =
      load_text(R"({"sources": {"w": {"url": "http://127.0.0.1:1/", "values": {"Temp": "/t"}}}})",
                "f.json", {});
  ASSERT_EQ(bad_name.problems.size(), 1U);
  EXPECT_EQ(bad_name.problems[0].to_string(),
            "f.json:1:60: sources.w.values: \"Temp\" is not a valid name: use lower-case letters, "
            "digits and _, not starting with a digit");
  const auto bad_pointer =
      load_text(R"({"sources": {"w": {"url": "http://127.0.0.1:1/", "values": {"t": "current"}}}})",
                "f.json", {});
  ASSERT_EQ(bad_pointer.problems.size(), 1U);
  EXPECT_NE(bad_pointer.problems[0].to_string().find("sources.w.values: \"t\": "),
            std::string::npos)
      << bad_pointer.problems[0].to_string();
  std::string many = R"({"sources": {"w": {"url": "http://127.0.0.1:1/", "values": {)";
  for (int i = 0; i < 33; ++i) {
    many += (i == 0 ? "" : ",") + std::string("\"v") + std::to_string(i) + "\": \"/x\"";
  }
  many += "}}}}";
  const auto too_many = load_text(many, "f.json", {});
  ASSERT_EQ(too_many.problems.size(), 1U);
  EXPECT_NE(too_many.problems[0].to_string().find("33 entries, more than the 32 allowed"),
            std::string::npos)
      << too_many.problems[0].to_string();
}

TEST(ConfigSourceKinds, ValuesAreNotADefault) {
  const auto r = load_text(R"({"defaults": {"values": {"t": "/t"}}})", "f.json", {});
  ASSERT_FALSE(r.ok());
}

TEST(ConfigSourceKinds, RevalidateIsAPolicyOnByDefault) {
  const auto r = load_text(R"({"defaults": {"revalidate": false}, "sources": {
    "a": {"url": "http://127.0.0.1:1/"}, "b": {"url": "http://127.0.0.1:1/", "revalidate": true}}})",
                           "f.json", {});
  ASSERT_TRUE(r.ok()) << lines(r).front();
  EXPECT_FALSE(r.config.find_source("a")->policy.revalidate);
  EXPECT_TRUE(r.config.find_source("b")->policy.revalidate);
  EXPECT_TRUE(FetchPolicy{}.revalidate);
}

TEST(ConfigSourceKinds, SchemaDescribesValuesAndCommand) {
  const auto schema = json_schema();
  const auto& source = schema["$defs"]["source"]["properties"];
  EXPECT_EQ(source["values"]["maxProperties"], 32);
  EXPECT_EQ(source["values"]["propertyNames"]["pattern"], "^[a-z_][a-z0-9_]*$");
  EXPECT_EQ(source["command"]["type"], "array");
  EXPECT_EQ(source["env"]["writeOnly"], true);
  EXPECT_EQ(schema["$defs"]["policy"]["properties"]["revalidate"]["type"], "boolean");
}

} // namespace
} // namespace homectl::config
