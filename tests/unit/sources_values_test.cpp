#include "homectl/sources/pick.hpp"
#include "homectl/sources/values.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace homectl::sources {
namespace {

TEST(SourceValues, NumbersBooleansAndDecimalStrings) {
  const auto readings =
      read_values(R"({"t": 21.5, "n": -3, "day": true, "night": false, "s": " 1e3 ", "big": 12})",
                  {{"t", "/t"}, {"n", "/n"}, {"day", "/day"}, {"night", "/night"}, {"s", "/s"}});
  ASSERT_EQ(readings.size(), 5U);
  // In name order.
  EXPECT_EQ(readings[0], (ValueReading{"day", 1.0, ""}));
  EXPECT_EQ(readings[1], (ValueReading{"n", -3.0, ""}));
  EXPECT_EQ(readings[2], (ValueReading{"night", 0.0, ""}));
  EXPECT_EQ(readings[3], (ValueReading{"s", 1000.0, ""}));
  EXPECT_EQ(readings[4], (ValueReading{"t", 21.5, ""}));
}

TEST(SourceValues, AnythingElseIsAProblemNamingThePointer) {
  const auto readings = read_values(
      R"({"o": {}, "a": [1], "s": "warm", "z": null, "list": [5, 6]})", {{"obj", "/o"},
                                                                         {"arr", "/a"},
                                                                         {"str", "/s"},
                                                                         {"nul", "/z"},
                                                                         {"gone", "/x/y"},
                                                                         {"second", "/list/1"},
                                                                         {"bad_index", "/list/x"}});
  std::map<std::string, ValueReading> by_name;
  for (const auto& r : readings) {
    by_name[r.name] = r;
  }
  EXPECT_EQ(by_name["obj"].problem, "not a number at /o: an object");
  EXPECT_EQ(by_name["arr"].problem, "not a number at /a: an array");
  EXPECT_EQ(by_name["str"].problem, "the string at /s is not a decimal number");
  EXPECT_EQ(by_name["nul"].problem, "not a number at /z: null");
  EXPECT_EQ(by_name["gone"].problem, "nothing at /x/y");
  EXPECT_EQ(by_name["bad_index"].problem, "nothing at /list/x");
  EXPECT_EQ(by_name["second"].number, 6.0);
  for (const auto& r : readings) {
    EXPECT_EQ(r.number.has_value(), r.problem.empty()) << r.name;
  }
}

TEST(SourceValues, ABodyThatIsNotJsonFailsEveryValue) {
  const auto readings = read_values("<html>", {{"a", "/a"}, {"b", "/b"}});
  ASSERT_EQ(readings.size(), 2U);
  for (const auto& r : readings) {
    EXPECT_FALSE(r.number);
    EXPECT_TRUE(r.problem.starts_with("the body is not JSON: ")) << r.problem;
  }
  EXPECT_TRUE(read_values("<html>", {}).empty());
}

TEST(SourceValues, TooDeepBodiesAreRefusedNotRecursed) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto readings = read_values(deep, {{"a", "/0"}});
  ASSERT_EQ(readings.size(), 1U);
  EXPECT_FALSE(readings[0].number);
}

TEST(SourceValues, DecimalStringsOnly) {
  EXPECT_EQ(parse_decimal("21.5"), 21.5);
  EXPECT_EQ(parse_decimal(" -0.25\n"), -0.25);
  EXPECT_EQ(parse_decimal("3E2"), 300.0);
  for (const char* bad : {"", " ", "inf", "-inf", "nan", "infinity", "0x10", "+1", "1,5", "1.5 C",
                          ".5", "-", "1e400"}) {
    EXPECT_FALSE(parse_decimal(bad)) << bad;
  }
}

TEST(SourceValues, ReadFromThePickedBody) {
  const auto picked = apply_pick(R"({"current": {"temp": 3, "wind": 10}})", {"/current/temp"});
  ASSERT_TRUE(picked);
  // pick keys its object by the pointers, so "/" and "~" are escaped.
  const auto readings =
      read_values(*picked, {{"temp", "/~1current~1temp"}, {"wind", "/current/wind"}});
  EXPECT_EQ(readings[0].number, 3.0);
  EXPECT_EQ(readings[1].problem, "nothing at /current/wind");
}

TEST(SourceValues, HugeNumbersAreOutOfRange) {
  const auto readings = read_values(R"({"n": 1e999})", {{"n", "/n"}});
  ASSERT_EQ(readings.size(), 1U);
  EXPECT_FALSE(readings[0].number);
}

} // namespace
} // namespace homectl::sources
