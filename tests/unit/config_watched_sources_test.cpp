#include "homectl/config/loader.hpp"
#include "homectl/config/schema.hpp"
#include "homectl/config/settings.hpp"

#include <gtest/gtest.h>

namespace homectl::config {
namespace {

std::string errors(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += p.to_string() + "\n";
  }
  return out;
}

constexpr const char* k_sources =
    R"("sources":{"weather":{"url":"http://127.0.0.1:1/w"},"plug":{"url":"http://127.0.0.1:1/p"}})";

LoadResult with_watched(const std::string& value, bool sources = true) {
  return load_text(std::string("{") + (sources ? k_sources + std::string(",") : "") +
                       R"("watchdog":{"sources":)" + value + "}}",
                   "homectl.json", {});
}

} // namespace

TEST(WatchedSources, DefaultIsRequired) {
  EXPECT_EQ(Config{}.watchdog.sources.mode, WatchedSources::Mode::required);
  const auto* row = find_global_setting("watchdog.sources");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(default_json(*row), "required");
}

TEST(WatchedSources, AcceptsRequiredAllOrAList) {
  auto r = with_watched(R"("all")");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.config.watchdog.sources.mode, WatchedSources::Mode::all);
  r = with_watched(R"(["weather","plug"])");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.config.watchdog.sources.mode, WatchedSources::Mode::list);
  EXPECT_EQ(r.config.watchdog.sources.names, (std::vector<std::string>{"weather", "plug"}));
  const auto shown = to_json(r.config, true);
  EXPECT_EQ(shown["watchdog"]["sources"], nlohmann::json({"weather", "plug"}));
}

TEST(WatchedSources, AnUnknownNameIsAnErrorWithASuggestion) {
  const auto r = with_watched(R"(["wether"])");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(errors(r).find("watchdog.sources: \"wether\" is not a configured source; did you "
                           "mean \"weather\"?"),
            std::string::npos)
      << errors(r);
}

TEST(WatchedSources, WithoutSourcesNamesAreTakenAsGiven) {
  const auto r = with_watched(R"(["remote-one"])", false);
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.config.watchdog.sources.names, std::vector<std::string>{"remote-one"});
}

TEST(WatchedSources, BadValuesSayWhatIsWrong) {
  EXPECT_NE(errors(with_watched(R"("al")")).find("did you mean \"all\"?"), std::string::npos);
  EXPECT_NE(errors(with_watched(R"("weather")")).find("name sources in an array"),
            std::string::npos);
  EXPECT_NE(errors(with_watched(R"(["weather","weather"])")).find("is listed twice"),
            std::string::npos);
  EXPECT_NE(errors(with_watched(R"(["Bad Name"])")).find("is not a valid source name"),
            std::string::npos);
  EXPECT_NE(errors(with_watched("5")).find("expected \"required\", \"all\" or an array"),
            std::string::npos)
      << errors(with_watched("5"));
  std::string many = "[";
  for (int i = 0; i < 257; ++i) {
    many += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  }
  EXPECT_NE(errors(with_watched(many + "]", false)).find("257 names, more than the 256 allowed"),
            std::string::npos);
}

TEST(WatchedSources, FromTheEnvironment) {
  auto r = load_text(std::string("{") + k_sources + "}", "homectl.json",
                     {{"HOMECTL_WATCHDOG_SOURCES", "weather, plug"}});
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.config.watchdog.sources.names, (std::vector<std::string>{"weather", "plug"}));
  r = load_text("{}", "homectl.json", {{"HOMECTL_WATCHDOG_SOURCES", "all"}});
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.config.watchdog.sources.mode, WatchedSources::Mode::all);
}

TEST(WatchedSources, SchemaIsOneOfTheWordsOrAList) {
  const auto schema = json_schema();
  const auto& node = schema["properties"]["watchdog"]["properties"]["sources"];
  ASSERT_TRUE(node.contains("oneOf")) << node.dump();
  EXPECT_EQ(node["oneOf"][0]["enum"], nlohmann::json({"required", "all"}));
  EXPECT_EQ(node["oneOf"][1]["maxItems"], 256);
  EXPECT_EQ(node["default"], "required");
}

} // namespace homectl::config
