#include "homectl/config/loader.hpp"
#include "homectl/util/url.hpp"

#include "config_problems.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homectl::config {
namespace {

using testing::lines;

TEST(ConfigMqtt, DefaultsAreOff) {
  const Config config;
  EXPECT_EQ(config.mqtt.url, "");
  EXPECT_EQ(config.mqtt.prefix, "homectl");
  EXPECT_TRUE(config.mqtt.discovery);
  EXPECT_EQ(config.mqtt.discovery_prefix, "homeassistant");
  EXPECT_FALSE(config.mqtt.required);
}

TEST(ConfigMqtt, ValuesTakeTheObjectFormAlongsideStrings) {
  const auto r = load_text(R"({"sources": {"w": {"url": "http://127.0.0.1:1/", "values": {
    "temperature": {"pointer": "/current/temperature_2m", "unit": "°C",
                    "device_class": "temperature", "state_class": "measurement"},
    "wind": "/current/wind"}}}})",
                           "f.json", {});
  ASSERT_TRUE(r.ok()) << lines(r).front();
  const auto& values = r.config.find_source("w")->values;
  ASSERT_EQ(values.size(), 2U);
  const auto& t = values.at("temperature");
  EXPECT_EQ(t.pointer, "/current/temperature_2m");
  EXPECT_EQ(t.unit, "°C");
  EXPECT_EQ(t.device_class, "temperature");
  EXPECT_EQ(t.state_class, "measurement");
  EXPECT_EQ(values.at("wind"), ValueSpec("/current/wind"));
  // Shown back in the form it was written.
  const auto shown = to_json(r.config, true)["sources"]["w"]["values"];
  EXPECT_EQ(shown["wind"], "/current/wind");
  EXPECT_EQ(shown["temperature"]["unit"], "°C");
}

TEST(ConfigMqtt, BadValueObjectsNameTheProblem) {
  const auto problem = [](const std::string& value) {
    const auto r = load_text(
        R"({"sources": {"w": {"url": "http://127.0.0.1:1/", "values": {"t": )" + value + "}}}}",
        "f.json", {});
    return r.problems.empty() ? std::string() : r.problems[0].to_string();
  };
  EXPECT_NE(problem(R"({"unit": "C"})").find("\"t\": the object needs a \"pointer\""),
            std::string::npos);
  EXPECT_NE(problem(R"({"pointer": "/t", "device_class": "Temp"})")
                .find("\"t\".device_class: \"Temp\" is not a class name"),
            std::string::npos);
  EXPECT_NE(problem(R"({"pointer": "/t", "state_class": ""})").find("is not a class name"),
            std::string::npos);
  EXPECT_NE(problem(R"({"pointer": "/t", "unit": "a\u0001"})").find("\"t\".unit:"),
            std::string::npos);
  EXPECT_NE(problem(R"({"pointer": "/t", "unit": "12345678901234567"})").find("is not a unit"),
            std::string::npos);
  EXPECT_NE(problem(R"({"pointer": "/t", "units": "C"})").find("did you mean \"unit\"?"),
            std::string::npos);
  EXPECT_NE(problem(R"({"pointer": "t"})").find("is not a JSON Pointer"), std::string::npos);
  EXPECT_NE(problem(R"({"pointer": 5})").find("\"t\".pointer: expected a string"),
            std::string::npos);
  EXPECT_NE(problem("5").find("expected a JSON Pointer or an object"), std::string::npos);
}

TEST(ConfigMqtt, UrlIsCheckedAndItsPasswordNeverShown) {
  const auto ok =
      load_text(R"({"mqtt": {"url": "mqtt://homectl:s3cret@127.0.0.1"}})", "f.json", {});
  ASSERT_TRUE(ok.ok()) << lines(ok).front();
  const auto shown = to_json(ok.config, true)["mqtt"]["url"].get<std::string>();
  EXPECT_EQ(shown, "mqtt://<redacted>@127.0.0.1");

  const auto bad = load_text(R"({"mqtt": {"url": "http://u:s3cret@broker.lan"}})", "f.json", {});
  ASSERT_EQ(bad.problems.size(), 1U);
  const auto text = bad.problems[0].to_string();
  EXPECT_NE(text.find("mqtt.url: "), std::string::npos) << text;
  EXPECT_NE(text.find("is not an mqtt or mqtts URL"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
}

TEST(ConfigMqtt, TopicPrefixesAndClientIdAreChecked) {
  const auto r =
      load_text(R"({"mqtt": {"prefix": "home/#", "discovery_prefix": "/ha", "client_id": "a b"}})",
                "f.json", {});
  const auto all = lines(r);
  ASSERT_EQ(all.size(), 3U);
  EXPECT_NE(all[0].find("mqtt.prefix: \"home/#\" holds a wildcard"), std::string::npos) << all[0];
  EXPECT_NE(all[1].find("mqtt.discovery_prefix: \"/ha\" has an empty level"), std::string::npos)
      << all[1];
  EXPECT_NE(all[2].find("mqtt.client_id: \"a b\" is not a client id"), std::string::npos) << all[2];
  const auto dollar = load_text(R"({"mqtt": {"prefix": "$SYS"}})", "f.json", {});
  ASSERT_EQ(dollar.problems.size(), 1U);
}

TEST(ConfigMqtt, MissingCaFileIsAnError) {
  const auto r = load_text(
      R"({"mqtt": {"url": "mqtts://broker.lan", "ca_file": "/nonexistent/ca.pem"}})", "f.json", {});
  ASSERT_EQ(r.problems.size(), 1U);
  EXPECT_NE(r.problems[0].to_string().find("mqtt.ca_file: cannot read CA file"), std::string::npos);
}

} // namespace
} // namespace homectl::config

namespace homectl::util {
namespace {

TEST(UtilMqttUrl, ParsesSchemesPortsAndCredentials) {
  const auto plain = parse_mqtt_url("mqtt://broker.lan");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "broker.lan");
  EXPECT_EQ(plain->port, 1883);
  const auto tls = parse_mqtt_url("MQTTS://u%40x:p%3Aw@[::1]/");
  ASSERT_TRUE(tls) << tls.error().message;
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->host, "::1");
  EXPECT_EQ(tls->port, 8883);
  EXPECT_EQ(tls->user, "u@x");
  EXPECT_EQ(tls->password, "p:w");
  EXPECT_EQ(tls->describe(), "mqtts://<redacted>@[::1]:8883");
  EXPECT_EQ(parse_mqtt_url("mqtt://h:1884")->port, 1884);
}

TEST(UtilMqttUrl, RefusesWhatABrokerUrlCannotBe) {
  for (const auto* url :
       {"", "broker.lan", "http://broker.lan", "mqtt://", "mqtt://h:0", "mqtt://h:70000",
        "mqtt://h/topic", "mqtt://h?x=1", "mqtt://h h", "mqtt://:secret@h", "mqtt://u:%zz@h"}) {
    const auto parsed = parse_mqtt_url(url);
    EXPECT_FALSE(parsed) << url;
    if (!parsed) {
      EXPECT_EQ(parsed.error().message.find("secret"), std::string::npos);
    }
  }
}

} // namespace
} // namespace homectl::util
