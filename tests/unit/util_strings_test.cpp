#include "homectl/util/strings.hpp"

#include <gtest/gtest.h>

#include <array>

namespace homectl::util {
namespace {

TEST(EditDistance, CountsInsertDeleteSubstituteAndSwap) {
  EXPECT_EQ(edit_distance("timeout", "timeout"), 0U);
  EXPECT_EQ(edit_distance("tiemout", "timeout"), 1U);
  EXPECT_EQ(edit_distance("timout", "timeout"), 1U);
  EXPECT_EQ(edit_distance("", "abc"), 3U);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
}

TEST(DidYouMean, SuggestsTheNearestPlausibleCandidate) {
  const std::array<std::string, 4> keys{"timeout", "ttl", "refresh", "retries"};
  EXPECT_EQ(did_you_mean("timeot", keys), "timeout");
  EXPECT_EQ(did_you_mean("refersh", keys), "refresh");
  EXPECT_EQ(did_you_mean("completely-different", keys), std::nullopt);
  EXPECT_EQ(did_you_mean("ttl", keys), std::nullopt) << "an exact match is no typo";
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(Split, KeepsEmptyFields) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(trim("  x y \n"), "x y");
}

TEST(Join, PutsTheSeparatorBetweenWordsOnly) {
  EXPECT_EQ(join(std::vector<std::string>{}, ", "), "");
  EXPECT_EQ(join(std::vector<std::string>{"a"}, ", "), "a");
  EXPECT_EQ(join(std::vector<std::string>{"", "b", ""}, "-"), "-b-");
  EXPECT_EQ(join(std::vector<std::string>{"config", "show"}, " "), "config show");
}

} // namespace
} // namespace homectl::util
