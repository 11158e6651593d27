// MQTT in the real `homectl serve` against a real Mosquitto broker on
// loopback: retained status and the last will, state messages on changes
// only, events, refresh commands (and oversized ones), a broker restart, a
// wrong password.

#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/observe.hpp"

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

namespace homectl::test {
namespace {

using nlohmann::json;

json mqtt_config(const MosquittoBroker& broker, const FakeUpstream& up, json mqtt_extra = {}) {
  json mqtt = {{"url", broker.url()}, {"prefix", "hc"}};
  if (mqtt_extra.is_object()) {
    mqtt.update(mqtt_extra);
  }
  return json{{"mqtt", mqtt},
              {"sources",
               {{"w",
                 {{"url", up.url("/w")},
                  {"ttl", "1h"},
                  {"refresh", "off"},
                  {"timeout", "2s"},
                  {"retries", 0},
                  {"values", {{"t", "/t"}}}}}}}};
}

bool online(const MosquittoBroker& broker, std::chrono::milliseconds limit = 10s) {
  return poll_until([&] { return broker.retained_payload("hc/status") == "online"; }, limit);
}

std::string metrics(const DaemonProcess& daemon) {
  const auto r = request(daemon.port(), "GET", "/metrics");
  return r ? r->body : std::string();
}

TEST(MqttBroker, StatusIsOnlineRetainedAndTheLastWillSaysOffline) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(mqtt_config(broker, up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(online(broker)) << daemon.output() << broker.output();
  EXPECT_TRUE(poll_until(
      [&] { return metric_value(metrics(daemon), "homectl_mqtt_up") == std::optional(1.0); }, 5s));

  daemon.signal(SIGKILL);
  daemon.wait_exit(5s);
  EXPECT_TRUE(poll_until([&] { return broker.retained_payload("hc/status") == "offline"; }, 10s))
      << broker.retained("hc/#");
}

TEST(MqttBroker, CleanShutdownSaysOffline) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(mqtt_config(broker, up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(online(broker)) << daemon.output();
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(10s), std::optional(0)) << daemon.output();
  EXPECT_EQ(broker.retained_payload("hc/status"), "offline");
}

TEST(MqttBroker, StateIsPublishedOnChangesOnly) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(mqtt_config(broker, up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(online(broker)) << daemon.output();
  ASSERT_EQ(request(daemon.port(), "GET", "/v1/sources/w")->status, 200);

  std::string retained;
  ASSERT_TRUE(poll_until(
      [&] {
        retained = broker.retained_payload("hc/sources/w/state");
        return retained.find("21") != std::string::npos;
      },
      10s))
      << retained;
  const auto state = json::parse(retained, nullptr, false);
  ASSERT_TRUE(state.is_object()) << retained;
  EXPECT_EQ(state["state"], "fresh");
  EXPECT_EQ(state["values"], json({{"t", 21}}));
  EXPECT_TRUE(state["updated"].is_string());
  EXPECT_TRUE(state["error"].is_null());

  MqttSubscription live(broker, {"hc/sources/w/state"});
  // The same body again: a fetch, but no change, so no message.
  ASSERT_EQ(request(daemon.port(), "POST", "/v1/sources/w/refresh?wait=5s")->status, 200);
  ASSERT_EQ(up.count("/w"), 2);
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(live.output(), "");

  up.on("/w", {FakeResponse::json(R"({"t":22.5})")});
  ASSERT_EQ(request(daemon.port(), "POST", "/v1/sources/w/refresh?wait=5s")->status, 200);
  EXPECT_TRUE(live.wait_for("\"t\":22.5", 10s)) << live.output();
}

TEST(MqttBroker, EventsGoToTheEventsTopic) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(mqtt_config(broker, up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(online(broker)) << daemon.output();
  MqttSubscription events(broker, {"hc/events"});
  ASSERT_EQ(request(daemon.port(), "GET", "/v1/sources/w")->status, 200);
  ASSERT_TRUE(events.wait_for("source.updated", 10s)) << events.output();
  const auto line = events.output();
  const auto payload = json::parse(line.substr(line.find(' ') + 1), nullptr, false);
  ASSERT_TRUE(payload.is_object()) << line;
  EXPECT_EQ(payload["type"], "source.updated");
  EXPECT_EQ(payload["source"], "w");
  EXPECT_EQ(payload["v"], 1);
}

TEST(MqttBroker, RefreshCommandReachesTheUpstreamAndOversizedOnesAreIgnored) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(mqtt_config(broker, up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(online(broker)) << daemon.output();
  ASSERT_TRUE(poll_until(
      [&] {
        return broker.retained("homeassistant/button/#").find("w_refresh") != std::string::npos;
      },
      10s));

  broker.publish("hc/sources/w/refresh", "refresh");
  EXPECT_TRUE(poll_until([&] { return up.count("/w") == 1; }, 10s)) << daemon.output();

  broker.publish("hc/sources/w/refresh", std::string(1025, 'x'));
  EXPECT_TRUE(poll_until(
      [&] {
        return metric_value(metrics(daemon), "homectl_mqtt_messages_total",
                            {{"direction", "in"}, {"outcome", "oversized"}}) == std::optional(1.0);
      },
      10s))
      << metrics(daemon);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(up.count("/w"), 1);

  broker.publish("hc/sources/nope/refresh", "refresh");
  EXPECT_TRUE(poll_until(
      [&] {
        return metric_value(metrics(daemon), "homectl_mqtt_messages_total",
                            {{"direction", "in"}, {"outcome", "ignored"}}) == std::optional(1.0);
      },
      10s));
  EXPECT_EQ(metric_value(metrics(daemon), "homectl_mqtt_messages_total",
                         {{"direction", "in"}, {"outcome", "ok"}}),
            std::optional(1.0));
}

TEST(MqttBroker, RefreshCommandsShareTheRefreshRateLimit) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  auto config = mqtt_config(broker, up);
  config["limits"] = {{"refresh", {{"rate", "1/h"}, {"burst", 1}}}};
  DaemonProcess daemon(config);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(online(broker)) << daemon.output();
  std::this_thread::sleep_for(500ms); // subscribed
  broker.publish("hc/sources/w/refresh", "1");
  broker.publish("hc/sources/w/refresh", "2");
  EXPECT_TRUE(poll_until(
      [&] {
        return metric_value(metrics(daemon), "homectl_mqtt_messages_total",
                            {{"direction", "in"}, {"outcome", "rate_limited"}}) ==
               std::optional(1.0);
      },
      10s))
      << metrics(daemon);
  EXPECT_EQ(up.count("/w"), 1);
}

TEST(MqttBroker, BrokerRestartReconnectsReannouncesAndDeliversQueuedMessages) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker;
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(mqtt_config(broker, up));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_TRUE(online(broker)) << daemon.output();

  broker.kill();
  ASSERT_TRUE(poll_until(
      [&] { return metric_value(metrics(daemon), "homectl_mqtt_up") == std::optional(0.0); }, 10s));
  // /ready does not fail for an optional broker; reads go on.
  EXPECT_EQ(request(daemon.port(), "GET", "/ready")->status, 200);
  // A change while the broker is away: its event waits in the queue.
  ASSERT_EQ(request(daemon.port(), "GET", "/v1/sources/w")->status, 200);

  const auto before_restart = broker.output().size();
  broker.restart(); // persistence is off: every retained message is gone
  // The queued event reaches the broker; a subscriber started now could miss
  // it (events are not retained), so the broker's log is the witness.
  EXPECT_TRUE(poll_until(
      [&] {
        const auto log = broker.output().substr(before_restart);
        return log.find("Received PUBLISH from") != std::string::npos &&
               log.find("'hc/events'") != std::string::npos;
      },
      30s))
      << daemon.output() << broker.output();
  EXPECT_TRUE(online(broker, 20s)) << daemon.output();
  EXPECT_TRUE(poll_until(
      [&] {
        return broker.retained("homeassistant/#").find("homeassistant/sensor/") !=
               std::string::npos;
      },
      10s));
  EXPECT_NE(broker.retained_payload("hc/sources/w/state").find("\"t\":21"), std::string::npos);
}

TEST(MqttBroker, WrongPasswordIsAClearErrorAndFailsReadinessWhenRequired) {
  HOMECTL_REQUIRE_MOSQUITTO();
  MosquittoBroker broker("homectl", "right");
  FakeUpstream up;
  up.on("/w", {FakeResponse::json(R"({"t":21})")});
  DaemonProcess daemon(
      mqtt_config(broker, up, {{"url", broker.url("homectl:wrong")}, {"required", true}}));
  ASSERT_TRUE(daemon.start()) << daemon.output();
  EXPECT_TRUE(daemon.wait_for_output("not authorised", 10s)) << daemon.output();
  EXPECT_EQ(daemon.output().find("wrong"), std::string::npos) << "the password leaked";
  EXPECT_TRUE(
      poll_until([&] { return request(daemon.port(), "GET", "/ready")->status == 503; }, 10s));
  const auto health = request(daemon.port(), "GET", "/health");
  ASSERT_TRUE(health);
  EXPECT_NE(health->body.find("mqtt:connection"), std::string::npos);
  EXPECT_NE(health->body.find("not authorised"), std::string::npos) << health->body;
  EXPECT_EQ(health->body.find("wrong"), std::string::npos);

  // Not required: a warning, still ready.
  DaemonProcess relaxed(mqtt_config(broker, up, {{"url", broker.url("homectl:wrong")}}));
  ASSERT_TRUE(relaxed.start()) << relaxed.output();
  EXPECT_TRUE(relaxed.wait_for_output("not authorised", 10s));
  EXPECT_EQ(request(relaxed.port(), "GET", "/ready")->status, 200);

  // The right password connects.
  DaemonProcess right(mqtt_config(broker, up, {{"url", broker.url("homectl:right")}}));
  ASSERT_TRUE(right.start()) << right.output();
  EXPECT_TRUE(online(broker)) << right.output();
}

} // namespace
} // namespace homectl::test
