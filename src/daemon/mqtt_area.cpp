// MQTT wired into the daemon: states, events, discovery, refresh commands,
// the check and the metrics.
#include "homectl/daemon/mqtt_area.hpp"

#include "homectl/build_info.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/sources/format.hpp"
#include "homectl/sources/service.hpp"
#include "homectl/util/url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>

namespace homectl::daemon {

namespace asio = boost::asio;

namespace {

// How often states that change with time alone (fresh -> stale) and readiness
// are looked at; events bring changes sooner.
constexpr auto k_poll_interval = std::chrono::seconds(1);

std::string host_name() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') {
    return "localhost";
  }
  return host.data();
}

// The status page, as Home Assistant should link it.
std::string status_page_url(const config::ListenAddress& listen, const std::string& hostname) {
  std::string host = listen.host;
  if (host.empty() || host == "0.0.0.0" || host == "::") {
    host = hostname;
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return "http://" + host + ":" + std::to_string(listen.port) + "/";
}

// A source as its state topic shows it. `error` is set while the latest
// refresh failed.
mqtt::SourceReport report_of(const sources::SourceView& view) {
  mqtt::SourceReport report;
  report.name = view.name;
  report.state = view.state;
  report.values = view.values;
  // When the value was fetched: from the entry itself, so it always goes with
  // the values beside it (a 304 renewing the entry moves it too).
  if (view.age) {
    report.updated = sources::format_rfc3339(std::chrono::system_clock::now() - *view.age);
  }
  const bool failing =
      view.last_error_at && (!view.last_success || *view.last_error_at >= *view.last_success);
  if (failing && !view.last_error.empty()) {
    report.error = view.last_error;
  }
  return report;
}

// What makes a state message worth sending: everything but the time of the
// last refresh, which moves on every successful fetch (only whether there is
// one counts: a read between storing an entry and its status, on another
// thread, sees values before the time).
std::string signature_of(const mqtt::SourceReport& report) {
  mqtt::SourceReport copy = report;
  if (copy.updated) {
    copy.updated = "set";
  }
  return mqtt::state_payload(copy);
}

} // namespace

MqttArea::MqttArea(const asio::any_io_executor& executor, ServerCore& core,
                   const std::shared_ptr<sources::Service>& service, mqtt::ClientOptions options,
                   config::MqttConfig config, mqtt::Device device)
    : m_strand(executor), m_core(core), m_service(service), m_config(std::move(config)),
      m_topics(mqtt::Topics::from_config(m_config, options.client_id)), m_device(std::move(device)),
      m_sources(core.state.config()->sources) {
  options.will_topic = m_topics.status();
  options.subscriptions = {m_topics.refresh_filter()};
  if (m_config.discovery) {
    options.subscriptions.push_back(m_topics.home_assistant_status());
    // The broker hands back the configs it keeps for us, including those of
    // sources removed while homectl was not running: those are cleared.
    options.subscriptions.push_back(m_topics.discovery_filter());
  }
  const auto describe = options.url.describe();
  // The callbacks run on the client's thread; `this` outlives it (the client
  // is the last member, so its thread is joined first).
  m_client = std::make_unique<mqtt::Client>(
      std::move(options), [this] { on_connected(); },
      [this](std::string_view topic, std::string_view payload, bool retained) {
        handle_message(topic, payload, retained);
      },
      [describe](const std::string& problem) {
        if (problem.empty()) {
          log::info("mqtt connected", {{"url", describe}});
        } else {
          log::warn("mqtt connection problem", {{"url", describe}, {"problem", problem}});
        }
      });
}

MqttArea::~MqttArea() {
  if (auto service = m_service.lock(); service && m_subscription != 0) {
    service->events().unsubscribe(m_subscription);
  }
  m_client.reset(); // joins its thread while everything it reaches is alive
}

void MqttArea::start() {
  if (auto service = m_service.lock()) {
    const std::weak_ptr<MqttArea> weak = weak_from_this();
    m_subscription = service->events().subscribe([weak](const sources::Event& event) {
      const auto self = weak.lock();
      if (!self) {
        return;
      }
      self->send(self->m_topics.events(), event.to_json(), false);
      asio::post(self->m_strand, [self] { self->publish_states(); });
    });
  }
  asio::co_spawn(m_strand, poll(), asio::detached);
  m_client->start();
}

void MqttArea::send(std::string topic, std::string payload, bool retain) {
  m_client->publish(mqtt::Message{std::move(topic), std::move(payload), retain});
}

void MqttArea::reconfigure(const config::Config& config) {
  asio::post(m_strand, [self = shared_from_this(), sources = config.sources]() mutable {
    self->m_sources = std::move(sources);
    self->announce_discovery();
    self->publish_states();
  });
}

// Client thread: bounded, then posted to the strand. The area may be on its
// way out (its destructor joins this thread): then nothing is posted.
void MqttArea::handle_message(std::string_view topic, std::string_view payload, bool retained) {
  if (m_config.discovery && m_topics.is_own_discovery(topic)) {
    // Our own configs echo back; only a retained one from before this
    // connection can be stale. The payload is never read.
    if (retained && !payload.empty()) {
      if (auto self = weak_from_this().lock()) {
        asio::post(m_strand,
                   [self, name = std::string(topic)] { self->forget_stale_config(name); });
      }
    }
    return;
  }
  if (m_config.discovery && topic == m_topics.home_assistant_status()) {
    // Home Assistant's birth message: its entities need our configs again.
    if (payload == "online") {
      ++m_inbound.ok;
      if (auto self = weak_from_this().lock()) {
        asio::post(m_strand, [self] { self->announce_discovery(); });
      }
    } else {
      ++m_inbound.ignored;
    }
    return;
  }
  auto source = m_topics.source_of_refresh(topic);
  if (!source) {
    ++m_inbound.ignored;
    return;
  }
  if (payload.size() > k_max_command) {
    ++m_inbound.oversized;
    return;
  }
  if (auto self = weak_from_this().lock()) {
    asio::post(m_strand, [self, name = std::move(*source)] { self->refresh(name); });
  }
}

void MqttArea::refresh(const std::string& source) {
  auto service = m_service.lock();
  const bool known = std::any_of(m_sources.begin(), m_sources.end(),
                                 [&](const config::SourceConfig& s) { return s.name == source; });
  if (!service || !known) {
    ++m_inbound.ignored;
    return;
  }
  // Every MQTT command is one client of limits.refresh: whoever can publish
  // on the broker shares one budget of upstream calls.
  if (m_core.limiter.check("mqtt", http::RouteClass::refresh).limited) {
    ++m_inbound.rate_limited;
    log::warn("mqtt refresh command rate limited", {{"source", source}});
    return;
  }
  ++m_inbound.ok;
  asio::co_spawn(
      m_strand,
      [service, name = source]() -> asio::awaitable<void> {
        std::string target = name;
        std::optional<sources::Duration> no_wait;
        co_await service->refresh(std::move(target), no_wait);
      },
      asio::detached);
}

void MqttArea::on_connected() {
  auto self = weak_from_this().lock();
  if (!self) {
    return;
  }
  asio::post(m_strand, [self] {
    // The broker may have lost every retained message (a restart without
    // persistence): say everything again.
    self->m_last_states.clear();
    self->m_last_ready.clear();
    self->announce_discovery();
    self->publish_states();
    self->publish_ready();
  });
}

void MqttArea::announce_discovery() {
  if (!m_config.discovery) {
    return;
  }
  const auto messages = mqtt::discovery_messages(m_topics, m_device, m_sources);
  std::set<std::string> topics;
  for (const auto& message : messages) {
    topics.insert(message.topic);
  }
  for (const auto& old : m_discovery_topics) {
    if (!topics.contains(old)) {
      send(old, "", true); // an empty retained config removes the entity
    }
  }
  for (const auto& message : messages) {
    send(message.topic, message.payload, true);
  }
  m_discovery_topics = std::move(topics);
}

void MqttArea::forget_stale_config(const std::string& topic) {
  if (!m_discovery_topics.contains(topic)) {
    log::info("mqtt: removing a discovery config homectl no longer has", {{"topic", topic}});
    send(topic, "", true);
  }
}

void MqttArea::publish_states() {
  const auto service = m_service.lock();
  if (!service) {
    return;
  }
  std::set<std::string> seen;
  for (const auto& view : service->sources()) {
    seen.insert(view.name);
    const auto report = report_of(view);
    auto signature = signature_of(report);
    auto& last = m_last_states[view.name];
    if (last != signature) {
      last = std::move(signature);
      send(m_topics.state(view.name), mqtt::state_payload(report), true);
    }
  }
  for (auto it = m_last_states.begin(); it != m_last_states.end();) {
    if (!seen.contains(it->first)) {
      send(m_topics.state(it->first), "", true); // a removed source leaves no retained state
      it = m_last_states.erase(it);
    } else {
      ++it;
    }
  }
}

void MqttArea::publish_ready() {
  const auto report = m_core.checks.evaluate(true);
  std::string status(health::to_string(report.status));
  if (m_core.state.draining()) {
    status = "fail";
  }
  if (status != m_last_ready) {
    m_last_ready = status;
    send(m_topics.ready(), mqtt::ready_payload(status), true);
  }
}

asio::awaitable<void> MqttArea::poll() {
  const auto self = shared_from_this();
  asio::steady_timer timer(m_strand);
  while (true) {
    publish_states();
    publish_ready();
    timer.expires_after(k_poll_interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return;
    }
  }
}

health::Check MqttArea::check() const {
  const auto stats = m_client->stats();
  const auto& options = m_client->options();
  health::Check check;
  check.key = "mqtt:connection";
  check.component_type = "component";
  check.extra = nlohmann::json{{"url", options.url.describe()},
                               {"client_id", options.client_id},
                               {"reconnects", stats.reconnects},
                               {"queued", stats.queued},
                               {"dropped", stats.dropped}};
  if (!stats.up) {
    check.status = m_config.required ? health::Status::fail : health::Status::warn;
    check.output = "MQTT broker at " + options.url.describe() + " is unreachable" +
                   (stats.last_error.empty() ? std::string() : ": " + stats.last_error);
  }
  return check;
}

namespace {

// The homectl_mqtt_* metrics, read at scrape time through a weak pointer.
void add_metrics(ServerCore& core, const std::shared_ptr<MqttArea>& area) {
  auto& registry = core.metrics;
  auto& samples = core.metric_samples;
  const std::weak_ptr<MqttArea> weak = area;
  const auto sample = [weak](auto f) {
    return [weak, f] {
      const auto a = weak.lock();
      return a ? f(*a) : 0.0;
    };
  };
  samples.push_back(
      registry.sampled_gauge("homectl_mqtt_up", "1 while connected to the MQTT broker")
          .add({}, sample([](const MqttArea& a) { return a.stats().up ? 1.0 : 0.0; })));
  auto& messages = registry.sampled_counter(
      "homectl_mqtt_messages_total",
      "MQTT messages by direction (out, in) and outcome (out: ok, error; in: ok, oversized, "
      "rate_limited, ignored)",
      {"direction", "outcome"});
  samples.push_back(messages.add({"out", "ok"}, sample([](const MqttArea& a) {
                                   return static_cast<double>(a.stats().sent);
                                 })));
  samples.push_back(messages.add({"out", "error"}, sample([](const MqttArea& a) {
                                   return static_cast<double>(a.stats().send_errors);
                                 })));
  const auto inbound = [&](std::atomic<std::uint64_t> MqttInbound::*field) {
    return sample(
        [field](const MqttArea& a) { return static_cast<double>((a.inbound().*field).load()); });
  };
  samples.push_back(messages.add({"in", "ok"}, inbound(&MqttInbound::ok)));
  samples.push_back(messages.add({"in", "oversized"}, inbound(&MqttInbound::oversized)));
  samples.push_back(messages.add({"in", "rate_limited"}, inbound(&MqttInbound::rate_limited)));
  samples.push_back(messages.add({"in", "ignored"}, inbound(&MqttInbound::ignored)));
  samples.push_back(
      registry
          .sampled_counter("homectl_mqtt_dropped_total",
                           "Outgoing MQTT messages dropped from a full queue (mqtt.max_queue) "
                           "while the broker was unreachable")
          .add({},
               sample([](const MqttArea& a) { return static_cast<double>(a.stats().dropped); })));
}

} // namespace

std::shared_ptr<MqttArea> install_mqtt(asio::io_context& io, ServerCore& core,
                                       const std::shared_ptr<sources::Service>& service) {
  const auto config = core.state.config();
  const auto& settings = config->mqtt;
  if (settings.url.empty()) {
    return nullptr;
  }
  auto url = util::parse_mqtt_url(settings.url);
  if (!url) {
    // Validation uses the same parser; mqtt.required still means not ready.
    log::error("mqtt.url is invalid: MQTT stays off", {{"problem", url.error().message}});
    health::Check check;
    check.key = "mqtt:connection";
    check.component_type = "component";
    check.status = settings.required ? health::Status::fail : health::Status::warn;
    check.output = "mqtt.url is invalid: " + url.error().message;
    core.checks.add("mqtt", [check] { return std::vector<health::Check>{check}; });
    return nullptr;
  }
  const std::string hostname = host_name();
  mqtt::ClientOptions options;
  options.url = *url;
  options.client_id =
      settings.client_id.empty() ? mqtt::default_client_id(hostname) : settings.client_id;
  options.ca_file = settings.ca_file;
  options.max_queue = static_cast<std::size_t>(settings.max_queue);
  mqtt::Device device{hostname, build::k_version, status_page_url(config->server.listen, hostname)};
  auto area = std::make_shared<MqttArea>(asio::make_strand(io), core, service, options, settings,
                                         std::move(device));
  const std::weak_ptr<MqttArea> weak = area;
  core.checks.add("mqtt", [weak] {
    const auto a = weak.lock();
    return a ? std::vector<health::Check>{a->check()} : std::vector<health::Check>{};
  });
  add_metrics(core, area);
  core.reload_hooks.push_back([weak](const config::Config&, const config::Config& next) {
    if (const auto a = weak.lock()) {
      a->reconfigure(next);
    }
  });
  log::info("mqtt enabled", {{"url", url->describe()},
                             {"client_id", options.client_id},
                             {"prefix", settings.prefix},
                             {"discovery", settings.discovery},
                             {"required", settings.required}});
  area->start();
  return area;
}

} // namespace homectl::daemon
