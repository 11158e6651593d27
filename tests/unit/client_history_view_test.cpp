#include "homectl/client/history_view.hpp"

#include <gtest/gtest.h>

namespace homectl::client {
namespace {

using nlohmann::json;

TEST(ClientHistoryView, SparklineScalesBetweenTheValuesOwnLowAndHigh) {
  EXPECT_EQ(sparkline({0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0}), "▁▂▃▄▅▆▇█");
  EXPECT_EQ(sparkline({10.0, std::nullopt, 20.0}), "▁ █");
  EXPECT_EQ(sparkline({5.0, 5.0}), "▄▄");
  EXPECT_EQ(sparkline({std::nullopt, std::nullopt}), "  ");
  EXPECT_EQ(sparkline({}), "");
}

TEST(ClientHistoryView, StepGivesAboutWidthPointsInWholeIntervals) {
  EXPECT_EQ(step_for(86400, 60, 60), 1440);
  EXPECT_EQ(step_for(3600, 60, 60), 60);
  EXPECT_EQ(step_for(600, 60, 60), 60); // never below the interval
  EXPECT_EQ(step_for(3600, 7, 60), 63); // a multiple of the interval
}

TEST(ClientHistoryView, RendersOneAlignedLinePerSeries) {
  const std::vector<json> answers{
      json::parse(R"({"series": [{"name": "requests", "labels": {}, "unit": "1/s", "step_s": 60,
                      "points": [[0, 1], [60, null], [120, 3]]}]})"),
      json::parse(R"({"series": [{"name": "value", "labels": {"source": "weather", "value": "temp"},
                      "unit": "", "step_s": 60,
                      "points": [[0, 20, 19, 21], [60, 22, 22, 25], [120, null, null, null]]}]})")};
  const auto text = render_history(answers);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "requests                          ▁ █  min 1   max 3   last 3   1/s\n"
                   "value{source=weather,value=temp}  ▁█   min 19  max 25  last 22\n");
}

TEST(ClientHistoryView, ABadAnswerIsAnErrorNotACrash) {
  for (const auto* body : {R"({})", R"({"series": 3})", R"({"series": [{"points": []}]})",
                           R"({"series": [{"name": "x", "points": [5]}]})",
                           R"({"series": [{"name": "x", "points": [[1, "a"]]}]})"}) {
    const auto text = render_history({json::parse(body)});
    EXPECT_FALSE(text) << body;
  }
  EXPECT_EQ(*render_history({json::parse(R"({"series": []})")}), "no history recorded yet\n");
}

} // namespace
} // namespace homectl::client
