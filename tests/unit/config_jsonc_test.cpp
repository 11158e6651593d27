#include "homectl/config/jsonc.hpp"

#include <gtest/gtest.h>

namespace homectl::config {
namespace {

std::string error_text(const JsoncResult& r) {
  if (!r.error) {
    return "<ok>";
  }
  return std::to_string(r.error->position.line) + ":" + std::to_string(r.error->position.column) +
         ": " + r.error->message;
}

TEST(ConfigJsonc, ParsesCommentsAndTrailingCommas) {
  const auto r = parse_jsonc(R"(// leading comment
{
  /* block
     comment */ "a": 1, // after a value
  "b": [true, false, null, "x",],
  "c": {"d": -2.5e1, "e": "\u00e9\ud83d\ude00\n",},
}
)");
  ASSERT_FALSE(r.error) << error_text(r);
  EXPECT_EQ(r.document.value["a"], 1);
  EXPECT_EQ(r.document.value["b"].size(), 4U);
  EXPECT_DOUBLE_EQ(r.document.value["c"]["d"].get<double>(), -25.0);
  EXPECT_EQ(r.document.value["c"]["e"], "\xC3\xA9\xF0\x9F\x98\x80\n");
}

TEST(ConfigJsonc, RemembersPositionsOfValuesAndKeys) {
  const auto r = parse_jsonc("{\n  \"sources\": {\n    \"weather\": { \"ttl\": \"abc\" }\n  },\n"
                             "  \"list\": [1,\n    \"two\"]\n}");
  ASSERT_FALSE(r.error) << error_text(r);
  const auto& values = r.document.value_positions;
  const auto& keys = r.document.key_positions;
  EXPECT_EQ(values.at(""), (Position{1, 1}));
  EXPECT_EQ(values.at("/sources/weather/ttl"), (Position{3, 25}));
  EXPECT_EQ(keys.at("/sources/weather/ttl"), (Position{3, 18}));
  EXPECT_EQ(keys.at("/sources/weather"), (Position{3, 5}));
  EXPECT_EQ(values.at("/list/1"), (Position{6, 5}));
}

TEST(ConfigJsonc, CountsColumnsInCharactersNotBytes) {
  const auto r = parse_jsonc("{\"\xC3\xA9\xC3\xA9\": 1, \"x\": 2}");
  ASSERT_FALSE(r.error) << error_text(r);
  EXPECT_EQ(r.document.value_positions.at("/x"), (Position{1, 16}));
}

TEST(ConfigJsonc, EscapesPointerTokens) {
  const auto r = parse_jsonc(R"({"a/b": {"c~d": 1}})");
  ASSERT_FALSE(r.error) << error_text(r);
  EXPECT_EQ(r.document.value_positions.at("/a~1b/c~0d"), (Position{1, 17}));
}

TEST(ConfigJsonc, ReportsDuplicateKeys) {
  const auto r = parse_jsonc(R"({"a": 1, "a": 2})");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.document.duplicate_keys, std::vector<std::string>{"/a"});
  EXPECT_EQ(r.document.value["a"], 2);
}

TEST(ConfigJsonc, SyntaxErrorsNameLineColumnAndText) {
  EXPECT_EQ(error_text(parse_jsonc("{\n  \"a\": 1\n  \"b\": 2\n}")),
            R"(3:3: unexpected """: expected "," or "}" after the value of "a")");
  EXPECT_EQ(
      error_text(parse_jsonc("{\n  \"ttl\": 5s\n}")),
      R"(2:10: "5s" is not a valid number (strings such as durations need double quotes: "5s"))");
  EXPECT_EQ(
      error_text(parse_jsonc("{\"a\": tru}")),
      R"(1:7: unexpected "tru": expected a value (string, number, object, array, true, false or null))");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": 'x'}")),
            R"(1:7: unexpected "'x'": strings need double quotes)");
  EXPECT_EQ(error_text(parse_jsonc("{\n\"a\": [1, 2\n")),
            R"(2:6: unterminated array: "[" has no matching "]")");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": 1")),
            R"(1:1: unterminated object: "{" has no matching "}")");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": \"x}")), "1:7: unterminated string");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": \"x\ny\"}")),
            "1:7: unterminated string (strings cannot span lines)");
  EXPECT_EQ(error_text(parse_jsonc("{} x")),
            R"(1:4: unexpected "x" after the end of the JSON value)");
  EXPECT_EQ(error_text(parse_jsonc("{/* open")), R"(1:2: unterminated comment "/*")");
  EXPECT_EQ(error_text(parse_jsonc(R"({"a": "\q"})")), R"(1:9: bad escape "\q" in a string)");
  EXPECT_EQ(error_text(parse_jsonc("{a: 1}")),
            R"(1:2: unexpected "a": expected a member name in double quotes or "}")");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\" 1}")), R"(1:6: unexpected "1": expected ":" after "a")");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": 99999999999999999999}")),
            "1:7: number 99999999999999999999 is too large");
  EXPECT_EQ(
      error_text(parse_jsonc("{\"a\": 01}")),
      R"(1:7: "01" is not a valid number (strings such as durations need double quotes: "01"))");
}

TEST(ConfigJsonc, RejectsEmptyBinaryInvalidUtf8AndHugeText) {
  EXPECT_EQ(error_text(parse_jsonc("")), "0:0: the file is empty (expected a JSON object: {...})");
  EXPECT_EQ(error_text(parse_jsonc(" \n\t")),
            "0:0: the file is empty (expected a JSON object: {...})");
  EXPECT_EQ(error_text(parse_jsonc("// only a comment\n")),
            "2:1: the file has no JSON value (expected an object: {...})");
  EXPECT_EQ(error_text(parse_jsonc(std::string("{\"a\":\n 1\0\0", 10))),
            "2:3: the file contains a NUL byte: it looks binary, not JSON text");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": \"\xff\"}")),
            "1:8: the file is not valid UTF-8 text (bad byte sequence)");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": \"\xC0\xAF\"}")),
            "1:8: the file is not valid UTF-8 text (bad byte sequence)");
  const std::string huge = "{\"a\": \"" + std::string(k_max_jsonc_size, 'x') + "\"}";
  EXPECT_EQ(error_text(parse_jsonc(huge)), "0:0: the file is too large (" +
                                               std::to_string(huge.size()) +
                                               " bytes; at most 1 MiB)");
  EXPECT_FALSE(parse_jsonc("\xEF\xBB\xBF{}").error); // a BOM is fine
}

TEST(ConfigJsonc, LimitsNestingDepthWithoutCrashing) {
  const std::string deep(100'000, '[');
  EXPECT_EQ(error_text(parse_jsonc(deep)), "1:65: nesting deeper than 64 levels");
  std::string ok_depth(k_max_jsonc_depth, '[');
  ok_depth += std::string(k_max_jsonc_depth, ']');
  EXPECT_FALSE(parse_jsonc(ok_depth).error);
}

TEST(ConfigJsonc, RejectsBadSurrogatesAndControlCharacters) {
  EXPECT_EQ(error_text(parse_jsonc(R"({"a": "\ud800x"})")),
            "1:14: bad \\u escape: a high surrogate must be followed by a low one");
  EXPECT_EQ(error_text(parse_jsonc(R"({"a": "\udc00"})")),
            "1:14: bad \\u escape: a lone low surrogate");
  EXPECT_EQ(error_text(parse_jsonc("{\"a\": \"x\ty\"}")),
            "1:9: control character in a string (write it as an escape, e.g. \\t)");
}

} // namespace
} // namespace homectl::config
