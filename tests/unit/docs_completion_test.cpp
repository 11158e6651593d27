#include "homectl/docs/completion.hpp"

#include "docs_fixture.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/wait.h>

namespace homectl::docs {
namespace {

namespace fs = std::filesystem;

using testing::contains;

TEST(DocsCompletion, ParsesShellNames) {
  EXPECT_EQ(parse_shell("bash"), Shell::bash);
  EXPECT_EQ(parse_shell("zsh"), Shell::zsh);
  EXPECT_EQ(parse_shell("fish"), Shell::fish);
  EXPECT_EQ(parse_shell("tcsh"), std::nullopt);
  EXPECT_EQ(parse_shell("Bash"), std::nullopt);
}

TEST(DocsCompletion, QuotesForTheShell) {
  EXPECT_EQ(shell_quote("plain"), "'plain'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(DocsCompletion, NeedsSourceNamesOnlyWhenACommandTakesThem) {
  auto root = testing::fixture_tree();
  EXPECT_TRUE(needs_source_names(root));
  root.subcommands.erase(root.subcommands.begin() + 1); // drop `cache`
  EXPECT_FALSE(needs_source_names(root));
  EXPECT_FALSE(contains(bash_completion(root), "__homectl_sources"));
  EXPECT_FALSE(contains(zsh_completion(root), "_homectl_sources"));
  EXPECT_FALSE(contains(fish_completion(root), "__homectl_sources"));
}

TEST(DocsCompletion, BashScriptHoldsTheTreeAsData) {
  const auto script = bash_completion(testing::fixture_tree());
  EXPECT_TRUE(contains(script, "  '') REPLY='config cache metrics check-ready' ;;\n"));
  EXPECT_TRUE(contains(script, "  'config') REPLY='validate show' ;;\n"));
  EXPECT_TRUE(contains(script, "  'metrics|--format') REPLY='choice:table prom json' ;;\n"));
  EXPECT_TRUE(contains(script, "  'config show|--config') REPLY='file' ;;\n"))
      << "global options are inherited";
  EXPECT_TRUE(contains(script, "  'cache warm|0') REPLY='source' ;;\n"));
  EXPECT_TRUE(contains(script, "  'cache warm|'*) REPLY='source' ;;\n")) << "variadic";
  EXPECT_TRUE(contains(script, "complete -F _homectl homectl\n"));
  EXPECT_FALSE(contains(script, "'metrics|--watch'")) << "an optional value is never the next word";
}

TEST(DocsCompletion, ZshScriptHasOneFunctionPerCommand) {
  const auto script = zsh_completion(testing::fixture_tree());
  EXPECT_TRUE(script.starts_with("#compdef homectl\n"));
  EXPECT_TRUE(contains(script, "_homectl__config__validate() {\n"));
  EXPECT_TRUE(contains(script, "_homectl__check_ready() {\n"));
  EXPECT_TRUE(contains(script, "    check-ready) _homectl__check_ready && ret=0 ;;\n"));
  EXPECT_TRUE(contains(script, "'--format=[Output format\\: it'\\''s a '\\''choice'\\'']:FMT:"
                               "(table prom json)'"))
      << "colons and quotes in help are escaped";
  EXPECT_TRUE(contains(script, "'(-q --quiet)'{-q,--quiet}'[Print only errors]'"));
  EXPECT_TRUE(contains(script, "'--watch=-[Redraw every DURATION (default 2s)]::DURATION: '"));
  EXPECT_TRUE(contains(script, "    '*:SOURCE:_homectl_sources' \\\n"));
  EXPECT_TRUE(contains(script, "    '1::FILE:_files' \\\n")) << "optional positional";
}

TEST(DocsCompletion, FishScriptConditionsEveryCompletionOnThePath) {
  const auto script = fish_completion(testing::fixture_tree());
  EXPECT_TRUE(contains(script, "complete -c homectl -n '__homectl_at \\'config\\'' -a 'show' "
                               "-d 'Show the config'\n"));
  EXPECT_TRUE(contains(script, "complete -c homectl -n '__homectl_at \\'metrics\\'' -l format "
                               "-x -a 'table prom json' -d 'Output format: it\\'s a "
                               "\\'choice\\''\n"));
  EXPECT_TRUE(contains(script, "-n '__homectl_at \\'cache warm\\'' -a '(__homectl_sources)'"));
  EXPECT_TRUE(contains(script, " 'metrics|--format' ")) << "--format takes a value";
  EXPECT_FALSE(contains(script, "'config show|--origin'")) << "--origin is a flag";
}

// Runs a shell command line and returns its standard output.
std::string run(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) {
    return out;
  }
  std::array<char, 4096> buffer{};
  while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
    out.append(buffer.data(), n);
  }
  return out;
}

// A scratch directory with the generated script and a fake `homectl` that
// lists two sources, as `completion --list-sources` would.
class DocsCompletionInShell : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("homectl-docs-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir / "bin");
    std::ofstream fake(m_dir / "bin" / "homectl");
    fake << "#!/bin/sh\ncase \"$*\" in *\"docs sources\"*) printf 'plug\\nweather\\n' ;; esac\n";
    fake.close();
    fs::permissions(m_dir / "bin" / "homectl", fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(m_dir / name) << text;
    return m_dir / name;
  }

  fs::path m_dir;
};

TEST_F(DocsCompletionInShell, BashCompletesNestedCommandsValuesAndSources) {
  if (run("command -v bash").empty()) {
    GTEST_SKIP() << "bash is not installed";
  }
  const auto script = write("homectl.bash", bash_completion(testing::fixture_tree()));
  const auto driver = write("driver.sh", R"sh(
source "$1"
line=$2
read -ra COMP_WORDS <<<"$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line COMP_POINT=${#line}
_homectl
((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
)sh");
  auto complete = [&](const std::string& line) {
    return run("PATH='" + (m_dir / "bin").string() + "':$PATH bash --norc --noprofile '" +
               driver.string() + "' '" + script.string() + "' '" + line + "'");
  };
  EXPECT_EQ(complete("homectl c"), "cache check-ready config ");
  EXPECT_EQ(complete("homectl config "), "show validate ");
  EXPECT_EQ(complete("homectl -q config s"), "show ");
  EXPECT_EQ(complete("homectl --log-level info config s"), "show ") << "skips option values";
  EXPECT_EQ(complete("homectl metrics --format "), "json prom table ");
  EXPECT_EQ(complete("homectl metrics --watch --f"), "--format ") << "--watch's value is optional";
  EXPECT_EQ(complete("homectl config show --o"), "--origin ");
  EXPECT_EQ(complete("homectl config show --l"), "--log-level ") << "inherited option";
  EXPECT_EQ(complete("homectl cache warm "), "plug weather ");
  EXPECT_EQ(complete("homectl cache warm plug w"), "weather ") << "variadic positional";
  EXPECT_EQ(complete("homectl check-ready "), "") << "nothing to offer";
}

TEST_F(DocsCompletionInShell, FishCompletesNestedCommandsValuesAndSources) {
  if (run("command -v fish").empty()) {
    GTEST_SKIP() << "fish is not installed";
  }
  const auto script = write("homectl.fish", fish_completion(testing::fixture_tree()));
  auto complete = [&](const std::string& line) {
    return run("PATH='" + (m_dir / "bin").string() + "':$PATH fish --no-config -c 'source " +
               script.string() + "; complete -C \"" + line + "\"' | cut -f1 | sort | tr '\\n' ' '");
  };
  EXPECT_EQ(complete("homectl c"), "cache check-ready config ");
  EXPECT_EQ(complete("homectl config "), "show validate ");
  EXPECT_EQ(complete("homectl --log-level info config s"), "show ");
  EXPECT_EQ(complete("homectl metrics --format "), "json prom table ");
  EXPECT_EQ(complete("homectl config show --o"), "--origin ");
  EXPECT_EQ(complete("homectl cache warm "), "plug weather ");
}

} // namespace
} // namespace homectl::docs
