// Cross-field rules: checks that need more than one value, or the outside world.
#include "builder.hpp"

#include "homectl/config/values.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace homectl::config::detail {
namespace {

constexpr Duration k_min_refresh{1000};
constexpr Duration k_min_remind{5LL * 60 * 1000};

// A DNS name of letters, digits, '-' and '_' between dots, without port or scheme.
bool is_host_name(std::string_view name) {
  constexpr std::size_t k_max_name = 253;
  if (name.empty() || name.size() > k_max_name || name.starts_with('.') ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Empty when the file can be opened for reading, else the reason.
std::string unreadable_reason(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return "Is a directory";
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return std::strerror(errno);
  }
  std::fclose(f);
  return {};
}

} // namespace

Origin ConfigBuilder::origin_of(const std::string& path) const {
  if (auto it = m_assignments.find(path); it != m_assignments.end()) {
    return it->second.origin;
  }
  return Origin{};
}

bool ConfigBuilder::involved_failed(std::initializer_list<std::string> paths) const {
  for (const auto& p : paths) {
    if (m_failed.contains(p)) {
      return true;
    }
  }
  return false;
}

void ConfigBuilder::check_policy(const std::string& prefix, const FetchPolicy& policy,
                                 PolicyOf policy_of) {
  // A source reports a rule only when one of its own values takes part; an
  // inherited violation is reported once, on `defaults`.
  const auto own = [&](std::initializer_list<std::string> keys) {
    if (policy_of == PolicyOf::defaults) {
      return true;
    }
    for (const auto& k : keys) {
      if (m_assignments.contains(prefix + k)) {
        return true;
      }
    }
    return false;
  };
  const std::string refresh = prefix + "refresh";
  if (policy.refresh && *policy.refresh < k_min_refresh && !involved_failed({refresh}) &&
      own({"refresh"})) {
    add_problem(Severity::error, origin_of(refresh), refresh,
                util::quote(format_duration(*policy.refresh)) +
                    " is too short: refresh at most once a second (at least 1s), or use \"off\"");
  }
  const std::string swr = prefix + "stale_while_revalidate";
  const std::string sie = prefix + "stale_if_error";
  if (policy.stale_if_error < policy.stale_while_revalidate && !involved_failed({swr, sie}) &&
      own({"stale_while_revalidate", "stale_if_error"})) {
    const std::string where =
        m_assignments.contains(sie) || !m_assignments.contains(swr) ? sie : swr;
    add_problem(Severity::error, origin_of(where), where,
                "stale_if_error (" + format_duration(policy.stale_if_error) +
                    ") must be at least stale_while_revalidate (" +
                    format_duration(policy.stale_while_revalidate) +
                    "): both windows count from expiry");
  }
  const std::string tls = prefix + "tls_verify";
  if (!policy.tls_verify && !involved_failed({tls}) && own({"tls_verify"})) {
    add_problem(Severity::warning, origin_of(tls), tls,
                "TLS certificate verification is off: anyone on the network path can forge "
                "responses");
  }
}

void ConfigBuilder::check_rules() {
  check_server();
  check_policy("defaults.", m_result.config.defaults, PolicyOf::defaults);
  check_sources();
  check_watchdog();
  check_history();
  check_mqtt();
}

void ConfigBuilder::check_history() {
  const auto& history = m_result.config.history;
  if (involved_failed({"history.interval", "history.retention"})) {
    return;
  }
  const std::string where =
      m_assignments.contains("history.retention") ? "history.retention" : "history.interval";
  if (history.retention < history.interval) {
    add_problem(Severity::error, origin_of(where), where,
                "history.retention (" + format_duration(history.retention) +
                    ") is shorter than history.interval (" + format_duration(history.interval) +
                    "): keep at least one interval");
  } else if (history.retention.count() / history.interval.count() >
             HistoryConfig::k_max_intervals) {
    const Duration kept{history.interval.count() * HistoryConfig::k_max_intervals};
    add_problem(Severity::warning, origin_of(where), where,
                "history.retention (" + format_duration(history.retention) + ") at " +
                    format_duration(history.interval) + " intervals is more than " +
                    std::to_string(HistoryConfig::k_max_intervals) +
                    " readings per series: only the last " + format_duration(kept) + " are kept");
  }
}

void ConfigBuilder::check_server() {
  const auto& server = m_result.config.server;
  if (!m_failed.contains("server.listen") && !util::is_loopback_host(server.listen.host) &&
      server.api_token.empty()) {
    add_problem(Severity::warning, origin_of("server.listen"), "server.listen",
                "listening on " + util::quote(format_listen(server.listen)) +
                    " (not loopback) without server.api_token: anyone on the network can trigger "
                    "refreshes and read /diagnostics");
  }
  for (const auto& name : server.allowed_hosts) {
    if (name != "*" && !is_host_name(name) && !m_failed.contains("server.allowed_hosts")) {
      add_problem(Severity::error, origin_of("server.allowed_hosts"), "server.allowed_hosts",
                  util::quote(name) +
                      " is not a host name: give names without scheme or port (e.g. \"nas.lan\"); "
                      "IP addresses, localhost and this machine's name are always allowed");
    }
  }
}

void ConfigBuilder::check_sources() {
  for (const auto& entry : m_sources) {
    const SourceConfig* source = m_result.config.find_source(entry.name);
    if (source == nullptr) {
      continue;
    }
    const std::string prefix = "sources." + entry.name + ".";
    check_policy(prefix, source->policy, PolicyOf::source);
    Origin at_name;
    at_name.kind = Origin::Kind::file;
    at_name.position = entry.position;
    check_upstream(entry.name, *source, at_name);
    if (!source->ca_file.empty() && !m_failed.contains(prefix + "ca_file")) {
      if (auto reason = unreadable_reason(source->ca_file); !reason.empty()) {
        add_problem(Severity::error, origin_of(prefix + "ca_file"), prefix + "ca_file",
                    "cannot read CA file " + util::quote(source->ca_file) + ": " + reason);
      }
    }
  }
}

// Exactly one of url and command; a command is an absolute path; env names
// are names a shell could export.
void ConfigBuilder::check_upstream(const std::string& name, const SourceConfig& source,
                                   const Origin& at_name) {
  const std::string prefix = "sources." + name + ".";
  if (m_failed.contains(prefix + "url") || m_failed.contains(prefix + "command")) {
    return;
  }
  const auto where = [&](const std::string& key) {
    return m_assignments.contains(prefix + key) ? origin_of(prefix + key) : at_name;
  };
  if (source.url.empty() && source.command.empty()) {
    add_problem(Severity::error, where("url"), "sources." + name,
                "missing \"url\" (the upstream to fetch) or \"command\" (a program to run)");
    return;
  }
  if (!source.url.empty() && !source.command.empty()) {
    add_problem(Severity::error, where("command"), prefix + "command",
                "set either \"url\" or \"command\", not both");
    return;
  }
  if (!source.command.empty() && !source.command.front().starts_with('/')) {
    add_problem(Severity::error, where("command"), prefix + "command",
                util::quote(source.command.front()) +
                    " is not an absolute path (commands run without a shell or PATH search)");
  }
  if (!source.env.empty() && source.command.empty()) {
    add_problem(Severity::warning, where("env"), prefix + "env",
                "\"env\" only applies to a \"command\" source; it is ignored with \"url\"");
  }
  for (const auto& [variable, value] : source.env) {
    const bool valid = !variable.empty() &&
                       (std::isdigit(static_cast<unsigned char>(variable.front())) == 0) &&
                       std::all_of(variable.begin(), variable.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                       });
    if (!valid) {
      add_problem(Severity::error, where("env"), prefix + "env",
                  util::quote(variable) +
                      " is not a valid environment variable name (letters, digits "
                      "and _, not starting with a digit)");
    }
  }
}

void ConfigBuilder::check_watchdog() {
  const auto& watchdog = m_result.config.watchdog;
  if (watchdog.remind_every && *watchdog.remind_every < k_min_remind &&
      !m_failed.contains("watchdog.remind_every")) {
    add_problem(Severity::error, origin_of("watchdog.remind_every"), "watchdog.remind_every",
                util::quote(format_duration(*watchdog.remind_every)) +
                    " is too short: remind at most every 5m, or use \"off\"");
  }
  for (std::size_t i = 0; i < m_notifiers.size() && i < watchdog.notify.size(); ++i) {
    check_notifier(i, m_notifiers[i], watchdog.notify[i]);
  }
  check_watched_sources();
}

// Named sources must be sources of this configuration, unless it has none:
// then the watchdog watches another machine's daemon and takes names as given.
void ConfigBuilder::check_watched_sources() {
  const auto& config = m_result.config;
  const auto& watched = config.watchdog.sources;
  if (watched.mode != WatchedSources::Mode::list || config.sources.empty() ||
      m_failed.contains("watchdog.sources")) {
    return;
  }
  std::vector<std::string> known;
  for (const auto& source : config.sources) {
    known.push_back(source.name);
  }
  for (const auto& name : watched.names) {
    if (config.find_source(name) != nullptr) {
      continue;
    }
    std::string message = util::quote(name) + " is not a configured source";
    if (auto hint = util::did_you_mean(name, known)) {
      message += "; did you mean " + util::quote(*hint) + "?";
    }
    add_problem(Severity::error, origin_of("watchdog.sources"), "watchdog.sources", message);
  }
}

void ConfigBuilder::check_notifier(std::size_t index, const NotifierEntry& entry,
                                   const NotifierConfig& notifier) {
  const std::string path = "watchdog.notify[" + std::to_string(index) + "]";
  Origin at_item;
  at_item.kind = Origin::Kind::file;
  at_item.position = entry.position;
  if (!entry.fields.contains("type")) {
    add_problem(Severity::error, at_item, path,
                "missing \"type\" (one of ntfy, gotify, webhook, command, heartbeat)");
    return;
  }
  if (m_failed.contains(path + ".type")) {
    return;
  }
  if (!notifier.fail_url.empty() && notifier.type != NotifierType::heartbeat) {
    const auto fail_it = entry.fields.find("fail_url");
    add_problem(Severity::warning, fail_it != entry.fields.end() ? fail_it->second.origin : at_item,
                path + ".fail_url", "\"fail_url\" only applies to a \"heartbeat\" notifier");
  }
  if (notifier.type == NotifierType::command) {
    const auto argv_it = entry.fields.find("argv");
    const Origin where = argv_it != entry.fields.end() ? argv_it->second.origin : at_item;
    if (m_failed.contains(path + ".argv")) {
      return;
    }
    if (notifier.argv.empty()) {
      add_problem(Severity::error, where, path + ".argv",
                  "a \"command\" notifier needs \"argv\": the program and its arguments");
    } else if (!notifier.argv.front().starts_with('/')) {
      add_problem(Severity::error, where, path + ".argv",
                  util::quote(notifier.argv.front()) +
                      " is not an absolute path (commands run without a shell or PATH search)");
    }
    return;
  }
  if (notifier.url.empty() && !m_failed.contains(path + ".url")) {
    const auto& type = entry.fields.at("type").value;
    const auto url_it = entry.fields.find("url");
    add_problem(Severity::error, url_it != entry.fields.end() ? url_it->second.origin : at_item,
                path + ".url",
                "a " + util::quote(type.is_string() ? type.get<std::string>() : std::string("?")) +
                    " notifier needs a \"url\"");
  }
}

} // namespace homectl::config::detail
