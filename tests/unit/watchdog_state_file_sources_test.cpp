#include "homectl/watchdog/silence.hpp"
#include "homectl/watchdog/state_file.hpp"
#include "homectl/watchdog/status.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

using namespace homectl;
using namespace homectl::watchdog;
using namespace std::chrono_literals;

namespace {

WallTime at(long long ms) {
  return WallTime(std::chrono::milliseconds(ms));
}

WatchdogFile with_sources() {
  WatchdogFile file;
  file.machine.reported = DaemonState::up;
  file.machine.since = at(1'800'000'000'000);
  SourceTrack weather{"weather", {}, true};
  weather.machine.reported = DaemonState::down;
  weather.machine.since = at(1'800'000'060'000);
  weather.machine.last_message = "upstream status 503";
  weather.machine.last_notified = at(1'800'000'060'000);
  file.sources.push_back(weather);
  file.sources.push_back(SourceTrack{"plug", {}, false});
  begin_silence(file, at(1'800'007'200'000), "NAS backup", at(1'800'000'100'000));
  PendingDelivery d;
  d.id = 3;
  d.notifier = "ntfy#1 ntfy.sh";
  d.notification.daemon_changed = false;
  d.notification.state = d.notification.previous = DaemonState::up;
  d.notification.sources.push_back(SourceChange{"weather", DaemonState::down, DaemonState::up,
                                                at(1'800'000'060'000), "weather failing", false});
  d.notification.sources_left_out = 2;
  d.notification.previous_since = at(1'700'000'000'000);
  d.created = d.next_attempt = at(1'800'000'060'000);
  d.last_error = "HTTP 502";
  file.queue.push_back(d);
  file.next_id = 4;
  return file;
}

std::string with(const std::function<void(nlohmann::json&)>& edit) {
  auto doc = nlohmann::json::parse(serialize_state(with_sources()));
  edit(doc);
  return doc.dump();
}

} // namespace

TEST(StateFileSources, SourcesSilenceAndGroupedNotificationsRoundTrip) {
  const auto file = with_sources();
  const auto back = parse_state(serialize_state(file));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->sources, file.sources);
  ASSERT_TRUE(back->silence);
  EXPECT_EQ(*back->silence, *file.silence);
  EXPECT_EQ(back->silence->sources.at("weather").state, DaemonState::down);
  ASSERT_EQ(back->queue.size(), 1U);
  const auto& n = back->queue[0].notification;
  EXPECT_FALSE(n.daemon_changed);
  EXPECT_EQ(n.sources, file.queue[0].notification.sources);
  EXPECT_EQ(n.sources_left_out, 2U);
  EXPECT_EQ(n.previous_since, at(1'700'000'000'000));
}

TEST(StateFileSources, AFileWithoutTheNewKeysStillLoads) {
  const std::string old = R"({"v":1,"machine":{"reported":"down","since_ms":5,"failure_streak":3,
    "kind_streak":3,"last_failure":"down","success_streak":0,"last_notified_ms":null,
    "last_message":"m"},"queue":[{"id":1,"notifier":"webhook#1 h","attempts":0,"created_ms":1,
    "next_attempt_ms":1,"last_error":"","notification":{"state":"down","previous":"up",
    "since_ms":5,"message":"m","checks":"","reminder":false,"test":false}}],"next_id":2})";
  const auto back = parse_state(old);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->sources.empty());
  EXPECT_FALSE(back->silence);
  ASSERT_EQ(back->queue.size(), 1U);
  EXPECT_TRUE(back->queue[0].notification.daemon_changed);
  EXPECT_TRUE(back->queue[0].notification.sources.empty());
}

TEST(StateFileSources, ADaemonOnlyNotificationIsWrittenAsBefore) {
  WatchdogFile file;
  PendingDelivery d;
  d.notifier = "webhook#1 h";
  file.queue.push_back(d);
  const auto doc = nlohmann::json::parse(serialize_state(file));
  EXPECT_FALSE(doc["queue"][0]["notification"].contains("sources"));
  EXPECT_FALSE(doc.contains("sources"));
  EXPECT_FALSE(doc.contains("silence"));
}

TEST(StateFileSources, BadNamesCountsAndReasonsAreRefusedWithTheirPlace) {
  const auto error_of = [](const std::string& text) {
    auto r = parse_state(text);
    return r ? std::string("(loaded)") : r.error().message;
  };
  EXPECT_EQ(error_of(with([](auto& d) { d["sources"][0]["name"] = "../etc"; })),
            "sources[0].name is not a valid source name");
  EXPECT_EQ(error_of(with([](auto& d) { d["sources"][1]["name"] = "weather"; })),
            "sources[1].name \"weather\" is tracked twice");
  EXPECT_EQ(error_of(with([](auto& d) { d["sources"][0]["machine"]["reported"] = "sideways"; })),
            "sources[0].machine.reported is \"sideways\", not up, down, unreachable or unknown");
  EXPECT_EQ(error_of(with([](auto& d) { d["silence"]["reason"] = "a\nb"; })),
            "silence.reason: holds a control character");
  EXPECT_EQ(error_of(with([](auto& d) { d["silence"]["reason"] = std::string(201, 'r'); })),
            "silence.reason: longer than 200 bytes");
  EXPECT_EQ(
      error_of(with([](auto& d) { d["silence"]["sources"]["Bad Name"] = d["silence"]["daemon"]; })),
      "silence.sources key is not a valid source name");
  EXPECT_EQ(
      error_of(with([](auto& d) { d["queue"][0]["notification"]["sources"][0]["source"] = ""; })),
      "queue[0].notification.sources[0].source is not a valid source name");
  EXPECT_EQ(error_of(with([](auto& d) {
              auto track = d["sources"][0];
              d["sources"] = nlohmann::json::array();
              for (int i = 0; i < 257; ++i) {
                track["name"] = "s" + std::to_string(i);
                d["sources"].push_back(track);
              }
            })),
            "sources has more than 256 entries");
  EXPECT_EQ(error_of(with([](auto& d) { d["silence"] = 5; })), "silence is not an object");
}

TEST(StateFileSources, SilenceReasonRules) {
  EXPECT_FALSE(silence_reason_problem(""));
  EXPECT_FALSE(silence_reason_problem("Umzug des Routers — zurück um 14 Uhr"));
  EXPECT_TRUE(silence_reason_problem(std::string(201, 'x')));
  EXPECT_TRUE(silence_reason_problem("tab\there"));
  EXPECT_TRUE(silence_reason_problem(std::string("del\x7f")));
}

TEST(WatchdogStatus, ShowsWhatIsTrackedTheSilenceAndPendingDeliveries) {
  StatusInput input;
  input.url = "http://127.0.0.1:8080";
  input.state_path = "/run/homectl/watchdog.json";
  input.watched = {config::WatchedSources::Mode::list, {"weather", "plug", "ghost"}};
  input.file = with_sources();
  input.now = at(1'800'000'200'000);
  EXPECT_EQ(tracked_state(input, "weather"), "failing");
  EXPECT_EQ(tracked_state(input, "plug"), "not reported");
  EXPECT_EQ(tracked_state(input, "ghost"), "unknown");
  const auto text = status_text(input);
  EXPECT_NE(text.find("Watching:    http://127.0.0.1:8080\n"), std::string::npos) << text;
  EXPECT_NE(text.find("weather  failing"), std::string::npos) << text;
  EXPECT_NE(text.find("upstream status 503"), std::string::npos) << text;
  EXPECT_NE(text.find("plug     not reported"), std::string::npos) << text;
  EXPECT_NE(text.find("left): NAS backup"), std::string::npos) << text;
  EXPECT_NE(text.find("ntfy#1 ntfy.sh: 1 notification, next attempt "), std::string::npos) << text;
  EXPECT_NE(text.find("last error: HTTP 502"), std::string::npos) << text;

  const auto doc = status_json(input);
  EXPECT_EQ(doc["tracking"], nlohmann::json({"weather", "plug", "ghost"}));
  EXPECT_EQ(doc["daemon"]["state"], "up");
  ASSERT_EQ(doc["sources"].size(), 3U);
  EXPECT_EQ(doc["sources"][0]["state"], "failing");
  EXPECT_EQ(doc["sources"][0]["cause"], "upstream status 503");
  EXPECT_EQ(doc["sources"][1]["state"], "not reported");
  EXPECT_TRUE(doc["sources"][2]["since"].is_null());
  EXPECT_EQ(doc["silence"]["reason"], "NAS backup");
  EXPECT_EQ(doc["silence"]["active"], true);
  EXPECT_EQ(doc["pending"][0]["notifier"], "ntfy#1 ntfy.sh");
  EXPECT_EQ(doc["pending"][0]["count"], 1);
}

TEST(StateFileSources, RootReplacingAnotherUsersFileKeepsItsOwner) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root (as `sudo homectl watchdog silence` runs)";
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("homectl-owner-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto path = dir / "watchdog.json";
  ASSERT_TRUE(save_state_file(path, WatchdogFile{}));
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto file = with_sources();
  ASSERT_TRUE(save_state_file(path, file));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534U);
  EXPECT_EQ(st.st_gid, 65534U);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  std::filesystem::remove_all(dir);
}
