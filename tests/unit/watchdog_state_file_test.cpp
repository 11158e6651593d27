#include "homectl/watchdog/state_file.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <fstream>
#include <random>

using namespace homectl;
using namespace homectl::watchdog;

namespace {

class StateFile : public ::testing::Test {
protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("homectl-state-" + std::to_string(std::random_device{}()));
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

WatchdogFile sample() {
  WatchdogFile file;
  file.machine.reported = DaemonState::down;
  file.machine.since = WallTime(std::chrono::milliseconds(1'800'000'000'123));
  file.machine.failure_streak = 4;
  file.machine.kind_streak = 2;
  file.machine.last_failure = DaemonState::down;
  file.machine.last_notified = WallTime(std::chrono::milliseconds(1'800'000'060'000));
  file.machine.last_message = "not ready: \"plug\"\n";
  PendingDelivery d;
  d.id = 7;
  d.notifier = "webhook#1 127.0.0.1:9";
  d.notification.state = DaemonState::down;
  d.notification.previous = DaemonState::up;
  d.notification.since = file.machine.since;
  d.notification.message = "not ready";
  d.notification.checks_json = R"({"a":[{"status":"fail"}]})";
  d.attempts = 3;
  d.created = file.machine.since;
  d.next_attempt = WallTime(std::chrono::milliseconds(1'800'000'090'000));
  d.last_error = "HTTP 500";
  file.queue.push_back(d);
  file.next_id = 8;
  return file;
}

void expect_same(const WatchdogFile& a, const WatchdogFile& b) {
  EXPECT_EQ(a.machine, b.machine);
  EXPECT_EQ(a.next_id, b.next_id);
  ASSERT_EQ(a.queue.size(), b.queue.size());
  for (std::size_t i = 0; i < a.queue.size(); ++i) {
    EXPECT_EQ(a.queue[i].id, b.queue[i].id);
    EXPECT_EQ(a.queue[i].notifier, b.queue[i].notifier);
    EXPECT_EQ(a.queue[i].attempts, b.queue[i].attempts);
    EXPECT_EQ(a.queue[i].created, b.queue[i].created);
    EXPECT_EQ(a.queue[i].next_attempt, b.queue[i].next_attempt);
    EXPECT_EQ(a.queue[i].last_error, b.queue[i].last_error);
    EXPECT_EQ(a.queue[i].notification.state, b.queue[i].notification.state);
    EXPECT_EQ(a.queue[i].notification.previous, b.queue[i].notification.previous);
    EXPECT_EQ(a.queue[i].notification.since, b.queue[i].notification.since);
    EXPECT_EQ(a.queue[i].notification.message, b.queue[i].notification.message);
    EXPECT_EQ(a.queue[i].notification.checks_json, b.queue[i].notification.checks_json);
  }
}

} // namespace

TEST_F(StateFile, RoundTripsThroughTheDisk) {
  const auto path = dir / "sub" / "watchdog.json";
  auto saved = save_state_file(path, sample());
  ASSERT_TRUE(saved) << saved.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir / "sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  auto loaded = load_state_file(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  expect_same(*loaded, sample());
}

TEST_F(StateFile, MissingFileIsAFreshState) {
  auto loaded = load_state_file(dir / "nope.json");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->machine.reported, DaemonState::unknown);
  EXPECT_TRUE(loaded->queue.empty());
}

TEST_F(StateFile, ReplacesAtomicallyAndLeavesNoTemporaryFiles) {
  const auto path = dir / "watchdog.json";
  ASSERT_TRUE(save_state_file(path, WatchdogFile{}));
  ASSERT_TRUE(save_state_file(path, sample()));
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  // The file was replaced, not rewritten in place: a reader holding the old
  // file still sees the old, complete content.
  std::ifstream old_reader(path);
  ASSERT_TRUE(save_state_file(path, WatchdogFile{}));
  std::string old_text((std::istreambuf_iterator<char>(old_reader)), {});
  EXPECT_EQ(old_text, serialize_state(sample()));
}

TEST_F(StateFile, DamagedFileNamesTheFileAndTheField) {
  std::filesystem::create_directories(dir);
  const auto path = dir / "watchdog.json";
  std::ofstream(path) << "{not json";
  EXPECT_EQ(load_state_file(path).error().message,
            path.string() + ": damaged watchdog state: invalid JSON at byte 3: syntax error "
                            "while parsing object key - invalid literal; last read: '{no'; "
                            "expected string literal");
  std::ofstream(path, std::ios::trunc)
      << R"({"v":1,"next_id":1,"queue":[],"machine":{"reported":"sideways"}})";
  EXPECT_EQ(load_state_file(path).error().message,
            path.string() + ": damaged watchdog state: machine.reported is \"sideways\", not up, "
                            "down, unreachable or unknown");
  std::ofstream(path, std::ios::trunc) << R"({"v":2})";
  EXPECT_EQ(load_state_file(path).error().message,
            path.string() + ": damaged watchdog state: unsupported version (expected \"v\": 1)");
}

TEST_F(StateFile, EveryCreatedDirectoryIs0700AndTheFile0600) {
  const auto path = dir / "a" / "b" / "watchdog.json";
  const mode_t old_umask = ::umask(0);
  auto saved = save_state_file(path, sample());
  ::umask(old_umask);
  ASSERT_TRUE(saved) << saved.error().message;
  for (const auto& d : {dir, dir / "a", dir / "a" / "b"}) {
    struct stat st {};
    ASSERT_EQ(::stat(d.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700U) << d;
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
}

TEST_F(StateFile, ASymbolicLinkIsNeitherReadNorReplaced) {
  std::filesystem::create_directories(dir);
  const auto target = dir / "target";
  std::ofstream(target) << serialize_state(sample());
  const auto path = dir / "watchdog.json";
  std::filesystem::create_symlink(target, path);
  EXPECT_EQ(load_state_file(path).error().message,
            path.string() + ": is a symbolic link; refusing to follow it");
  EXPECT_EQ(save_state_file(path, WatchdogFile{}).error().message,
            path.string() + ": is a symbolic link; refusing to replace it");
  EXPECT_TRUE(std::filesystem::is_symlink(path));
  EXPECT_EQ(load_state_file(target)->queue.size(), 1U);
}

TEST_F(StateFile, AnythingButARegularFileIsRefused) {
  std::filesystem::create_directories(dir / "watchdog.json");
  EXPECT_EQ(load_state_file(dir / "watchdog.json").error().message,
            (dir / "watchdog.json").string() + ": not a regular file");
  EXPECT_EQ(save_state_file(dir / "watchdog.json", WatchdogFile{}).error().message,
            (dir / "watchdog.json").string() + ": not a regular file; refusing to replace it");
}

TEST_F(StateFile, TooLargeOrTooDeepIsDamaged) {
  std::filesystem::create_directories(dir);
  const auto path = dir / "watchdog.json";
  std::ofstream(path) << std::string(k_max_state_file_size + 1, ' ');
  EXPECT_EQ(load_state_file(path).error().message,
            path.string() + ": larger than 1024 KiB; not a watchdog state file");
  EXPECT_EQ(parse_state(std::string(100'000, '[')).error().message,
            "JSON nests deeper than 8 levels at byte 9");
  // Brackets inside strings do not count.
  auto text = serialize_state(sample());
  text.replace(text.find("not ready: "), 11, std::string(20, '['));
  EXPECT_TRUE(parse_state(text)) << text;
}

TEST_F(StateFile, WrongShapesAreErrorsNotExceptions) {
  EXPECT_EQ(parse_state(R"({"v":"1"})").error().message, "unsupported version (expected \"v\": 1)");
  EXPECT_EQ(parse_state(R"({"v":1,"machine":[],"queue":[],"next_id":1})").error().message,
            "machine is not an object");
  auto text = serialize_state(sample());
  auto doc = nlohmann::json::parse(text);
  doc["queue"] = nlohmann::json::object({{"a", 1}});
  EXPECT_EQ(parse_state(doc.dump()).error().message, "queue is not an array");
  doc["queue"] = nlohmann::json::array({1});
  EXPECT_EQ(parse_state(doc.dump()).error().message, "queue[0] is not an object");
  doc = nlohmann::json::parse(text);
  doc["machine"]["reported"] = std::string(1000, 'x');
  EXPECT_EQ(parse_state(doc.dump()).error().message,
            "machine.reported is \"" + std::string(40, 'x') +
                "...\", not up, down, unreachable or unknown");
}

TEST_F(StateFile, DeliveriesKeyedByUrlByOlderVersionsAreDropped) {
  auto file = sample();
  auto legacy = file.queue[0];
  legacy.id = 3;
  legacy.notifier = "webhook https://u:pw@ha.lan/api/webhook/secret";
  file.queue.insert(file.queue.begin(), legacy);
  legacy.id = 4;
  legacy.notifier = "command /usr/bin/notify --token secret";
  file.queue.push_back(legacy);
  auto parsed = parse_state(serialize_state(file));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->dropped_legacy, 2U);
  expect_same(*parsed, sample());
}

TEST_F(StateFile, UnwritableDirectoryIsAnError) {
  auto saved = save_state_file("/proc/homectl-test/watchdog.json", WatchdogFile{});
  ASSERT_FALSE(saved);
  EXPECT_NE(saved.error().message.find("/proc/homectl-test"), std::string::npos);
}

TEST(StatePath, FollowsRuntimeDirectoryThenXdgThenRun) {
  std::map<std::string, std::string> env;
  auto lookup = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional(it->second);
  };
  EXPECT_EQ(default_state_path(lookup), "/run/homectl/watchdog.json");
  env["XDG_RUNTIME_DIR"] = "/run/user/1000";
  EXPECT_EQ(default_state_path(lookup), "/run/user/1000/homectl/watchdog.json");
  env["RUNTIME_DIRECTORY"] = "/run/homectl-watchdog:/run/other";
  EXPECT_EQ(default_state_path(lookup), "/run/homectl-watchdog/watchdog.json");
}
