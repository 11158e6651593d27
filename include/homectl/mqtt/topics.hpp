#pragma once

#include "homectl/config/config.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What homectl says over MQTT, as pure functions: the topics under
// `mqtt.prefix`, a source's state message and the Home Assistant discovery
// configs. No I/O here; the client (client.hpp) sends what these build.
namespace homectl::mqtt {

// Where everything goes, from the settings.
struct Topics {
  std::string prefix;           // mqtt.prefix
  std::string discovery_prefix; // mqtt.discovery_prefix
  std::string node_id;          // the client id, also Home Assistant's node id

  static Topics from_config(const config::MqttConfig& config, std::string_view client_id);

  std::string status() const;                         // {prefix}/status
  std::string events() const;                         // {prefix}/events
  std::string ready() const;                          // {prefix}/ready
  std::string state(std::string_view source) const;   // {prefix}/sources/<name>/state
  std::string refresh(std::string_view source) const; // {prefix}/sources/<name>/refresh
  std::string refresh_filter() const;                 // {prefix}/sources/+/refresh
  std::string home_assistant_status() const;          // {discovery_prefix}/status
  // {discovery_prefix}/<component>/<node_id>/<object_id>/config
  std::string discovery(std::string_view component, std::string_view object_id) const;
  // {discovery_prefix}/+/<node_id>/+/config: every discovery config of ours.
  std::string discovery_filter() const;
  // True when `topic` is one of our discovery configs.
  bool is_own_discovery(std::string_view topic) const;
  // The source a refresh topic names, or nullopt when `topic` is not one.
  std::optional<std::string> source_of_refresh(std::string_view topic) const;
};

// The default client id: "homectl-<hostname>", the host name cut down to
// what a client id and a discovery node id may hold ([A-Za-z0-9_-], 64 at most).
std::string default_client_id(std::string_view hostname);

// One source as the state topic shows it.
struct SourceReport {
  std::string name;
  std::string state; // fresh | stale | error | empty
  std::map<std::string, double> values;
  std::optional<std::string> updated; // RFC 3339 time of the last successful refresh
  std::optional<std::string> error;   // the latest refresh's error while it is failing
};

// {"state","values","updated","error"}: small by design, values and never bodies.
std::string state_payload(const SourceReport& report);

// {"status": "pass|warn|fail"}: the readiness topic.
std::string ready_payload(std::string_view status);

// The device every entity belongs to.
struct Device {
  std::string hostname;
  std::string version;
  std::string configuration_url; // the status page
};

// One retained discovery config: its topic and JSON payload.
struct DiscoveryMessage {
  std::string topic;
  std::string payload;
  bool operator==(const DiscoveryMessage&) const = default;
};

// Every discovery config for `sources`: per value a sensor, per source a
// problem binary_sensor and a refresh button, and one readiness
// binary_sensor; in a stable order.
std::vector<DiscoveryMessage> discovery_messages(const Topics& topics, const Device& device,
                                                 const std::vector<config::SourceConfig>& sources);

} // namespace homectl::mqtt
