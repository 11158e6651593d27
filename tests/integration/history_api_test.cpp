// The in-memory history through the real binary: `history.interval: "1s"`,
// traffic and a source with values, then the shapes and numbers of
// GET /v1/history, its errors, reloads and homectl_history_bytes.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace homectl::test {
namespace {

using nlohmann::json;

json get_json(const DaemonProcess& daemon, const std::string& target, int status = 200) {
  const auto r = request(daemon.port(), "GET", target);
  if (!r || r->status != status) {
    ADD_FAILURE() << target << ": "
                  << (r ? std::to_string(r->status) + " " + r->body : "no answer");
    return json();
  }
  return json::parse(r->body);
}

// The points of the answer's series whose value is not null.
std::vector<json> non_null(const json& series) {
  std::vector<json> out;
  for (const auto& p : series.at("points")) {
    if (!p.at(1).is_null()) {
      out.push_back(p);
    }
  }
  return out;
}

json weather_config(const FakeUpstream& up) {
  return json{{"history", {{"interval", "1s"}, {"retention", "10m"}}},
              {"sources",
               {{"weather",
                 {{"url", up.url("/weather")},
                  {"ttl", "1s"},
                  {"refresh", "1s"},
                  {"retries", 0},
                  {"values", {{"temp", "/temp"}, {"wind", "/wind"}}}}},
                {"plug", {{"url", up.url("/plug")}, {"refresh", "off"}}}}}};
}

TEST(HistoryApi, RecordsRequestsRefreshesAndValuesEveryInterval) {
  FakeUpstream up;
  up.on("/weather", {FakeResponse::json(R"({"temp": 20.5, "wind": 3})")});
  up.on("/plug", {FakeResponse::json(R"({"on": true})")});
  DaemonProcess daemon(weather_config(up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(request(daemon.port(), "GET", "/v1/sources/weather"));
  }
  // Wait until a few intervals with values have been recorded.
  ASSERT_TRUE(poll_until(
      [&] {
        const auto doc = get_json(daemon, "/v1/history?series=value&source=weather&since=1m");
        return doc.is_object() && doc["series"].size() == 2 &&
               non_null(doc["series"][0]).size() >= 2;
      },
      20s))
      << daemon.output();

  const auto list = get_json(daemon, "/v1/history");
  EXPECT_EQ(list["enabled"], true);
  EXPECT_EQ(list["interval_s"], 1);
  EXPECT_EQ(list["retention_s"], 600);
  EXPECT_GT(list["bytes"].get<double>(), 0);
  std::set<std::string> names;
  for (const auto& s : list["series"]) {
    std::string key = s["name"];
    for (const auto& [label, value] : s["labels"].items()) {
      key += "," + value.get<std::string>();
    }
    names.insert(key);
    EXPECT_TRUE(s.contains("unit"));
  }
  for (const auto* expected :
       {"requests", "errors", "fetches,weather", "failures,weather", "fetch_duration,weather",
        "age,weather", "value,weather,temp", "value,weather,wind", "fetches,plug"}) {
    EXPECT_TRUE(names.contains(expected)) << expected << " in " << list.dump();
  }

  const auto values = get_json(daemon, "/v1/history?series=value&source=weather&since=1m");
  ASSERT_EQ(values["series"].size(), 2U);
  for (const auto& s : values["series"]) {
    EXPECT_EQ(s["name"], "value");
    EXPECT_EQ(s["labels"]["source"], "weather");
    EXPECT_EQ(s["step_s"], 1);
    // Every interval of the last minute is there; before the daemon started they are null.
    EXPECT_GE(s["points"].size(), 59U);
    EXPECT_LE(s["points"].size(), 61U);
    const auto seen = non_null(s);
    ASSERT_FALSE(seen.empty());
    const double expected = s["labels"]["value"] == "temp" ? 20.5 : 3.0;
    for (const auto& p : seen) {
      ASSERT_EQ(p.size(), 4U) << p.dump(); // [time, value, min, max]
      EXPECT_DOUBLE_EQ(p[1].get<double>(), expected);
      EXPECT_DOUBLE_EQ(p[2].get<double>(), expected);
      EXPECT_DOUBLE_EQ(p[3].get<double>(), expected);
    }
    EXPECT_TRUE(s["points"][0][1].is_null()) << "the minute before the start is not recorded";
  }

  const auto requests = get_json(daemon, "/v1/history?series=requests&since=30s");
  ASSERT_EQ(requests["series"].size(), 1U);
  double total = 0;
  for (const auto& p : non_null(requests["series"][0])) {
    ASSERT_EQ(p.size(), 2U);
    total += p[1].get<double>();
  }
  EXPECT_GE(total, 20.0) << requests.dump(); // per-second rates over 1 s intervals

  // Downsampled: one point per 10 s, aligned to multiples of 10 s.
  const auto coarse =
      get_json(daemon, "/v1/history?series=fetches&source=weather&since=1m&step=10s");
  ASSERT_EQ(coarse["series"].size(), 1U);
  EXPECT_EQ(coarse["series"][0]["step_s"], 10);
  for (const auto& p : coarse["series"][0]["points"]) {
    EXPECT_EQ(p[0].get<std::int64_t>() % 10, 0);
  }
  EXPECT_LE(coarse["series"][0]["points"].size(), 7U);

  const auto metrics = request(daemon.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  const auto bytes = metric_value(metrics->body, "homectl_history_bytes", {});
  ASSERT_TRUE(bytes);
  EXPECT_GT(*bytes, 0);
  EXPECT_LT(*bytes, 4.0 * 1024 * 1024);
}

TEST(HistoryApi, BadQueriesGetProblemsThatNameTheParameter) {
  FakeUpstream up;
  up.on("/weather", {FakeResponse::json(R"({"temp": 1})")});
  up.on("/plug", {FakeResponse::json("{}")});
  DaemonProcess daemon(weather_config(up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const struct {
    std::string target;
    int status;
    std::string mentions;
  } cases[] = {
      {"/v1/history?series=requets", 404, "did you mean \"requests\""},
      {"/v1/history?series=age&source=wether", 404, "wether"},
      {"/v1/history?series=requests&since=yesterday", 400, "since"},
      {"/v1/history?series=requests&step=-5m", 400, "step"},
      {"/v1/history?series=requests&since=0s", 400, "since"},
      {"/v1/history?series=requests&limit=5", 400, "limit"},
      {"/v1/history?series=" + std::string(5000, 'x'), 404, "..."},
  };
  for (const auto& c : cases) {
    const auto r = request(daemon.port(), "GET", c.target);
    ASSERT_TRUE(r) << c.target;
    EXPECT_EQ(r->status, c.status) << c.target << ": " << r->body;
    EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
    const auto detail = json::parse(r->body).value("detail", "");
    EXPECT_NE(detail.find(c.mentions), std::string::npos) << r->body;
    EXPECT_LT(r->body.size(), 1024U);
  }
  // A huge `since` is cut to what is kept, and the answer stays bounded.
  ASSERT_TRUE(poll_until(
      [&] { return !get_json(daemon, "/v1/history?series=requests")["series"].empty(); }, 10s));
  const auto all = get_json(daemon, "/v1/history?series=requests&since=3650d&step=1s");
  ASSERT_EQ(all["series"].size(), 1U);
  EXPECT_LE(all["series"][0]["points"].size(), 601U);
}

TEST(HistoryApi, OffAnswersEmptyAndReloadsStartOrDropSeries) {
  FakeUpstream up;
  up.on("/weather", {FakeResponse::json(R"({"temp": 1, "wind": 2})")});
  up.on("/plug", {FakeResponse::json("{}")});
  auto config = weather_config(up);
  config["history"]["enabled"] = false;
  DaemonProcess daemon(config);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto off = get_json(daemon, "/v1/history");
  EXPECT_EQ(off["enabled"], false);
  EXPECT_TRUE(off["series"].empty());
  get_json(daemon, "/v1/history?series=requests", 404);

  // On by reload.
  config["history"]["enabled"] = true;
  daemon.write_config(config);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(poll_until(
      [&] {
        const auto doc = get_json(daemon, "/v1/history");
        for (const auto& s : doc["series"]) {
          if (s["name"] == "value" && s["labels"]["value"] == "wind") {
            return true;
          }
        }
        return false;
      },
      15s))
      << daemon.output();

  // A value and a source removed by reload lose their series.
  config["sources"]["weather"]["values"] = {{"temp", "/temp"}};
  config["sources"].erase("plug");
  daemon.write_config(config);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(poll_until(
      [&] {
        const auto doc = get_json(daemon, "/v1/history");
        for (const auto& s : doc["series"]) {
          if (s["labels"].value("value", "") == "wind" ||
              s["labels"].value("source", "") == "plug") {
            return false;
          }
        }
        return !doc["series"].empty();
      },
      15s))
      << daemon.output();
}

} // namespace
} // namespace homectl::test
