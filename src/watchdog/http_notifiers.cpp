#include "homectl/client/http_client.hpp"
#include "homectl/util/json.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"
#include "homectl/watchdog/message.hpp"
#include "homectl/watchdog/notifier.hpp"
#include "homectl/watchdog/notifier_label.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>

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
    // The reason only: the failure message names the URL, which may hold secrets.
    result.detail = outcome.failure.reason;
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

bool has_authorization(const client::Headers& headers) {
  return std::any_of(headers.begin(), headers.end(),
                     [](const auto& h) { return util::to_lower(h.first) == "authorization"; });
}

// The URL's user:password@ becomes HTTP Basic auth, unless the request carries
// another Authorization header (a token or an explicit header).
client::ClientOptions options_for(const config::NotifierConfig& config,
                                  const client::Headers& headers) {
  auto url = split_notifier_url(config.url);
  client::ClientOptions options;
  options.url = std::move(url.url);
  if (!has_authorization(headers)) {
    options.basic_user = std::move(url.username);
    options.basic_password = std::move(url.password);
  }
  options.connect_timeout = std::min(config.timeout, std::chrono::milliseconds(5000));
  options.read_timeout = config.timeout;
  return options;
}

// What every notifier shares: its configuration and its label.
class NotifierBase : public Notifier {
public:
  NotifierBase(config::NotifierConfig config, std::string label)
      : m_config(std::move(config)), m_label(std::move(label)) {}
  std::string key() const override { return m_label; }

protected:
  config::NotifierConfig m_config;
  std::string m_label;
};

std::string body_text(const Notification& n, const std::string& daemon_url) {
  std::string text = text_of(n);
  if (text.empty()) {
    text = std::string(to_string(n.state));
  }
  if (!n.test) {
    text += "\n" + daemon_url + " " + std::string(to_string(n.state)) + " since " +
            format_time(n.since);
  }
  return text;
}

// A test, or only recoveries: the daemon is up and no source is failing.
bool is_good_news(const Notification& n) {
  if (n.test) {
    return true;
  }
  return n.state == DaemonState::up &&
         std::all_of(n.sources.begin(), n.sources.end(),
                     [](const SourceChange& c) { return c.state == DaemonState::up; });
}

// ntfy: POST the message to the topic URL; Title/Priority/Tags headers.
class NtfyNotifier final : public NotifierBase {
public:
  using NotifierBase::NotifierBase;
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    client::Headers headers = m_config.headers;
    headers["Title"] = title_of(n);
    int priority = m_config.priority;
    if (priority == 0) {
      priority = is_good_news(n) ? 3 : 4;
    }
    headers["Priority"] = std::to_string(priority);
    headers["Tags"] = n.test            ? "test_tube"
                      : is_good_news(n) ? "white_check_mark"
                                        : "rotating_light";
    if (!m_config.token.empty()) {
      headers["Authorization"] = "Bearer " + m_config.token;
    }
    // A tap opens the status page; never a URL whose credentials the ntfy
    // server would see.
    if (auto url = util::parse_http_url(daemon_url); url && !url->has_credentials()) {
      headers["Click"] = daemon_url.ends_with('/') ? daemon_url : daemon_url + "/";
    }
    client::HttpClient http(options_for(m_config, headers));
    return to_result(http.post("", body_text(n, daemon_url), "text/plain; charset=utf-8", headers));
  }
};

// Gotify: POST {url}/message, token in X-Gotify-Key, JSON title/message/priority.
class GotifyNotifier final : public NotifierBase {
public:
  using NotifierBase::NotifierBase;
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    client::Headers headers = m_config.headers;
    headers["X-Gotify-Key"] = m_config.token;
    int priority = m_config.priority;
    if (priority == 0) {
      priority = is_good_news(n) ? 5 : 8;
    }
    nlohmann::json body{
        {"title", title_of(n)}, {"message", body_text(n, daemon_url)}, {"priority", priority}};
    client::HttpClient http(options_for(m_config, headers));
    return to_result(http.post("/message",
                               body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                               "application/json", headers));
  }
};

// Webhook: POST the JSON document with optional extra headers.
class WebhookNotifier final : public NotifierBase {
public:
  using NotifierBase::NotifierBase;
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    client::Headers headers = m_config.headers;
    if (!m_config.token.empty() && !has_authorization(headers)) {
      headers["Authorization"] = "Bearer " + m_config.token;
    }
    client::HttpClient http(options_for(m_config, headers));
    return to_result(http.post("", webhook_body(n, daemon_url), "application/json", headers));
  }
};

// Heartbeat: GET `url` after every check that found the daemon up, GET
// `fail_url` (if any) after one that did not; a test notification GETs `url`.
// During a silence it GETs `url` whatever was found: the watchdog is alive,
// and the failure was asked not to be announced.
class HeartbeatNotifier final : public NotifierBase {
public:
  using NotifierBase::NotifierBase;
  DeliveryResult deliver(const Notification& /*n*/, const std::string& /*daemon_url*/) override {
    return ping(m_config.url);
  }
  bool is_heartbeat() const override { return true; }
  std::optional<DeliveryResult> beat(DaemonState found, bool silenced) override {
    if (found == DaemonState::up || silenced) {
      return ping(m_config.url);
    }
    if (m_config.fail_url.empty()) {
      return std::nullopt;
    }
    return ping(m_config.fail_url);
  }

private:
  DeliveryResult ping(const std::string& url) const {
    auto config = m_config;
    config.url = url;
    client::Headers headers = m_config.headers;
    client::HttpClient http(options_for(config, headers));
    return to_result(http.get("", headers));
  }
};

// Command: argv run directly, no shell.
class CommandNotifier final : public NotifierBase {
public:
  using NotifierBase::NotifierBase;
  DeliveryResult deliver(const Notification& n, const std::string& daemon_url) override {
    return run_command(m_config.argv, n, daemon_url, m_config.timeout);
  }
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
  case config::NotifierType::heartbeat:
    return "heartbeat";
  case config::NotifierType::webhook:
    break;
  }
  return "webhook";
}

nlohmann::json sources_json(const Notification& n) {
  auto sources = nlohmann::json::array();
  for (const auto& c : n.sources) {
    sources.push_back(nlohmann::json{{"source", c.source},
                                     {"state", std::string(source_state_name(c.state))},
                                     {"since", format_time(c.since)},
                                     {"message", c.message}});
  }
  return sources;
}

std::string webhook_body(const Notification& n, const std::string& daemon_url) {
  auto checks = nlohmann::json::object();
  if (!n.checks_json.empty()) {
    // Read back from the state file, which anyone with write access may edit.
    if (auto parsed = util::parse_json(n.checks_json)) {
      checks = std::move(parsed.value());
    }
  }
  nlohmann::json body{{"v", 1},
                      {"state", n.test ? "test" : std::string(to_string(n.state))},
                      {"previous", std::string(to_string(n.previous))},
                      {"since", format_time(n.since)},
                      {"url", daemon_url},
                      {"checks", checks},
                      {"message", text_of(n)}};
  body["sources"] = sources_json(n);
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::unique_ptr<Notifier> make_notifier(const config::NotifierConfig& config, std::string label) {
  switch (config.type) {
  case config::NotifierType::ntfy:
    return std::make_unique<NtfyNotifier>(config, std::move(label));
  case config::NotifierType::gotify:
    return std::make_unique<GotifyNotifier>(config, std::move(label));
  case config::NotifierType::command:
    return std::make_unique<CommandNotifier>(config, std::move(label));
  case config::NotifierType::heartbeat:
    return std::make_unique<HeartbeatNotifier>(config, std::move(label));
  case config::NotifierType::webhook:
    break;
  }
  return std::make_unique<WebhookNotifier>(config, std::move(label));
}

std::vector<std::unique_ptr<Notifier>>
make_notifiers(const std::vector<config::NotifierConfig>& configs) {
  std::map<config::NotifierType, std::size_t> seen;
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.reserve(configs.size());
  for (const auto& config : configs) {
    const std::size_t position = ++seen[config.type];
    notifiers.push_back(make_notifier(config, notifier_label(config.type, position, config.url)));
  }
  return notifiers;
}

} // namespace homectl::watchdog
