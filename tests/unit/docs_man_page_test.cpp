#include "homectl/docs/man_page.hpp"

#include "docs_fixture.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unistd.h>
#include <vector>

namespace homectl::docs {
namespace {

using testing::contains;

std::vector<SettingDoc> fixture_settings() {
  return {
      SettingDoc{"server",
                 {"server.listen"},
                 "a listen address",
                 "127.0.0.1:8080",
                 "Where the daemon listens",
                 {"HOMECTL_SERVER_LISTEN"},
                 false,
                 false},
      SettingDoc{"server",
                 {"server.api_token"},
                 "a string",
                 "",
                 ".Bearer token for POST routes",
                 {"HOMECTL_SERVER_API_TOKEN"},
                 true,
                 true},
      SettingDoc{"defaults and sources.<name>",
                 {"defaults.ttl", "sources.<name>.ttl"},
                 "a duration (e.g. 30s, 5m)",
                 "5m",
                 "How long a value is fresh",
                 {"HOMECTL_DEFAULTS_TTL", "HOMECTL_SOURCES_<NAME>_TTL"},
                 false,
                 true},
  };
}

const ManualInfo k_info{"9.8.7", "2026-01-02"};

TEST(DocsManPage, Section1HasHeaderAndEveryCommand) {
  const auto page = homectl_1(testing::fixture_tree(), fixture_settings(), k_info);
  EXPECT_TRUE(contains(page, ".TH HOMECTL 1 2026-01-02 \"homectl 9.8.7\" \"homectl manual\"\n"));
  EXPECT_TRUE(contains(page, ".SS \"homectl config validate [OPTIONS] [FILE]\"\n"));
  EXPECT_TRUE(contains(page, ".SS \"homectl cache warm [OPTIONS] [SOURCE...]\"\n"));
  EXPECT_TRUE(contains(page, ".SS \"homectl check\\-ready\"\n"));
  EXPECT_TRUE(contains(page, "\\fBhomectl config show\\fR [OPTIONS]\n")) << "synopsis";
  EXPECT_TRUE(contains(page, ".TP\n\\fB\\-q\\fR, \\fB\\-\\-quiet\\fR\nPrint only errors.\n"));
  EXPECT_TRUE(contains(page, ".TP\n\\fB\\-\\-format\\fR \\fIFMT\\fR\n"
                             "Output format: it's a 'choice'.\n"
                             "One of: table, prom, json.\n"
                             "Default: table.\n"));
  EXPECT_TRUE(contains(page, ".TP\n\\fB\\-\\-watch\\fR[=\\fIDURATION\\fR]\n"));
}

TEST(DocsManPage, Section1ExitStatusFollowsTheCommandsPresent) {
  auto root = testing::fixture_tree();
  auto page = homectl_1(root, {}, k_info);
  EXPECT_TRUE(contains(page, ".SH EXIT STATUS\n.TP\n0\n"));
  EXPECT_TRUE(contains(page, ".TP\n64\n"));
  EXPECT_TRUE(contains(page, "check\\-ready follows the Nagios plugin convention"));
  EXPECT_FALSE(contains(page, ".TP\n78\n")) << "no serve in the fixture";
  EXPECT_TRUE(contains(page, "*/5 * * * * homectl check\\-ready")) << "the cron example";

  root.subcommands.pop_back(); // drop check-ready
  page = homectl_1(root, {}, k_info);
  EXPECT_FALSE(contains(page, "Nagios"));
  EXPECT_FALSE(contains(page, "homectl check\\-ready"));
}

TEST(DocsManPage, Section1EnvironmentListsCliAndSettingVariablesOnce) {
  const auto page = homectl_1(testing::fixture_tree(), fixture_settings(), k_info);
  for (const char* name :
       {"HOMECTL_CONFIG", "HOMECTL_URL", "HOMECTL_TOKEN", "HOMECTL_SERVER_LISTEN",
        "HOMECTL_SOURCES_<NAME>_TTL", "NOTIFY_SOCKET"}) {
    const std::string item = std::string(".TP\n.B ") + name + "\n";
    const auto first = page.find(item);
    EXPECT_NE(first, std::string::npos) << name;
    EXPECT_EQ(page.find(item, first + 1), std::string::npos) << name << " is listed twice";
  }
  EXPECT_TRUE(contains(page, ".B HOMECTL_SERVER_API_TOKEN\nSets \\%server.api_token (secret).\n"));
}

TEST(DocsManPage, Section5ListsEverySettingWithTypeDefaultAndEnvironment) {
  const auto page = homectl_json_5(fixture_settings(), k_info);
  EXPECT_TRUE(contains(page, ".TH HOMECTL.JSON 5 2026-01-02 \"homectl 9.8.7\""));
  EXPECT_TRUE(contains(page, ".SS \"server\"\n.TP\n.B server.listen\n"));
  EXPECT_TRUE(contains(page,
                       ".TP\n.B defaults.ttl\n.TQ\n.B sources.<name>.ttl\n"
                       "How long a value is fresh.\n"
                       ".br\nType: a duration (e.g. 30s, 5m).\n"
                       ".br\nDefault: 5m.\n"
                       ".br\nEnvironment: \\%HOMECTL_DEFAULTS_TTL, \\%HOMECTL_SOURCES_<NAME>_TTL.\n"
                       ".br\nApplied on reload (SIGHUP).\n"));
  EXPECT_TRUE(contains(page, ".B server.api_token\n\\&.Bearer token for POST routes.\n"))
      << "a leading dot is escaped";
  EXPECT_TRUE(contains(page, "Secret: shown as <redacted>"));
  EXPECT_TRUE(contains(page, "Needs a restart to change."));
}

// Runs `mandoc -Tlint` on a page and returns its complaints ("" when clean).
std::string mandoc_lint(const std::string& page, const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("homectl-docs-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << page;
  std::string out;
  const auto command = "mandoc -Tlint '" + path.string() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  std::array<char, 4096> buffer{};
  while (pipe && std::fgets(buffer.data(), buffer.size(), pipe.get())) {
    out += buffer.data();
  }
  std::filesystem::remove(path);
  return out;
}

TEST(DocsManPage, GeneratedPagesPassMandocLint) {
  if (std::system("command -v mandoc >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "mandoc is not installed";
  }
  EXPECT_EQ(
      mandoc_lint(homectl_1(testing::fixture_tree(), fixture_settings(), k_info), "homectl.1"), "");
  EXPECT_EQ(mandoc_lint(homectl_json_5(fixture_settings(), k_info), "homectl.json.5"), "");
}

} // namespace
} // namespace homectl::docs
