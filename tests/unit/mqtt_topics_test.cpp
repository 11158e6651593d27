#include "homectl/mqtt/topics.hpp"

#include <gtest/gtest.h>

#include <set>

namespace homectl::mqtt {
namespace {

using nlohmann::json;

Topics topics() {
  return Topics{"homectl", "homeassistant", "homectl-nas"};
}

Device device() {
  return Device{"nas", "0.1.0", "http://nas:8080/"};
}

config::SourceConfig weather() {
  config::SourceConfig source;
  source.name = "weather";
  source.url = "https://api.example.com/";
  config::ValueSpec temperature{"/current/temperature_2m"};
  temperature.unit = "°C";
  temperature.device_class = "temperature";
  temperature.state_class = "measurement";
  source.values = {{"temperature", temperature}, {"wind", "/current/wind"}};
  return source;
}

TEST(MqttTopics, NamesEveryTopicUnderThePrefix) {
  const auto t = topics();
  EXPECT_EQ(t.status(), "homectl/status");
  EXPECT_EQ(t.events(), "homectl/events");
  EXPECT_EQ(t.state("weather"), "homectl/sources/weather/state");
  EXPECT_EQ(t.refresh("weather"), "homectl/sources/weather/refresh");
  EXPECT_EQ(t.refresh_filter(), "homectl/sources/+/refresh");
  EXPECT_EQ(t.home_assistant_status(), "homeassistant/status");
  EXPECT_EQ(t.discovery("sensor", "weather_temperature"),
            "homeassistant/sensor/homectl-nas/weather_temperature/config");
}

TEST(MqttTopics, ReadsTheSourceOfARefreshTopicOnly) {
  const auto t = topics();
  EXPECT_EQ(t.source_of_refresh("homectl/sources/plug-1/refresh"),
            std::optional<std::string>("plug-1"));
  EXPECT_EQ(t.source_of_refresh("homectl/sources//refresh"), std::nullopt);
  EXPECT_EQ(t.source_of_refresh("homectl/sources/a/b/refresh"), std::nullopt);
  EXPECT_EQ(t.source_of_refresh("homectl/sources/a/state"), std::nullopt);
  EXPECT_EQ(t.source_of_refresh("other/sources/a/refresh"), std::nullopt);
  EXPECT_EQ(t.source_of_refresh("homectl/sources/refresh"), std::nullopt);
  EXPECT_EQ(t.source_of_refresh(""), std::nullopt);
}

TEST(MqttTopics, RecognisesOnlyItsOwnDiscoveryConfigs) {
  const auto t = topics();
  EXPECT_EQ(t.discovery_filter(), "homeassistant/+/homectl-nas/+/config");
  EXPECT_TRUE(t.is_own_discovery("homeassistant/sensor/homectl-nas/weather_t/config"));
  EXPECT_TRUE(t.is_own_discovery("homeassistant/binary_sensor/homectl-nas/ready/config"));
  EXPECT_FALSE(t.is_own_discovery("homeassistant/sensor/other/weather_t/config"));
  EXPECT_FALSE(t.is_own_discovery("homeassistant/sensor/homectl-nas/a/b/config"));
  EXPECT_FALSE(t.is_own_discovery("homeassistant/homectl-nas/x/config"));
  EXPECT_FALSE(t.is_own_discovery("homeassistant//homectl-nas/x/config"));
  EXPECT_FALSE(t.is_own_discovery("homeassistant/sensor/homectl-nas//config"));
  EXPECT_FALSE(t.is_own_discovery("homeassistant/config"));
  EXPECT_FALSE(t.is_own_discovery("homeassistant/status"));
}

TEST(MqttTopics, DefaultClientIdIsTheShortHostName) {
  EXPECT_EQ(default_client_id("nas"), "homectl-nas");
  EXPECT_EQ(default_client_id("nas.lan"), "homectl-nas");
  EXPECT_EQ(default_client_id("my host+1"), "homectl-my_host_1");
  EXPECT_EQ(default_client_id(""), "homectl-host");
  EXPECT_EQ(default_client_id(std::string(300, 'a')).size(), 64U);
}

TEST(MqttTopics, StatePayloadHoldsStateValuesUpdatedAndError) {
  SourceReport report;
  report.name = "weather";
  report.state = "fresh";
  report.values = {{"temperature", 21.5}, {"wind", 3}};
  report.updated = "2026-12-07T10:00:00.000Z";
  EXPECT_EQ(json::parse(state_payload(report)),
            json::parse(R"({"state":"fresh","values":{"temperature":21.5,"wind":3},
                            "updated":"2026-12-07T10:00:00.000Z","error":null})"));
  SourceReport failing;
  failing.state = "error";
  failing.error = "timeout after 5s\n\"quoted\"";
  const auto parsed = json::parse(state_payload(failing));
  EXPECT_EQ(parsed["values"], json::object());
  EXPECT_TRUE(parsed["updated"].is_null());
  EXPECT_EQ(parsed["error"], "timeout after 5s\n\"quoted\"");
  // Bytes that are not UTF-8 never make the payload invalid JSON.
  failing.error = std::string("bad \xff byte");
  EXPECT_FALSE(json::parse(state_payload(failing), nullptr, false).is_discarded());
}

TEST(MqttDiscovery, SensorsCarryWhatTheValueDeclares) {
  const auto messages = discovery_messages(topics(), device(), {weather()});
  std::map<std::string, json> by_topic;
  for (const auto& m : messages) {
    by_topic[m.topic] = json::parse(m.payload);
  }
  ASSERT_EQ(messages.size(), 5U); // 2 sensors, problem, button, readiness
  const auto& sensor = by_topic.at("homeassistant/sensor/homectl-nas/weather_temperature/config");
  EXPECT_EQ(sensor["unique_id"], "homectl-nas_weather_temperature");
  EXPECT_EQ(sensor["name"], "weather temperature");
  EXPECT_EQ(sensor["state_topic"], "homectl/sources/weather/state");
  EXPECT_EQ(sensor["value_template"], "{{ value_json.values.temperature }}");
  EXPECT_EQ(sensor["availability_topic"], "homectl/status");
  EXPECT_EQ(sensor["unit_of_measurement"], "°C");
  EXPECT_EQ(sensor["device_class"], "temperature");
  EXPECT_EQ(sensor["state_class"], "measurement");
  EXPECT_EQ(sensor["device"],
            json::parse(R"({"identifiers":["homectl_homectl-nas"],"name":"homectl on nas",
                            "manufacturer":"homectl","model":"homectl","sw_version":"0.1.0",
                            "configuration_url":"http://nas:8080/"})"));
  const auto& wind = by_topic.at("homeassistant/sensor/homectl-nas/weather_wind/config");
  EXPECT_FALSE(wind.contains("unit_of_measurement"));
  EXPECT_FALSE(wind.contains("device_class"));
  EXPECT_FALSE(wind.contains("state_class"));
  const auto& problem =
      by_topic.at("homeassistant/binary_sensor/homectl-nas/weather_problem/config");
  EXPECT_EQ(problem["device_class"], "problem");
  EXPECT_EQ(problem["state_topic"], "homectl/sources/weather/state");
  const auto& button = by_topic.at("homeassistant/button/homectl-nas/weather_refresh/config");
  EXPECT_EQ(button["command_topic"], "homectl/sources/weather/refresh");
  const auto& ready = by_topic.at("homeassistant/binary_sensor/homectl-nas/ready/config");
  EXPECT_EQ(ready["state_topic"], "homectl/ready");
  std::set<std::string> ids;
  for (const auto& [topic, config] : by_topic) {
    ids.insert(config["unique_id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), by_topic.size());
}

TEST(MqttDiscovery, WithoutSourcesOnlyReadinessIsAnnounced) {
  const auto messages = discovery_messages(topics(), device(), {});
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].topic, "homeassistant/binary_sensor/homectl-nas/ready/config");
}

} // namespace
} // namespace homectl::mqtt
