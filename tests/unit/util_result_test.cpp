#include "homectl/util/result.hpp"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

namespace homectl {
namespace {

Result<void> check_positive(int n) {
  if (n <= 0) {
    return make_error(std::to_string(n) + " is not positive");
  }
  return {};
}

TEST(Result, HoldsAValueOrAnError) {
  Result<int> good = 3;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  Result<int> bad = make_error("no");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "no");
}

TEST(Result, VoidIsSuccessOrAnError) {
  EXPECT_TRUE(check_positive(1).ok());
  const auto failed = check_positive(-2);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "-2 is not positive");
  Result<void> copy = failed;
  EXPECT_FALSE(copy.ok());
  copy = check_positive(5);
  EXPECT_TRUE(copy.ok());
}

// An area whose failures carry more than a message names its own error type.
struct Refusal {
  int status = 0;
  std::string reason;
};

TEST(Result, CarriesAnAreasOwnErrorType) {
  Result<std::string, Refusal> good = std::string("body");
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, "body");
  Result<std::string, Refusal> bad = Refusal{503, "busy"};
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 503);
  const Refusal moved = std::move(bad).error();
  EXPECT_EQ(moved.reason, "busy");
  Result<void, Refusal> none = Refusal{429, "slow down"};
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(none.error().reason, "slow down");
}

} // namespace
} // namespace homectl
