#include "homectl/metrics/history.hpp"
#include "homectl/metrics/history_sampler.hpp"
#include "homectl/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace homectl::metrics {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Time = std::chrono::system_clock::time_point;

constexpr std::int64_t k_base = 1'800'000'000; // a Unix second that is a multiple of 60

Time at(std::int64_t unix_s) {
  return Time(seconds(unix_s));
}

SeriesId plain(std::string name) {
  return SeriesId{std::move(name), {}};
}

Reading reading(const SeriesId& id, double value) {
  return Reading{id, value, false, 0.0, 0.0};
}

HistoryLimits limits(std::size_t capacity, std::chrono::milliseconds interval = seconds(60)) {
  return HistoryLimits{interval, capacity, std::size_t{16} * 1024 * 1024};
}

std::vector<std::optional<double>> values_of(const SeriesData& data) {
  std::vector<std::optional<double>> out;
  for (const auto& p : data.points) {
    out.push_back(p.value);
  }
  return out;
}

TEST(MetricsHistory, AnswersOnePointPerIntervalWithNullsWhereNothingWasRecorded) {
  History history(limits(10));
  const auto id = plain("requests");
  history.record(at(k_base), {reading(id, 1)});
  history.record(at(k_base + 60), {reading(id, 2)});
  // k_base + 120 skipped (no record at all), k_base + 180 recorded without this series.
  history.record(at(k_base + 180), {});
  history.record(at(k_base + 240), {reading(id, 5)});

  const auto answer =
      history.query(HistoryQuery{"requests", {}, seconds(300), {}, 1000}, at(k_base + 300));
  ASSERT_EQ(answer.size(), 1U);
  EXPECT_EQ(answer[0].step_s, 60);
  ASSERT_EQ(answer[0].points.size(), 5U);
  EXPECT_EQ(answer[0].points[0].unix_s, k_base);
  EXPECT_EQ(answer[0].points[4].unix_s, k_base + 240);
  EXPECT_EQ(values_of(answer[0]),
            (std::vector<std::optional<double>>{1.0, 2.0, std::nullopt, std::nullopt, 5.0}));
}

TEST(MetricsHistory, TheIntervalInProgressIsNotAnswered) {
  History history(limits(10));
  history.record(at(k_base), {reading(plain("requests"), 1)});
  const auto answer =
      history.query(HistoryQuery{"requests", {}, seconds(120), {}, 1000}, at(k_base + 59));
  ASSERT_EQ(answer.size(), 1U);
  for (const auto& p : answer[0].points) {
    EXPECT_LT(p.unix_s, k_base);
    EXPECT_FALSE(p.value);
  }
}

TEST(MetricsHistory, WrapsAroundAndForgetsWhatIsOlderThanTheRing) {
  History history(limits(4));
  const auto id = plain("requests");
  for (int i = 0; i < 10; ++i) {
    history.record(at(k_base + 60 * i), {reading(id, i)});
  }
  const auto answer =
      history.query(HistoryQuery{"requests", {}, seconds(3600), {}, 1000}, at(k_base + 600));
  ASSERT_EQ(answer.size(), 1U);
  // Only the last four intervals are kept, whatever `since` asks for.
  EXPECT_EQ(values_of(answer[0]), (std::vector<std::optional<double>>{6.0, 7.0, 8.0, 9.0}));
  EXPECT_EQ(answer[0].points.front().unix_s, k_base + 360);

  // A gap longer than the ring clears everything.
  history.record(at(k_base + 6000), {});
  const auto later =
      history.query(HistoryQuery{"requests", {}, seconds(3600), {}, 1000}, at(k_base + 6060));
  ASSERT_EQ(later.size(), 1U);
  for (const auto& p : later[0].points) {
    EXPECT_FALSE(p.value);
  }
  // An interval older than the ring is ignored.
  history.record(at(k_base), {reading(id, 42)});
  const auto again =
      history.query(HistoryQuery{"requests", {}, seconds(3600), {}, 1000}, at(k_base + 6060));
  for (const auto& p : again[0].points) {
    EXPECT_FALSE(p.value);
  }
}

TEST(MetricsHistory, DownsamplesToTheStepWithMeansAndKeepsMinAndMaxOfValues) {
  History history(limits(100));
  const SeriesId value{"value", {{"source", "weather"}, {"value", "temp"}}};
  const auto requests = plain("requests");
  // Steps are aligned to multiples of the step: k_base is a multiple of 300.
  static_assert(k_base % 300 == 0);
  const double temps[] = {10, 12, 11, 15, 14, 20};
  for (int i = 0; i < 6; ++i) {
    Reading r{value, temps[i], true, temps[i] - 1, temps[i] + 1};
    history.record(at(k_base + 60 * i), {r, reading(requests, i < 3 ? 1.0 : 3.0)});
  }
  const auto answer = history.query(
      HistoryQuery{"value", {{"source", "weather"}}, seconds(600), seconds(300), 1000},
      at(k_base + 600));
  ASSERT_EQ(answer.size(), 1U);
  EXPECT_TRUE(answer[0].ranged);
  EXPECT_EQ(answer[0].step_s, 300);
  ASSERT_EQ(answer[0].points.size(), 2U);
  const auto& first = answer[0].points[0];
  EXPECT_EQ(first.unix_s, k_base);
  EXPECT_DOUBLE_EQ(*first.value, (10 + 12 + 11 + 15 + 14) / 5.0);
  EXPECT_DOUBLE_EQ(*first.min, 9);
  EXPECT_DOUBLE_EQ(*first.max, 16);
  EXPECT_DOUBLE_EQ(*answer[0].points[1].value, 20);

  const auto mean = history.query(HistoryQuery{"requests", {}, seconds(600), seconds(600), 1000},
                                  at(k_base + 600));
  ASSERT_EQ(mean.size(), 1U);
  ASSERT_EQ(mean[0].points.size(), 1U);
  EXPECT_DOUBLE_EQ(*mean[0].points[0].value, (1 + 1 + 1 + 3 + 3 + 3) / 6.0);
  EXPECT_FALSE(mean[0].points[0].min); // plain series have no range
}

TEST(MetricsHistory, FiltersByLabelsAndGrowsTheStepToFitMaxPoints) {
  History history(limits(1000));
  for (const auto* source : {"a", "b", "c"}) {
    history.record(at(k_base), {reading(SeriesId{"age", {{"source", source}}}, 1)});
  }
  const auto one =
      history.query(HistoryQuery{"age", {{"source", "b"}}, {}, {}, 100'000}, at(k_base + 60));
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0].id.label("source"), "b");
  EXPECT_EQ(
      history.query(HistoryQuery{"age", {{"source", "zz"}}, {}, {}, 100'000}, at(k_base)).size(),
      0U);

  const auto all = history.query(HistoryQuery{"age", {}, {}, {}, 300}, at(k_base + 60));
  ASSERT_EQ(all.size(), 3U);
  std::size_t points = 0;
  for (const auto& s : all) {
    points += s.points.size();
    EXPECT_GT(s.step_s, 60);
  }
  EXPECT_LE(points, 300U);
}

TEST(MetricsHistory, MemoryIsBoundedAndReported) {
  const std::size_t capacity = 2880;
  History history(HistoryLimits{seconds(60), capacity, 200 * 1024});
  const auto empty = history.bytes();
  history.record(at(k_base), {reading(plain("requests"), 1)});
  const auto one = history.bytes();
  EXPECT_GE(one - empty, capacity * sizeof(float));
  EXPECT_LT(one - empty, capacity * sizeof(float) + 1024);

  std::vector<Reading> many;
  for (int i = 0; i < 100; ++i) {
    many.push_back(Reading{SeriesId{"value", {{"source", "s" + std::to_string(i)}, {"value", "v"}}},
                           1.0, true, 1.0, 1.0});
  }
  history.record(at(k_base + 60), many);
  EXPECT_LE(history.bytes(), std::size_t{200} * 1024);
  EXPECT_GT(history.refused_series(), 0U);
  // Series kept still record; dropping series frees their memory.
  history.retain([](const SeriesId& id) { return id.name == "requests"; });
  EXPECT_EQ(history.bytes(), one);
  EXPECT_EQ(history.list().size(), 1U);
}

TEST(MetricsHistory, DefaultsFitTwentySourcesWithThreeValuesInFourMebibytes) {
  History history(limits(2880));
  std::vector<Reading> readings;
  for (const auto* name : {"requests", "errors", "latency_p95", "cache_hit_ratio"}) {
    readings.push_back(reading(plain(name), 1));
  }
  for (int s = 0; s < 20; ++s) {
    const auto source = "source-" + std::to_string(s);
    for (const auto* name : {"fetches", "failures", "fetch_duration", "age"}) {
      readings.push_back(reading(SeriesId{name, {{"source", source}}}, 1));
    }
    for (int v = 0; v < 3; ++v) {
      readings.push_back(
          Reading{SeriesId{"value", {{"source", source}, {"value", "value_" + std::to_string(v)}}},
                  1.0, true, 1.0, 1.0});
    }
  }
  history.record(at(k_base), readings);
  EXPECT_EQ(history.list().size(), 4U + 20 * 4 + 20 * 3);
  EXPECT_LE(history.bytes(), std::size_t{4} * 1024 * 1024);
}

// Two registry snapshots one minute apart give the interval's readings.
TEST(MetricsHistorySampler, ReadsRatesLatencyRatioAndSourceSeriesFromTheRegistry) {
  Registry registry;
  auto& requests =
      registry.counter("homectl_http_requests_total", "r", {"route", "method", "code"});
  auto& latency = registry.histogram("homectl_http_request_duration_seconds", "l", {"route"});
  auto& lookups = registry.counter("homectl_cache_lookups_total", "c", {"source", "result"});
  auto& fetches = registry.counter("homectl_source_requests_total", "f", {"source", "outcome"});
  auto& failures = registry.counter("homectl_source_failures_total", "f", {"source", "reason"});
  auto& duration = registry.histogram("homectl_source_request_duration_seconds", "d", {"source"});
  auto& success = registry.gauge("homectl_source_last_success_timestamp_seconds", "s", {"source"});
  auto& values = registry.sampled_gauge("homectl_source_value", "v", {"source", "value"});
  double temp = 21.5;
  auto sample =
      values.add({"weather", "temp"}, [&temp]() -> std::optional<double> { return temp; });

  requests.with({"/live", "GET", "200"}).inc(10);
  const auto earlier = registry.snapshot();
  requests.with({"/live", "GET", "200"}).inc(100);
  requests.with({"/v1/sources/{name}", "GET", "503"}).inc(20);
  for (int i = 0; i < 20; ++i) {
    latency.with({"/v1/sources/{name}"}).observe(0.004);
  }
  lookups.with({"weather", "hit"}).inc(3);
  lookups.with({"weather", "miss"}).inc(1);
  fetches.with({"weather", "ok"}).inc(2);
  failures.with({"weather", "timeout"}).inc(1);
  duration.with({"weather"}).observe(0.2);
  duration.with({"weather"}).observe(0.4);
  success.with({"weather"}).set(k_base - 30);
  const auto later = registry.snapshot();

  ValueExtremes extremes;
  extremes.note("weather", "temp", 19.0);
  extremes.note("weather", "temp", 25.0);
  const SourceValues sources{{"weather", {"temp"}}, {"idle", {}}};
  const auto readings = sample_interval(later, earlier, 60.0, k_base, sources, extremes.take());

  std::map<std::string, const Reading*> by_key;
  for (const auto& r : readings) {
    std::string key = r.id.name;
    for (const auto& [name, value] : r.id.labels) {
      key += "," + value;
    }
    by_key[key] = &r;
  }
  ASSERT_TRUE(by_key.contains("requests"));
  EXPECT_DOUBLE_EQ(by_key["requests"]->value, 120.0 / 60);
  EXPECT_DOUBLE_EQ(by_key["errors"]->value, 20.0 / 60);
  ASSERT_TRUE(by_key.contains("latency_p95"));
  EXPECT_GT(by_key["latency_p95"]->value, 0.0025);
  EXPECT_LE(by_key["latency_p95"]->value, 0.005);
  EXPECT_DOUBLE_EQ(by_key["cache_hit_ratio"]->value, 0.75);
  EXPECT_DOUBLE_EQ(by_key["fetches,weather"]->value, 2.0 / 60);
  EXPECT_DOUBLE_EQ(by_key["failures,weather"]->value, 1.0 / 60);
  EXPECT_NEAR(by_key["fetch_duration,weather"]->value, 0.3, 1e-9);
  EXPECT_DOUBLE_EQ(by_key["age,weather"]->value, 30.0);
  ASSERT_TRUE(by_key.contains("value,weather,temp"));
  const auto& t = *by_key["value,weather,temp"];
  EXPECT_TRUE(t.ranged);
  EXPECT_DOUBLE_EQ(t.value, 21.5);
  EXPECT_DOUBLE_EQ(t.min, 19.0);
  EXPECT_DOUBLE_EQ(t.max, 25.0);
  // A source with no refresh in the interval: zero refreshes, but no
  // duration, age or values to record.
  EXPECT_DOUBLE_EQ(by_key["fetches,idle"]->value, 0.0);
  EXPECT_FALSE(by_key.contains("fetch_duration,idle"));
  EXPECT_FALSE(by_key.contains("age,idle"));

  // The next interval without traffic: no latency, no hit ratio.
  const auto quiet = sample_interval(registry.snapshot(), later, 60.0, k_base + 60, sources, {});
  for (const auto& r : quiet) {
    EXPECT_NE(r.id.name, "latency_p95");
    EXPECT_NE(r.id.name, "cache_hit_ratio");
  }
}

TEST(MetricsRegistry, SnapshotHoldsWhatRenderShows) {
  Registry registry;
  registry.counter("a_total", "a", {"z", "b"}).with({"1", "2"}).inc(3);
  registry.histogram("h_seconds", "h", {"route"}, {0.1, 1}).with({"/x"}).observe(0.5);
  auto& sampled = registry.sampled_gauge("s", "s", {"k"});
  auto keep = sampled.add({"v"}, []() -> std::optional<double> { return 7.0; });
  auto skip = sampled.add({"w"}, []() -> std::optional<double> { return std::nullopt; });
  const auto snapshot = registry.snapshot();
  const auto parsed = parse_prometheus_text(registry.render());
  ASSERT_TRUE(parsed);
  ASSERT_EQ(snapshot.families.size(), parsed->families.size());
  for (std::size_t i = 0; i < snapshot.families.size(); ++i) {
    const auto& a = snapshot.families[i];
    const auto& b = parsed->families[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    ASSERT_EQ(a.samples.size(), b.samples.size()) << a.name;
    for (std::size_t j = 0; j < a.samples.size(); ++j) {
      EXPECT_EQ(a.samples[j].name, b.samples[j].name);
      EXPECT_EQ(a.samples[j].labels, b.samples[j].labels);
      EXPECT_DOUBLE_EQ(a.samples[j].value, b.samples[j].value);
    }
  }
}

} // namespace
} // namespace homectl::metrics
