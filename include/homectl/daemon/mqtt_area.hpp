#pragma once

#include "homectl/config/config.hpp"
#include "homectl/daemon/server_core.hpp"
#include "homectl/health/checks.hpp"
#include "homectl/mqtt/client.hpp"
#include "homectl/mqtt/topics.hpp"
#include "homectl/sources/event_bus.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace homectl::sources {
class Service;
}

// MQTT in the daemon: source states and events out, refresh commands and
// Home Assistant's birth message in, discovery configs, the
// `mqtt:connection` check and the homectl_mqtt_* metrics.
//
// Threading: the client runs libmosquitto on its own thread and hands what
// arrives to this area's strand; everything the area remembers (what it last
// published, which discovery configs exist) lives on that strand.
namespace homectl::daemon {

// Inbound message counts, by what became of them.
struct MqttInbound {
  std::atomic<std::uint64_t> ok{0};           // a refresh started, or Home Assistant's birth
  std::atomic<std::uint64_t> oversized{0};    // a refresh payload over 1 KiB: ignored
  std::atomic<std::uint64_t> rate_limited{0}; // limits.refresh said no
  std::atomic<std::uint64_t> ignored{0};      // an unknown source or an unexpected payload
};

class MqttArea : public std::enable_shared_from_this<MqttArea> {
public:
  // The largest refresh command payload acted on.
  static constexpr std::size_t k_max_command = 1024;

  // `executor` should be a strand; `core` and `service` must outlive the area.
  MqttArea(const boost::asio::any_io_executor& executor, ServerCore& core,
           const std::shared_ptr<sources::Service>& service, mqtt::ClientOptions options,
           config::MqttConfig config, mqtt::Device device);
  ~MqttArea();
  MqttArea(const MqttArea&) = delete;
  MqttArea& operator=(const MqttArea&) = delete;

  // Connects in the background and starts publishing.
  void start();
  // A reload: discovery for added, changed and removed sources and values.
  void reconfigure(const config::Config& config);
  // The `mqtt:connection` check: fail when down and `mqtt.required`, else warn.
  health::Check check() const;
  mqtt::ClientStats stats() const { return m_client->stats(); }
  const MqttInbound& inbound() const { return m_inbound; }

private:
  void handle_message(std::string_view topic, std::string_view payload, bool retained);
  void forget_stale_config(const std::string& topic);
  void on_connected();
  void refresh(const std::string& source);
  void announce_discovery();
  void publish_states();
  void publish_ready();
  boost::asio::awaitable<void> poll();
  void send(std::string topic, std::string payload, bool retain);

  boost::asio::any_io_executor m_strand;
  ServerCore& m_core;
  std::weak_ptr<sources::Service> m_service;
  config::MqttConfig m_config;
  mqtt::Topics m_topics;
  mqtt::Device m_device;
  MqttInbound m_inbound;
  sources::EventBus::Id m_subscription = 0;
  // Strand only:
  std::vector<config::SourceConfig> m_sources;
  std::set<std::string> m_discovery_topics;         // retained configs we published
  std::map<std::string, std::string> m_last_states; // source -> what its state topic says
  std::string m_last_ready;
  // Last: its thread stops first, before anything its callbacks reach.
  std::unique_ptr<mqtt::Client> m_client;
};

// Wires MQTT in when `mqtt.url` is set: the area (kept in core.mqtt), its
// check, metrics and reload hook. Returns null when MQTT is off.
std::shared_ptr<MqttArea> install_mqtt(boost::asio::io_context& io, ServerCore& core,
                                       const std::shared_ptr<sources::Service>& service);

} // namespace homectl::daemon
