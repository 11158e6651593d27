#include "homectl/sources/pick.hpp"

#include <gtest/gtest.h>

namespace homectl::sources {
namespace {

TEST(Pick, NoPointersKeepsTheBodyAsIs) {
  auto r = apply_pick("not even json", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "not even json");
}

TEST(Pick, KeysArePointersAndValuesThePickedValues) {
  auto r = apply_pick(R"({"current":{"temp":3.5,"wind":7},"hourly":[1,2,3],"a/b":{"~x":true}})",
                      {"/current/temp", "/hourly/1", "/a~1b/~0x", "/current"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, R"({"/a~1b/~0x":true,"/current":{"temp":3.5,"wind":7},"/current/temp":3.5,)"
                R"("/hourly/1":2})");
}

TEST(Pick, WholeDocumentPointer) {
  auto r = apply_pick(R"([1,2])", {""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, R"({"":[1,2]})");
}

TEST(Pick, InvalidJsonIsAnError) {
  auto r = apply_pick("{\"a\":", {"/a"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "pick: upstream body: invalid JSON at byte 6: syntax error while "
                               "parsing value - unexpected end of input; expected '[', '{', or a "
                               "literal");
}

TEST(Pick, DeepBodyIsRefusedBeforeItIsCopied) {
  // Copying and dumping the picked value recurse once per level; 400000 levels
  // once overflowed the stack.
  const std::string deep =
      R"({"current":)" + std::string(400'000, '[') + std::string(400'000, ']') + "}";
  auto r = apply_pick(deep, {"/current"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "pick: upstream body: JSON nests deeper than 128 levels at byte 139");

  const std::string at_bound =
      R"({"current":)" + std::string(127, '[') + std::string(127, ']') + "}";
  auto ok = apply_pick(at_bound, {"/current"});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, R"({"/current":)" + std::string(127, '[') + std::string(127, ']') + "}");
}

TEST(Pick, MissingPointerIsAnError) {
  auto r = apply_pick(R"({"a":{"b":1},"list":[1]})", {"/a/c"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "pick: \"/a/c\" not found in the upstream JSON");
  EXPECT_FALSE(apply_pick(R"({"list":[1]})", {"/list/5"}).ok());
  EXPECT_FALSE(apply_pick(R"({"list":[1]})", {"/list/x"}).ok());
  EXPECT_FALSE(apply_pick(R"({"list":[1]})", {"/list/-"}).ok());
  EXPECT_FALSE(apply_pick(R"(3)", {"/a"}).ok());
}

TEST(Pick, MalformedPointerIsAnError) {
  auto r = apply_pick(R"({"a":1})", {"a"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "pick: \"a\" is not a JSON Pointer (e.g. /current/temperature)");
  EXPECT_FALSE(apply_pick(R"({"a":1})", {"/a~2"}).ok());
}

} // namespace
} // namespace homectl::sources
