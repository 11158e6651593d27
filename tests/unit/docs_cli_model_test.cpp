#include "docs_fixture.hpp"

#include <gtest/gtest.h>

namespace homectl::docs {
namespace {

TEST(DocsCliModel, FlattenListsEveryCommandWithInheritedOptions) {
  const auto root = testing::fixture_tree();
  const auto views = flatten(root);
  std::vector<std::string> paths;
  for (const auto& view : views) {
    paths.push_back(view.path_string());
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"", "config", "config validate", "config show",
                                             "cache", "cache warm", "metrics", "check-ready"}));
  const auto& validate = views[2];
  ASSERT_EQ(validate.options.size(), 5U) << "four global options and --strict";
  EXPECT_EQ(validate.options.front()->primary(), "--help");
  EXPECT_EQ(validate.options.back()->primary(), "--strict");
}

TEST(DocsCliModel, SpellingsPutShortNamesFirst) {
  const auto root = testing::fixture_tree();
  EXPECT_EQ(root.options[3].spellings(), (std::vector<std::string>{"-q", "--quiet"}));
  EXPECT_EQ(root.options[3].primary(), "--quiet");
  OptionDoc only_short;
  only_short.short_names = {"v"};
  EXPECT_EQ(only_short.primary(), "-v");
}

TEST(DocsCliModel, UsageShowsOptionalAndVariadicPositionals) {
  const auto root = testing::fixture_tree();
  EXPECT_EQ(usage_arguments(root), "[OPTIONS] COMMAND");
  EXPECT_EQ(usage_arguments(root.subcommands[0].subcommands[0]), "[OPTIONS] [FILE]");
  EXPECT_EQ(usage_arguments(root.subcommands[1].subcommands[0]), "[OPTIONS] [SOURCE...]");
  EXPECT_EQ(usage_arguments(root.subcommands[3]), "");
}

} // namespace
} // namespace homectl::docs
