#include "homectl/mqtt/topics.hpp"

#include <algorithm>

namespace homectl::mqtt {
namespace {

using nlohmann::json;

constexpr std::string_view k_refresh_suffix = "/refresh";
constexpr std::size_t k_max_client_id = 64;

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json device_json(const Topics& topics, const Device& device) {
  json out{{"identifiers", json::array({"homectl_" + topics.node_id})},
           {"name", "homectl on " + device.hostname},
           {"manufacturer", "homectl"},
           {"model", "homectl"},
           {"sw_version", device.version}};
  if (!device.configuration_url.empty()) {
    out["configuration_url"] = device.configuration_url;
  }
  return out;
}

// What every entity config carries: its id, name, availability and device.
json entity(const Topics& topics, const Device& device, const std::string& object_id,
            const std::string& name) {
  return json{{"unique_id", topics.node_id + "_" + object_id},
              {"name", name},
              {"availability_topic", topics.status()},
              {"payload_available", "online"},
              {"payload_not_available", "offline"},
              {"device", device_json(topics, device)}};
}

} // namespace

Topics Topics::from_config(const config::MqttConfig& config, std::string_view client_id) {
  return Topics{config.prefix, config.discovery_prefix, std::string(client_id)};
}

std::string Topics::status() const {
  return prefix + "/status";
}

std::string Topics::events() const {
  return prefix + "/events";
}

std::string Topics::ready() const {
  return prefix + "/ready";
}

std::string Topics::state(std::string_view source) const {
  return prefix + "/sources/" + std::string(source) + "/state";
}

std::string Topics::refresh(std::string_view source) const {
  return prefix + "/sources/" + std::string(source) + std::string(k_refresh_suffix);
}

std::string Topics::refresh_filter() const {
  return prefix + "/sources/+" + std::string(k_refresh_suffix);
}

std::string Topics::home_assistant_status() const {
  return discovery_prefix + "/status";
}

std::string Topics::discovery(std::string_view component, std::string_view object_id) const {
  return discovery_prefix + "/" + std::string(component) + "/" + node_id + "/" +
         std::string(object_id) + "/config";
}

std::string Topics::discovery_filter() const {
  return discovery_prefix + "/+/" + node_id + "/+/config";
}

bool Topics::is_own_discovery(std::string_view topic) const {
  // {discovery_prefix}/<component>/<node_id>/<object_id>/config, one level each.
  const std::string head = discovery_prefix + "/";
  if (!topic.starts_with(head) || !topic.ends_with("/config")) {
    return false;
  }
  std::string_view rest = topic.substr(head.size(), topic.size() - head.size() - 7);
  const auto first = rest.find('/');
  if (first == std::string_view::npos || first == 0) {
    return false;
  }
  rest.remove_prefix(first + 1);
  const auto second = rest.find('/');
  return second != std::string_view::npos && rest.substr(0, second) == node_id &&
         second + 1 < rest.size() && rest.find('/', second + 1) == std::string_view::npos;
}

std::optional<std::string> Topics::source_of_refresh(std::string_view topic) const {
  const std::string head = prefix + "/sources/";
  if (!topic.starts_with(head) || !topic.ends_with(k_refresh_suffix)) {
    return std::nullopt;
  }
  if (topic.size() <= head.size() + k_refresh_suffix.size()) {
    return std::nullopt;
  }
  const auto name = topic.substr(head.size(), topic.size() - head.size() - k_refresh_suffix.size());
  if (name.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(name);
}

std::string default_client_id(std::string_view hostname) {
  std::string id = "homectl-";
  for (const char c : hostname) {
    if (id.size() >= k_max_client_id || c == '.') {
      break; // the short name: "nas" of "nas.lan"
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    id.push_back(ok ? c : '_');
  }
  if (id.size() == std::string_view("homectl-").size()) {
    id += "host";
  }
  return id;
}

std::string state_payload(const SourceReport& report) {
  json values = json::object();
  for (const auto& [name, number] : report.values) {
    values[name] = number;
  }
  return dump(json{{"state", report.state},
                   {"values", std::move(values)},
                   {"updated", report.updated ? json(*report.updated) : json(nullptr)},
                   {"error", report.error ? json(*report.error) : json(nullptr)}});
}

std::string ready_payload(std::string_view status) {
  return dump(json{{"status", status}});
}

std::vector<DiscoveryMessage> discovery_messages(const Topics& topics, const Device& device,
                                                 const std::vector<config::SourceConfig>& sources) {
  std::vector<DiscoveryMessage> out;
  for (const auto& source : sources) {
    const std::string state_topic = topics.state(source.name);
    for (const auto& [value, spec] : source.values) {
      const std::string object_id = source.name + "_" + value;
      json config = entity(topics, device, object_id, source.name + " " + value);
      config["state_topic"] = state_topic;
      config["value_template"] = "{{ value_json.values." + value + " }}";
      if (!spec.unit.empty()) {
        config["unit_of_measurement"] = spec.unit;
      }
      if (!spec.device_class.empty()) {
        config["device_class"] = spec.device_class;
      }
      if (!spec.state_class.empty()) {
        config["state_class"] = spec.state_class;
      }
      out.push_back({topics.discovery("sensor", object_id), dump(config)});
    }
    const std::string problem_id = source.name + "_problem";
    json problem = entity(topics, device, problem_id, source.name + " problem");
    problem["state_topic"] = state_topic;
    problem["device_class"] = "problem";
    problem["value_template"] = "{{ 'ON' if value_json.state in ['error', 'empty'] else 'OFF' }}";
    problem["payload_on"] = "ON";
    problem["payload_off"] = "OFF";
    out.push_back({topics.discovery("binary_sensor", problem_id), dump(problem)});

    const std::string button_id = source.name + "_refresh";
    json button = entity(topics, device, button_id, source.name + " refresh");
    button["command_topic"] = topics.refresh(source.name);
    button["payload_press"] = "refresh";
    out.push_back({topics.discovery("button", button_id), dump(button)});
  }
  json ready = entity(topics, device, "ready", "ready");
  ready["state_topic"] = topics.ready();
  ready["device_class"] = "connectivity";
  ready["value_template"] = "{{ 'ON' if value_json.status != 'fail' else 'OFF' }}";
  ready["payload_on"] = "ON";
  ready["payload_off"] = "OFF";
  out.push_back({topics.discovery("binary_sensor", "ready"), dump(ready)});
  return out;
}

} // namespace homectl::mqtt
