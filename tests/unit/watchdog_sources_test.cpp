#include "homectl/util/clock.hpp"
#include "homectl/watchdog/message.hpp"
#include "homectl/watchdog/notifier.hpp"
#include "homectl/watchdog/silence.hpp"
#include "homectl/watchdog/source_tracking.hpp"
#include "homectl/watchdog/watchdog.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace homectl;
using namespace homectl::watchdog;
using namespace std::chrono_literals;

namespace {

// A notifier that records what it was sent (a heartbeat records its beats).
class RecordingNotifier final : public Notifier {
public:
  RecordingNotifier(std::string key, bool heartbeat) : m_key(std::move(key)), m_heart(heartbeat) {}
  std::string key() const override { return m_key; }
  DeliveryResult deliver(const Notification& n, const std::string& /*url*/) override {
    calls.push_back(n);
    return {true, "ok", std::nullopt};
  }
  bool is_heartbeat() const override { return m_heart; }
  std::optional<DeliveryResult> beat(DaemonState found, bool silenced) override {
    beats.emplace_back(found, silenced);
    return DeliveryResult{true, "ok", std::nullopt};
  }
  std::string m_key;
  bool m_heart;
  std::vector<Notification> calls;
  std::vector<std::pair<DaemonState, bool>> beats;
};

// A daemon answer: `failing` maps names to the output of their failing check.
std::string health(const std::vector<std::string>& passing,
                   const std::map<std::string, std::string>& failing) {
  nlohmann::json checks = nlohmann::json::object();
  for (const auto& name : passing) {
    checks["source:" + name] = {{{"status", "pass"}, {"state", "fresh"}}};
  }
  for (const auto& [name, output] : failing) {
    checks["source:" + name] = {{{"status", "warn"}, {"output", output}}};
  }
  checks["redis:connection"] = {{{"status", "pass"}}};
  return nlohmann::json{{"status", "pass"}, {"checks", checks}}.dump();
}

Observation seen(const std::string& body, DaemonState state = DaemonState::up) {
  Observation o{state, std::string(to_string(state)), ""};
  o.sources = source_readings(body);
  o.sources_seen = true;
  return o;
}

class SourceWatch : public ::testing::Test {
protected:
  void make(config::WatchedSources watched, int failures = 2) {
    auto n = std::make_unique<RecordingNotifier>("webhook#1 hook", false);
    auto h = std::make_unique<RecordingNotifier>("heartbeat#1 hc", true);
    notifier = n.get();
    heartbeat = h.get();
    std::vector<std::unique_ptr<Notifier>> list;
    list.push_back(std::move(n));
    list.push_back(std::move(h));
    WatchdogSettings settings;
    settings.url = "http://127.0.0.1:8080";
    settings.thresholds = {failures, 1, std::nullopt};
    settings.sources = std::move(watched);
    dog = std::make_unique<Watchdog>(std::move(settings), std::move(list), clock,
                                     [](std::chrono::milliseconds) {});
  }
  RunReport run(const Observation& o) {
    auto r = dog->apply(file, o);
    clock.advance(60s);
    return r;
  }

  util::ManualClock clock;
  WatchdogFile file;
  std::unique_ptr<Watchdog> dog;
  RecordingNotifier* notifier = nullptr;
  RecordingNotifier* heartbeat = nullptr;
};

const config::WatchedSources k_all{config::WatchedSources::Mode::all, {}};

} // namespace

TEST(SourceReadings, ReadsSourceChecksAndTheirCause) {
  const auto readings =
      source_readings(health({"plug"}, {{"weather", "refresh failing, serving stale: upstream "
                                                    "status 503"}}));
  ASSERT_EQ(readings.size(), 2U);
  EXPECT_EQ(readings[0].name, "plug");
  EXPECT_FALSE(readings[0].failing);
  EXPECT_EQ(readings[1].name, "weather");
  EXPECT_TRUE(readings[1].failing);
  EXPECT_EQ(readings[1].cause, "upstream status 503");
}

TEST(SourceReadings, IgnoresWhatIsNotASourceCheckOrNotAValidName) {
  const std::string body =
      R"({"checks":{"source:Bad Name":[{"status":"fail"}],"source:":[],"sources:x":[],)"
      R"("source:ok":"not an array","source:deep":[[[[1]]]]}})";
  const auto readings = source_readings(body);
  ASSERT_EQ(readings.size(), 2U);
  EXPECT_EQ(readings[0].name, "deep");
  EXPECT_TRUE(readings[0].failing);
  EXPECT_EQ(readings[1].name, "ok");
  EXPECT_TRUE(readings[1].failing) << "a check that is not an array of passes fails";
  EXPECT_TRUE(source_readings("not json").empty());
  EXPECT_TRUE(source_readings(std::string(100'000, '[')).empty());
}

TEST(SourceReadings, TakesAtMost256Sources) {
  nlohmann::json checks = nlohmann::json::object();
  for (int i = 0; i < 300; ++i) {
    checks["source:s" + std::to_string(1000 + i)] = {{{"status", "pass"}}};
  }
  EXPECT_EQ(source_readings(nlohmann::json{{"checks", checks}}.dump()).size(), 256U);
}

TEST(SourceReadings, CauseIsOneBoundedLine) {
  EXPECT_EQ(source_cause("nothing servable: timed out"), "timed out");
  EXPECT_EQ(source_cause("required source has nothing servable: HTTP 500"), "HTTP 500");
  EXPECT_EQ(source_cause("circuit breaker open"), "circuit breaker open");
  EXPECT_EQ(source_cause("a\nb\rc"), "a b c");
  EXPECT_EQ(source_cause(std::string(500, 'x')).size(), 200U);
}

TEST(Message, SpansHaveAtMostTwoUnits) {
  EXPECT_EQ(format_span(45s), "45 s");
  EXPECT_EQ(format_span(0s), "0 s");
  EXPECT_EQ(format_span(-5s), "0 s");
  EXPECT_EQ(format_span(5min), "5 min");
  EXPECT_EQ(format_span(2h + 5min + 7s), "2 h 5 min");
  EXPECT_EQ(format_span(2h + 7s), "2 h");
  EXPECT_EQ(format_span(std::chrono::hours(24 * 3 + 4) + 59min), "3 d 4 h");
  EXPECT_EQ(format_span(1min + 30s), "1 min 30 s");
}

TEST(Message, ChangeLines) {
  const WallTime t{std::chrono::seconds(1'800'000'000)};
  const std::string clock = format_clock(t);
  EXPECT_EQ(clock.size(), 5U);
  EXPECT_EQ(
      change_line("weather", "failing", DaemonState::down, t, {}, "upstream status 503", false),
      "weather failing since " + clock + ": upstream status 503");
  EXPECT_EQ(change_line("weather", "failing", DaemonState::down, t, {}, "x", true),
            "weather still failing since " + clock + ": x");
  EXPECT_EQ(change_line("weather", "failing", DaemonState::up, t + 2h + 5min, t, "", false),
            "weather recovered after 2 h 5 min");
}

TEST_F(SourceWatch, RequiredTracksNoSourceAndKeepsTodaysMessages) {
  make({});
  run(seen(health({"weather"}, {})));
  run(seen(health({}, {{"weather", "nothing servable: timed out"}})));
  run(seen(health({}, {{"weather", "nothing servable: timed out"}})));
  EXPECT_TRUE(file.sources.empty());
  EXPECT_TRUE(notifier->calls.empty());
}

TEST_F(SourceWatch, SourcesUseTheDaemonsThresholdsAndFirstRunIsSilent) {
  make(k_all);
  EXPECT_FALSE(run(seen(health({"plug", "weather"}, {}))).notification);
  ASSERT_EQ(file.sources.size(), 2U);
  const std::map<std::string, std::string> failing{
      {"weather", "refresh failing, serving stale: upstream status 503"}};
  EXPECT_FALSE(run(seen(health({"plug"}, failing))).notification) << "threshold 2";
  const auto failed_at = clock.wall();
  const auto r = run(seen(health({"plug"}, failing)));
  ASSERT_TRUE(r.notification);
  const auto& n = *r.notification;
  EXPECT_FALSE(n.daemon_changed);
  EXPECT_EQ(n.state, DaemonState::up);
  ASSERT_EQ(n.sources.size(), 1U);
  EXPECT_EQ(n.sources[0].message,
            "weather failing since " + format_clock(failed_at) + ": upstream status 503");
  EXPECT_EQ(title_of(n), "homectl: weather failing");
  EXPECT_EQ(text_of(n), n.sources[0].message);
  ASSERT_EQ(notifier->calls.size(), 1U);

  run(seen(health({"plug", "weather"}, {})));
  ASSERT_EQ(notifier->calls.size(), 2U);
  EXPECT_EQ(notifier->calls[1].sources[0].message, "weather recovered after 1 min");
  EXPECT_EQ(title_of(notifier->calls[1]), "homectl: weather recovered");
}

TEST_F(SourceWatch, ChangesOfOneRunGoOutAsOneNotification) {
  make(k_all, 1);
  run(seen(health({"a", "b", "c"}, {})));
  const auto r = run(
      seen(health({"c"}, {{"a", "nothing servable: x"}, {"b", "HTTP 500"}}), DaemonState::down));
  ASSERT_TRUE(r.notification);
  EXPECT_TRUE(r.notification->daemon_changed);
  EXPECT_EQ(r.notification->sources.size(), 2U);
  EXPECT_EQ(title_of(*r.notification), "homectl is DOWN (2 sources failing)");
  ASSERT_EQ(notifier->calls.size(), 1U) << "one message per notifier, not one per change";
  const auto lines = text_of(notifier->calls[0]);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2) << lines;
  EXPECT_TRUE(lines.starts_with("homectl down since ")) << lines;
  const auto hook = nlohmann::json::parse(webhook_body(notifier->calls[0], "http://d"));
  EXPECT_EQ(hook["state"], "down");
  EXPECT_EQ(hook["previous"], "up");
  ASSERT_EQ(hook["sources"].size(), 2U);
  EXPECT_EQ(hook["sources"][0]["source"], "a");
  EXPECT_EQ(hook["sources"][0]["state"], "failing");
  EXPECT_TRUE(hook["sources"][0]["since"].get<std::string>().ends_with("Z"));
  EXPECT_TRUE(hook["sources"][1]["message"].get<std::string>().ends_with(": HTTP 500"));
}

TEST_F(SourceWatch, AListedSourceTheDaemonDoesNotReportIsNotReportedNotAnError) {
  make({config::WatchedSources::Mode::list, {"ghost", "weather"}}, 1);
  const auto r = run(seen(health({"weather"}, {})));
  EXPECT_FALSE(r.notification);
  ASSERT_EQ(file.sources.size(), 2U);
  EXPECT_EQ(file.sources[0].name, "ghost");
  EXPECT_FALSE(file.sources[0].reported);
  EXPECT_EQ(file.sources[0].machine.reported, DaemonState::unknown);
  EXPECT_TRUE(file.sources[1].reported);
}

TEST_F(SourceWatch, NoSourceIsJudgedWhileTheDaemonIsUnreachable) {
  make(k_all, 1);
  run(seen(health({"weather"}, {})));
  Observation gone{DaemonState::unreachable, "unreachable: refused", ""};
  const auto r = run(gone);
  ASSERT_TRUE(r.notification);
  EXPECT_TRUE(r.notification->sources.empty());
  ASSERT_EQ(file.sources.size(), 1U);
  EXPECT_EQ(file.sources[0].machine.reported, DaemonState::up);
}

TEST_F(SourceWatch, RemindersNameTheSource) {
  make(k_all, 1);
  dog = nullptr;
  auto n = std::make_unique<RecordingNotifier>("webhook#1 hook", false);
  notifier = n.get();
  std::vector<std::unique_ptr<Notifier>> list;
  list.push_back(std::move(n));
  WatchdogSettings settings;
  settings.thresholds = {1, 1, std::chrono::milliseconds(5min)};
  settings.sources = k_all;
  dog = std::make_unique<Watchdog>(std::move(settings), std::move(list), clock,
                                   [](std::chrono::milliseconds) {});
  run(seen(health({"weather"}, {})));
  for (int i = 0; i < 6; ++i) {
    run(seen(health({}, {{"weather", "HTTP 500"}})));
  }
  ASSERT_EQ(notifier->calls.size(), 2U);
  EXPECT_TRUE(notifier->calls[1].sources[0].message.starts_with("weather still failing since "));
  EXPECT_EQ(title_of(notifier->calls[1]), "homectl: weather still failing");
}

TEST_F(SourceWatch, SilenceRecordsChangesAndEndsWithOneSummary) {
  make(k_all, 1);
  run(seen(health({"a", "b"}, {})));
  begin_silence(file, clock.wall() + 10min, "router swap", clock.wall());
  auto r = run(seen(health({}, {{"a", "HTTP 500"}, {"b", "HTTP 502"}}), DaemonState::down));
  EXPECT_FALSE(r.notification);
  EXPECT_EQ(r.held, 3U);
  EXPECT_EQ(file.machine.reported, DaemonState::down) << "recorded while silenced";
  r = run(seen(health({"b"}, {{"a", "HTTP 500"}})));
  EXPECT_TRUE(notifier->calls.empty());
  ASSERT_EQ(heartbeat->beats.size(), 3U);
  EXPECT_TRUE(heartbeat->beats[1].second) << "heartbeats go on, told of the silence";

  EXPECT_TRUE(end_silence(file, clock.wall()));
  r = run(seen(health({"b"}, {{"a", "HTTP 500"}})));
  ASSERT_TRUE(r.notification);
  EXPECT_TRUE(r.silence_ended);
  EXPECT_FALSE(file.silence);
  const auto& n = *r.notification;
  EXPECT_TRUE(n.summary);
  EXPECT_FALSE(n.daemon_changed) << "down and back up: nothing to say about the daemon";
  ASSERT_EQ(n.sources.size(), 1U) << "b failed and recovered: no difference";
  EXPECT_EQ(n.sources[0].source, "a");
  EXPECT_TRUE(n.sources[0].message.ends_with(": HTTP 500")) << n.sources[0].message;
  EXPECT_EQ(title_of(n), "homectl silence over: a failing");
  EXPECT_EQ(notifier->calls.size(), 1U);
  EXPECT_FALSE(heartbeat->beats.back().second);
}

TEST_F(SourceWatch, SilenceWithNothingDifferentEndsQuietly) {
  make(k_all, 1);
  run(seen(health({"a"}, {})));
  begin_silence(file, clock.wall() + 90s, "", clock.wall());
  run(seen(health({}, {{"a", "HTTP 500"}})));
  run(seen(health({"a"}, {})));
  const auto r = run(seen(health({"a"}, {})));
  EXPECT_TRUE(r.silence_ended);
  EXPECT_FALSE(r.notification);
  EXPECT_TRUE(notifier->calls.empty());
}

TEST_F(SourceWatch, ASecondSilenceKeepsWhatWasAnnouncedBeforeTheFirst) {
  make(k_all, 1);
  run(seen(health({"a"}, {})));
  begin_silence(file, clock.wall() + 1min, "one", clock.wall());
  const auto first = *file.silence;
  run(seen(health({}, {{"a", "x"}})));
  begin_silence(file, clock.wall() + 1h, "two", clock.wall());
  EXPECT_EQ(file.silence->sources, first.sources);
  EXPECT_EQ(file.silence->reason, "two");
  EXPECT_EQ(file.silence->started, first.started);
}

TEST_F(SourceWatch, ManyChangesAreBoundedInOneNotification) {
  make(k_all, 1);
  std::vector<std::string> names;
  std::map<std::string, std::string> failing;
  for (int i = 0; i < 200; ++i) {
    names.push_back("source-" + std::to_string(100 + i));
    failing[names.back()] = std::string(150, 'e');
  }
  run(seen(health(names, {})));
  const auto r = run(seen(health({}, failing)));
  ASSERT_TRUE(r.notification);
  EXPECT_LE(r.notification->sources.size(), 64U);
  EXPECT_EQ(r.notification->sources.size() + r.notification->sources_left_out, 200U);
  EXPECT_TRUE(text_of(*r.notification).ends_with("more source changes"));
  EXPECT_LE(serialize_state(file).size(), k_max_state_file_size);
}

TEST_F(SourceWatch, TheQueueGivesWayBeforeTheStateFileOutgrowsItsCap) {
  make(k_all, 1);
  std::vector<std::string> names;
  std::map<std::string, std::string> failing;
  for (int i = 0; i < 256; ++i) {
    names.push_back("source-" + std::to_string(100 + i));
    failing[names.back()] = std::string(200, 'e');
  }
  // A notifier that never takes anything keeps every notification queued.
  dog = nullptr;
  class Refusing final : public Notifier {
  public:
    std::string key() const override { return "webhook#1 x"; }
    DeliveryResult deliver(const Notification&, const std::string&) override {
      return {false, "HTTP 500", std::nullopt};
    }
  };
  std::vector<std::unique_ptr<Notifier>> list;
  list.push_back(std::make_unique<Refusing>());
  WatchdogSettings settings;
  settings.thresholds = {1, 1, std::nullopt};
  settings.sources = k_all;
  settings.attempts_per_run = 1;
  dog = std::make_unique<Watchdog>(std::move(settings), std::move(list), clock,
                                   [](std::chrono::milliseconds) {});
  for (int i = 0; i < 40; ++i) {
    run(seen(health(i % 2 == 0 ? names : std::vector<std::string>{},
                    i % 2 == 0 ? decltype(failing){} : failing)));
  }
  EXPECT_LE(serialize_state(file).size(), k_max_state_file_size);
  EXPECT_GT(file.queue.size(), 1U);
}
