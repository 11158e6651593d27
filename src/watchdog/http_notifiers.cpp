#include "homectl/client/http_client.hpp"
#include "homectl/watchdog/notifier.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace homectl::watchdog {
namespace {

std::optional<std::chrono::seconds> parse_retry_after(const std::string& value) {
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc{} || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

DeliveryResult to_result(const client::Outcome& outcome) {
  DeliveryResult result;
  if (!outcome) {
    result.detail = outcome.failure.message;
    return result;
  }
  const auto& response = *outcome.response;
  result.ok = response.status >= 200 && response.status < 300;
  result.detail = "HTTP " + std::to_string(response.status);
  if (response.status == 429) {
    result.retry_after = parse_retry_after(response.header("Retry-After"));
  }
  return result;
}

client::ClientOptions options_for(const config::NotifierConfig& config) {
  client::ClientOptions options;
  options.url = config.url;
  options.connect_timeout = std::min(config.timeout, std::chrono::milliseconds(5000));
  options.read_timeout = config.timeout;
  return options;
}

std::string body_text(const Notification& n, const std::string& daemon_url) {
  std::string text = n.message.empty() ? std::string(to_string(n.state)) : n.message;
  if (!n.test) {
    text += "\n" + daemon_url + " " + std::string(to_string(n.state)) + " since " +
            format_time(n.since);
  }
  return text;
}

// ntfy: POST the message to the topic URL; Title/Priority/Tags headers.
class NtfyNotifier final : public Notifier {
public:
  explicit NtfyNotifier(config::NotifierConfig config) : m_config(std::move(config)) {}
  std::string key() const override { return "ntfy " + m_config.url; }
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    client::HttpClient http(options_for(m_config));
    client::Headers headers = m_config.headers;
    headers["Title"] = title_of(n);
    int priority = m_config.priority;
    if (priority == 0) {
      priority = n.state == DaemonState::up || n.test ? 3 : 4;
    }
    headers["Priority"] = std::to_string(priority);
    headers["Tags"] = n.test                       ? "test_tube"
                      : n.state == DaemonState::up ? "white_check_mark"
                                                   : "rotating_light";
    if (!m_config.token.empty()) {
      headers["Authorization"] = "Bearer " + m_config.token;
    }
    return to_result(http.post("", body_text(n, daemon_url), "text/plain; charset=utf-8", headers));
  }

private:
  config::NotifierConfig m_config;
};

// Gotify: POST {url}/message, token in X-Gotify-Key, JSON title/message/priority.
class GotifyNotifier final : public Notifier {
public:
  explicit GotifyNotifier(config::NotifierConfig config) : m_config(std::move(config)) {}
  std::string key() const override { return "gotify " + m_config.url; }
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    client::HttpClient http(options_for(m_config));
    client::Headers headers = m_config.headers;
    headers["X-Gotify-Key"] = m_config.token;
    int priority = m_config.priority;
    if (priority == 0) {
      priority = n.state == DaemonState::up || n.test ? 5 : 8;
    }
    nlohmann::json body{
        {"title", title_of(n)}, {"message", body_text(n, daemon_url)}, {"priority", priority}};
    return to_result(http.post("/message",
                               body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                               "application/json", headers));
  }

private:
  config::NotifierConfig m_config;
};

// Webhook: POST the JSON document with optional extra headers.
class WebhookNotifier final : public Notifier {
public:
  explicit WebhookNotifier(config::NotifierConfig config) : m_config(std::move(config)) {}
  std::string key() const override { return "webhook " + m_config.url; }
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    client::HttpClient http(options_for(m_config));
    client::Headers headers = m_config.headers;
    if (!m_config.token.empty() && headers.find("Authorization") == headers.end()) {
      headers["Authorization"] = "Bearer " + m_config.token;
    }
    return to_result(http.post("", webhook_body(n, daemon_url), "application/json", headers));
  }

private:
  config::NotifierConfig m_config;
};

// Command: argv run directly, no shell.
class CommandNotifier final : public Notifier {
public:
  explicit CommandNotifier(config::NotifierConfig config) : m_config(std::move(config)) {}
  std::string key() const override {
    std::string key = "command";
    for (const auto& arg : m_config.argv) {
      key += " " + arg;
    }
    return key;
  }
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    return run_command(m_config.argv, n, daemon_url, m_config.timeout);
  }

private:
  config::NotifierConfig m_config;
};

} // namespace

std::string_view to_string(config::NotifierType type) {
  switch (type) {
  case config::NotifierType::ntfy:
    return "ntfy";
  case config::NotifierType::gotify:
    return "gotify";
  case config::NotifierType::command:
    return "command";
  case config::NotifierType::webhook:
    break;
  }
  return "webhook";
}

std::string webhook_body(const Notification& n, const std::string& daemon_url) {
  auto checks = nlohmann::json::object();
  if (!n.checks_json.empty()) {
    auto parsed = nlohmann::json::parse(n.checks_json, nullptr, false);
    if (!parsed.is_discarded()) {
      checks = std::move(parsed);
    }
  }
  nlohmann::json body{{"v", 1},
                      {"state", n.test ? "test" : std::string(to_string(n.state))},
                      {"previous", std::string(to_string(n.previous))},
                      {"since", format_time(n.since)},
                      {"url", daemon_url},
                      {"checks", checks},
                      {"message", n.message}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::unique_ptr<Notifier> make_notifier(const config::NotifierConfig& config) {
  switch (config.type) {
  case config::NotifierType::ntfy:
    return std::make_unique<NtfyNotifier>(config);
  case config::NotifierType::gotify:
    return std::make_unique<GotifyNotifier>(config);
  case config::NotifierType::command:
    return std::make_unique<CommandNotifier>(config);
  case config::NotifierType::webhook:
    break;
  }
  return std::make_unique<WebhookNotifier>(config);
}

} // namespace homectl::watchdog
