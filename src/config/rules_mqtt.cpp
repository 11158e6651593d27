// The MQTT settings' rules: topic levels a broker accepts and Home Assistant
// can use, a client id that is also a discovery node id, a readable CA file.
#include "builder.hpp"

#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace homectl::config::detail {
namespace {

constexpr std::size_t k_max_prefix = 128;
constexpr std::size_t k_max_client_id = 64;

// Empty when `topic` may start every topic we use, else why not. Wildcards and
// "$" (reserved for the broker's own topics) are refused, and so are empty
// levels, which Home Assistant's discovery does not match.
std::string topic_prefix_problem(std::string_view topic) {
  if (topic.empty()) {
    return "is empty";
  }
  if (topic.size() > k_max_prefix) {
    return "is longer than " + std::to_string(k_max_prefix) + " bytes";
  }
  if (topic.front() == '$') {
    return "starts with \"$\" (reserved for the broker's own topics)";
  }
  if (topic.find_first_of("+#") != std::string_view::npos) {
    return "holds a wildcard (+ or #)";
  }
  if (std::any_of(topic.begin(), topic.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      })) {
    return "holds control characters";
  }
  if (topic.front() == '/' || topic.back() == '/' || topic.find("//") != std::string_view::npos) {
    return "has an empty level (a leading, trailing or doubled \"/\")";
  }
  return {};
}

} // namespace

void ConfigBuilder::check_mqtt() {
  const auto& mqtt = m_result.config.mqtt;
  for (const auto* key : {"mqtt.prefix", "mqtt.discovery_prefix"}) {
    const std::string& topic =
        std::string_view(key) == "mqtt.prefix" ? mqtt.prefix : mqtt.discovery_prefix;
    if (m_failed.contains(key)) {
      continue;
    }
    if (auto problem = topic_prefix_problem(topic); !problem.empty()) {
      add_problem(Severity::error, origin_of(key), key,
                  (topic.size() > 60 ? std::string("the topic") : util::quote(topic)) + " " +
                      problem + " (e.g. \"homectl\")");
    }
  }
  const auto id_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  };
  if (!mqtt.client_id.empty() && !m_failed.contains("mqtt.client_id") &&
      (mqtt.client_id.size() > k_max_client_id ||
       !std::all_of(mqtt.client_id.begin(), mqtt.client_id.end(), id_char))) {
    add_problem(
        Severity::error, origin_of("mqtt.client_id"), "mqtt.client_id",
        (mqtt.client_id.size() > 60 ? std::string("the client id") : util::quote(mqtt.client_id)) +
            " is not a client id: 1 to 64 of A-Z, a-z, 0-9, _ and - (it is also Home "
            "Assistant's node id)");
  }
  if (mqtt.url.empty() || m_failed.contains("mqtt.url")) {
    return;
  }
  const auto url = util::parse_mqtt_url(mqtt.url);
  if (!url) {
    return;
  }
  if (!mqtt.ca_file.empty() && !m_failed.contains("mqtt.ca_file")) {
    std::error_code ec;
    std::string reason;
    if (std::filesystem::is_directory(mqtt.ca_file, ec)) {
      reason = "Is a directory";
    } else if (std::FILE* f = std::fopen(mqtt.ca_file.c_str(), "rb"); f == nullptr) {
      reason = std::strerror(errno);
    } else {
      std::fclose(f);
    }
    if (!reason.empty()) {
      add_problem(Severity::error, origin_of("mqtt.ca_file"), "mqtt.ca_file",
                  "cannot read CA file " + util::quote(mqtt.ca_file) + ": " + reason);
    } else if (!url->tls) {
      add_problem(Severity::warning, origin_of("mqtt.ca_file"), "mqtt.ca_file",
                  "\"ca_file\" only applies to an mqtts:// URL; it is ignored with mqtt://");
    }
  }
  if (!url->tls && !url->password.empty() && !util::is_loopback_host(url->host)) {
    add_problem(Severity::warning, origin_of("mqtt.url"), "mqtt.url",
                "the broker password travels unencrypted to " + util::quote(url->host) +
                    ": use mqtts:// off this machine");
  }
}

} // namespace homectl::config::detail
