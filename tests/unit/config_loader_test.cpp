#include "homectl/config/loader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace homectl::config {
namespace {

std::string read_example() {
  std::ifstream in(HOMECTL_SOURCE_DIR "/examples/homectl.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string all_problems(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += p.to_string() + "\n";
  }
  return out;
}

TEST(ConfigLoader, ExampleLoads) {
  const Environment env{{"HOME_API_TOKEN", "s3cret-token"}, {"NTFY_TOKEN", "tk_abc"}};
  const auto r = load_text(read_example(), "homectl.json", env);
  ASSERT_TRUE(r.ok()) << all_problems(r);
  EXPECT_TRUE(r.problems.empty()) << all_problems(r);
  ASSERT_EQ(r.config.sources.size(), 2U);
  EXPECT_EQ(r.config.sources[0].name, "plug");
  EXPECT_EQ(r.config.sources[1].name, "weather");
  EXPECT_EQ(r.config.server.api_token, "s3cret-token");
  const auto* weather = r.config.find_source("weather");
  ASSERT_NE(weather, nullptr);
  EXPECT_EQ(weather->policy.ttl, Duration{15 * 60 * 1000});
  EXPECT_EQ(weather->policy.refresh, Duration{30 * 60 * 1000});
  EXPECT_EQ(weather->policy.timeout, Duration{5000}); // inherited from defaults
  EXPECT_EQ(weather->pick, std::vector<std::string>{"/current"});
  ASSERT_TRUE(weather->rate_limit.has_value());
  EXPECT_EQ(*weather->rate_limit, (Rate{60, Duration{3'600'000}}));
  const auto* plug = r.config.find_source("plug");
  ASSERT_NE(plug, nullptr);
  EXPECT_TRUE(plug->required);
  EXPECT_EQ(plug->policy.timeout, Duration{2000});
  EXPECT_FALSE(r.config.limits.default_class.rate.has_value());
  EXPECT_EQ(r.config.limits.refresh.burst, 30);
  ASSERT_EQ(r.config.watchdog.notify.size(), 3U);
  EXPECT_EQ(r.config.watchdog.notify[0].type, NotifierType::ntfy);
  EXPECT_EQ(r.config.watchdog.notify[0].token, "tk_abc");
  EXPECT_EQ(r.config.watchdog.notify[2].type, NotifierType::command);
  EXPECT_EQ(r.config.watchdog.remind_every, Duration{6 * 3600 * 1000});
}

} // namespace
} // namespace homectl::config
