// Home Assistant discovery from the real `homectl serve` on a real Mosquitto
// broker: the retained configs and their keys, re-announcing on Home
// Assistant's birth message, and entities removed on reload.

#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/observe.hpp"

#include <csignal>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace homectl::test {
namespace {

using nlohmann::json;

json discovery_config(const MosquittoBroker& broker, const FakeUpstream& up, json values) {
  return json{{"mqtt", {{"url", broker.url()}, {"client_id", "hc-test"}}},
              {"sources",
               {{"weather",
                 {{"url", up.url("/w")},
                  {"ttl", "1h"},
                  {"refresh", "off"},
                  {"values", std::move(values)}}}}}};
}

json two_values() {
  return json{{"temperature",
               {{"pointer", "/current/temperature_2m"},
                {"unit", "°C"},
                {"device_class", "temperature"},
                {"state_class", "measurement"}}},
              {"wind", "/current/wind"}};
}

// topic -> payload of every retained message under `filter`.
std::map<std::string, std::string> retained_map(const MosquittoBroker& broker,
                                                const std::string& filter) {
  std::map<std::string, std::string> out;
  std::istringstream lines(broker.retained(filter));
  std::string line;
  while (std::getline(lines, line)) {
    const auto space = line.find(' ');
    if (space != std::string::npos) {
      out[line.substr(0, space)] = line.substr(space + 1);
    }
  }
  return out;
}

const std::string k_sensor = "homeassistant/sensor/hc-test/weather_temperature/config";
const std::string k_wind = "homeassistant/sensor/hc-test/weather_wind/config";
const std::string k_problem = "homeassistant/binary_sensor/hc-test/weather_problem/config";
const std::string k_button = "homeassistant/button/hc-test/weather_refresh/config";
const std::string k_ready = "homeassistant/binary_sensor/hc-test/ready/config";

TEST(MqttDiscovery, EveryEntityIsAnnouncedWithTheRequiredKeys) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"current":{"temperature_2m":21.5,"wind":3}})")});
  DaemonProcess daemon(discovery_config(broker, up, two_values()));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  std::map<std::string, std::string> configs;
  ASSERT_TRUE(poll_until(
      [&] {
        configs = retained_map(broker, "homeassistant/#");
        return configs.size() >= 5;
      },
      10s))
      << daemon.output();
  for (const auto& topic : {k_sensor, k_wind, k_problem, k_button, k_ready}) {
    ASSERT_TRUE(configs.contains(topic)) << topic;
    const auto config = json::parse(configs[topic], nullptr, false);
    ASSERT_TRUE(config.is_object()) << configs[topic];
    for (const auto* key : {"unique_id", "name", "availability_topic", "device"}) {
      EXPECT_TRUE(config.contains(key)) << topic << " lacks " << key;
    }
    EXPECT_EQ(config["availability_topic"], "homectl/status");
    const auto& device = config["device"];
    for (const auto* key :
         {"identifiers", "name", "manufacturer", "model", "sw_version", "configuration_url"}) {
      EXPECT_TRUE(device.contains(key)) << topic << " device lacks " << key;
    }
    EXPECT_EQ(device["name"].get<std::string>().rfind("homectl on ", 0), 0U);
    EXPECT_EQ(device["configuration_url"],
              "http://127.0.0.1:" + std::to_string(daemon.port()) + "/");
  }
  const auto sensor = json::parse(configs[k_sensor]);
  EXPECT_EQ(sensor["state_topic"], "homectl/sources/weather/state");
  EXPECT_EQ(sensor["value_template"], "{{ value_json.values.temperature }}");
  EXPECT_EQ(sensor["unit_of_measurement"], "°C");
  EXPECT_EQ(sensor["device_class"], "temperature");
  EXPECT_EQ(sensor["state_class"], "measurement");
  const auto wind = json::parse(configs[k_wind]);
  EXPECT_FALSE(wind.contains("unit_of_measurement"));
  EXPECT_FALSE(wind.contains("device_class"));
  const auto problem = json::parse(configs[k_problem]);
  EXPECT_EQ(problem["device_class"], "problem");
  EXPECT_EQ(problem["state_topic"], "homectl/sources/weather/state");
  const auto button = json::parse(configs[k_button]);
  EXPECT_EQ(button["command_topic"], "homectl/sources/weather/refresh");
  const auto unique = [&](const std::string& topic) {
    return json::parse(configs[topic])["unique_id"].get<std::string>();
  };
  EXPECT_NE(unique(k_sensor), unique(k_wind));
  EXPECT_NE(unique(k_problem), unique(k_ready));

  // The state the sensors read, once the source has a value.
  ASSERT_EQ(request(daemon.port(), "GET", "/v1/sources/weather")->status, 200);
  EXPECT_TRUE(poll_until(
      [&] {
        const auto state =
            json::parse(broker.retained_payload("homectl/sources/weather/state"), nullptr, false);
        return state.is_object() && state["values"] == json({{"temperature", 21.5}, {"wind", 3}});
      },
      10s));
  EXPECT_NE(broker.retained_payload("homectl/ready").find("\"status\""), std::string::npos);
}

TEST(MqttDiscovery, HomeAssistantsBirthMessageRepublishesTheConfigs) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"current":{"temperature_2m":21.5}})")});
  DaemonProcess daemon(discovery_config(broker, up, two_values()));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(
      poll_until([&] { return retained_map(broker, "homeassistant/#").contains(k_sensor); }, 10s));
  broker.publish(k_sensor, "", true); // gone, as if Home Assistant's broker lost it
  ASSERT_FALSE(retained_map(broker, "homeassistant/#").contains(k_sensor));

  broker.publish("homeassistant/status", "offline"); // not a birth message
  broker.publish("homeassistant/status", "online "); // nor this: compared exactly
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(retained_map(broker, "homeassistant/#").contains(k_sensor));

  broker.publish("homeassistant/status", "online");
  EXPECT_TRUE(
      poll_until([&] { return retained_map(broker, "homeassistant/#").contains(k_sensor); }, 10s));
}

TEST(MqttDiscovery, AValueRemovedOnReloadLosesItsEntity) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"current":{"temperature_2m":21.5}})")});
  DaemonProcess daemon(discovery_config(broker, up, two_values()));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(
      poll_until([&] { return retained_map(broker, "homeassistant/#").contains(k_wind); }, 10s));
  auto config = discovery_config(broker, up, json{{"temperature", "/current/temperature_2m"}});
  config["server"] = {{"listen", "127.0.0.1:" + std::to_string(daemon.port())}};
  daemon.write_config(config);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_output("configuration reloaded", 10s)) << daemon.output();
  EXPECT_TRUE(
      poll_until([&] { return !retained_map(broker, "homeassistant/#").contains(k_wind); }, 10s));
  const auto configs = retained_map(broker, "homeassistant/#");
  ASSERT_TRUE(configs.contains(k_sensor));
  // The string form now: no unit any more.
  EXPECT_FALSE(json::parse(configs.at(k_sensor)).contains("unit_of_measurement"));
}

TEST(MqttDiscovery, ConfigsOfAValueRemovedWhileStoppedAreClearedOnStart) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"current":{"temperature_2m":21.5}})")});
  {
    DaemonProcess before(discovery_config(broker, up, two_values()));
    ASSERT_TRUE(before.start()) << before.output();
    ASSERT_TRUE(
        poll_until([&] { return retained_map(broker, "homeassistant/#").contains(k_wind); }, 10s));
    before.signal(SIGTERM);
    ASSERT_TRUE(before.wait_exit(10s));
  }
  // Someone else's config under the same prefix is left alone.
  const std::string foreign = "homeassistant/sensor/other-node/x/config";
  broker.publish(foreign, R"({"name":"x"})", true);
  DaemonProcess after(
      discovery_config(broker, up, json{{"temperature", "/current/temperature_2m"}}));
  ASSERT_TRUE(after.start()) << after.output();
  EXPECT_TRUE(
      poll_until([&] { return !retained_map(broker, "homeassistant/#").contains(k_wind); }, 10s))
      << after.output();
  const auto configs = retained_map(broker, "homeassistant/#");
  EXPECT_TRUE(configs.contains(k_sensor));
  EXPECT_TRUE(configs.contains(foreign));
}

} // namespace
} // namespace homectl::test
