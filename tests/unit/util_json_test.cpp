#include "homectl/util/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace homectl::util {
namespace {

std::string nested_arrays(int depth, std::string_view inner = "1") {
  return std::string(static_cast<std::size_t>(depth), '[') + std::string(inner) +
         std::string(static_cast<std::size_t>(depth), ']');
}

std::string nested_objects(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) {
    text += "{\"a\":";
  }
  text += "1";
  text += std::string(static_cast<std::size_t>(depth), '}');
  return text;
}

int depth_of(const nlohmann::json& value) {
  int depth = 0;
  const nlohmann::json* at = &value;
  while (at->is_structured() && !at->empty()) {
    ++depth;
    at = at->is_array() ? &at->front() : &at->begin().value();
  }
  return depth;
}

TEST(ParseJson, ReadsWhatNlohmannReads) {
  const std::string text =
      R"({"a":[1,-2,3.5,1e3,18446744073709551615],"b":{"c":null,"d":true,"e":"x\"y\u00e9"},)"
      R"("f":[],"g":{}})";
  auto parsed = parse_json(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, nlohmann::json::parse(text));
  EXPECT_EQ(parsed->dump(), nlohmann::json::parse(text).dump());
  EXPECT_EQ(*parse_json("3"), nlohmann::json(3));
  EXPECT_EQ(*parse_json(" \"x\" "), nlohmann::json("x"));
  EXPECT_EQ(*parse_json("null"), nlohmann::json(nullptr));
  EXPECT_EQ(*parse_json(R"({"k":1,"k":2})"), nlohmann::json({{"k", 2}})) << "last one wins";
}

TEST(ParseJson, AcceptsNestingUpTo128Levels) {
  auto arrays = parse_json(nested_arrays(128));
  ASSERT_TRUE(arrays.ok()) << arrays.error().message;
  EXPECT_EQ(depth_of(*arrays), 128);
  auto objects = parse_json(nested_objects(128));
  ASSERT_TRUE(objects.ok()) << objects.error().message;
  EXPECT_EQ(depth_of(*objects), 128);
  EXPECT_EQ(objects->dump().size(), nested_objects(128).size());
}

TEST(ParseJson, RefusesLevel129AndNamesItsByte) {
  auto arrays = parse_json(nested_arrays(129));
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(arrays.error().message, "JSON nests deeper than 128 levels at byte 129");
  auto objects = parse_json(nested_objects(129));
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(objects.error().message, "JSON nests deeper than 128 levels at byte 641");
  auto mixed = parse_json(R"({"a":[{"b":)" + nested_arrays(200) + "}]}");
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().message, "JSON nests deeper than 128 levels at byte 137");
}

TEST(ParseJson, RefusesTheDeepUpstreamBodyBeforeReadingItAll) {
  // 800 KB that once overflowed the stack when picked: refused at its 129th level.
  const std::string body = R"({"current":)" + nested_arrays(400'000, "") + "}";
  auto parsed = parse_json(body);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "JSON nests deeper than 128 levels at byte 139");
}

TEST(ParseJson, BracketsInStringsAndEscapedQuotesAreNotLevels) {
  const std::string brackets = "\"" + std::string(300, '[') + std::string(300, '{') + "\"";
  auto in_string = parse_json(nested_arrays(128, brackets));
  ASSERT_TRUE(in_string.ok()) << in_string.error().message;
  EXPECT_EQ(depth_of(*in_string), 128);

  // An escaped quote does not end the string; an escaped backslash before the
  // quote does, and the brackets after it count.
  const std::string escaped = R"(["\"[[[[\\\"[[[[", )" + nested_arrays(126) + "]";
  EXPECT_TRUE(parse_json(escaped).ok()) << parse_json(escaped).error().message;
  const std::string after = R"(["\\", )" + nested_arrays(128) + "]";
  ASSERT_FALSE(parse_json(after).ok());
  EXPECT_EQ(parse_json(after).error().message, "JSON nests deeper than 128 levels at byte 135");

  // The byte is found past strings full of brackets and escapes.
  const std::string prefix = R"({"k":"[[[[\"[[{{","v":)";
  auto deep = parse_json(prefix + nested_arrays(128) + "}");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message,
            "JSON nests deeper than 128 levels at byte " + std::to_string(prefix.size() + 128));
}

TEST(ParseJson, TruncatedInputIsAnErrorWithItsByte) {
  EXPECT_EQ(parse_json(R"({"a":[1,2)").error().message,
            "invalid JSON at byte 10: syntax error while parsing array - unexpected end of "
            "input; expected ']'");
  EXPECT_EQ(parse_json(R"({"a":"tex)").error().message,
            "invalid JSON at byte 10: syntax error while parsing value - invalid string: "
            "missing closing quote; last read: '\"tex'");
  EXPECT_EQ(parse_json("").error().message,
            "invalid JSON at byte 1: syntax error while parsing value - unexpected end of input; "
            "expected '[', '{', or a literal");
  // Open but never closed, within the bound: a syntax error, not a depth error.
  EXPECT_EQ(parse_json(std::string(100, '[')).error().message,
            "invalid JSON at byte 101: syntax error while parsing value - unexpected end of "
            "input; expected '[', '{', or a literal");
}

TEST(ParseJson, RefusesTrailingTextAndBadBytesQuotingLittleOfThem) {
  EXPECT_EQ(parse_json("[1] x").error().message,
            "invalid JSON at byte 5: syntax error while parsing value - invalid literal; last "
            "read: '1] x'; expected end of input");
  EXPECT_EQ(parse_json("[\"\xff\"]").error().message,
            "invalid JSON at byte 3: syntax error while parsing value - invalid string: "
            "ill-formed UTF-8 byte; last read: '\"?'");
  using namespace std::string_literals;
  EXPECT_EQ(parse_json("[1]\0[[garbage"s).error().message, "invalid JSON at byte 4: a NUL byte");
  EXPECT_EQ(parse_json("[1,\0]"s).error().message, "invalid JSON at byte 4: a NUL byte");
  EXPECT_EQ(parse_json("[\"a\0\"]"s).error().message, "invalid JSON at byte 4: a NUL byte");
  const std::string unterminated = "\"" + std::string(100'000, 'x');
  EXPECT_EQ(parse_json(unterminated).error().message,
            "invalid JSON at byte 100002: syntax error while parsing value - invalid string: "
            "missing closing quote; last read: '\"" +
                std::string(39, 'x') + "...'");
}

TEST(ParseJson, ReadsBigWideDocuments) {
  std::string text = "[";
  for (int i = 0; i < 100'000; ++i) {
    text += i == 0 ? "" : ",";
    text += R"({"i":)" + std::to_string(i) + R"(,"s":"[{"})";
  }
  text += "]";
  auto parsed = parse_json(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 100'000U);
  EXPECT_EQ((*parsed)[99'999]["i"], 99'999);
  EXPECT_EQ((*parsed)[5]["s"], "[{");
}

TEST(FindExcessNesting, CountsLevelsOutsideStringsOnly) {
  EXPECT_EQ(find_excess_nesting(nested_arrays(128)), 0U);
  EXPECT_EQ(find_excess_nesting(nested_arrays(129)), 129U);
  EXPECT_EQ(find_excess_nesting("[[[", 2), 3U);
  EXPECT_EQ(find_excess_nesting("[]{}[]{}", 1), 0U);
  EXPECT_EQ(find_excess_nesting(R"(["[[[", "\"[[["])", 1), 0U);
  EXPECT_EQ(find_excess_nesting(R"(["\\", [)", 1), 8U);
  EXPECT_EQ(find_excess_nesting(R"("\)", 0), 0U)
      << "a trailing backslash reads nothing past the end";
}

} // namespace
} // namespace homectl::util
