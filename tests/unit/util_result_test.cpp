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

} // namespace
} // namespace homectl
