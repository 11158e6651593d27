#include "homectl/client/readiness.hpp"

#include "homectl/util/json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace homectl::client {
namespace {

std::optional<HealthStatus> parse_status(const nlohmann::json& value) {
  if (!value.is_string()) {
    return std::nullopt;
  }
  const auto& s = value.get_ref<const std::string&>();
  if (s == "pass" || s == "ok" || s == "up") {
    return HealthStatus::pass;
  }
  if (s == "warn") {
    return HealthStatus::warn;
  }
  if (s == "fail" || s == "error" || s == "down") {
    return HealthStatus::fail;
  }
  return std::nullopt;
}

std::string short_body(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 60)) {
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  if (body.size() > 60) {
    out += "...";
  }
  return out;
}

} // namespace

std::string_view to_string(HealthStatus status) {
  switch (status) {
  case HealthStatus::pass:
    return "pass";
  case HealthStatus::warn:
    return "warn";
  case HealthStatus::fail:
    break;
  }
  return "fail";
}

std::string_view to_string(NagiosState state) {
  switch (state) {
  case NagiosState::ok:
    return "OK";
  case NagiosState::warning:
    return "WARNING";
  case NagiosState::critical:
    return "CRITICAL";
  case NagiosState::unknown:
    break;
  }
  return "UNKNOWN";
}

std::string HealthReport::trouble_summary() const {
  std::string out;
  for (const auto& check : checks) {
    if (check.status == HealthStatus::pass) {
      continue;
    }
    if (!out.empty()) {
      out += ", ";
    }
    out += check.name + " " + std::string(to_string(check.status));
    if (!check.output.empty()) {
      out += " (" + check.output + ")";
    }
  }
  return out;
}

Result<HealthReport> parse_health_report(std::string_view body) {
  auto parsed = util::parse_json(body);
  if (!parsed) {
    return make_error("the answer is not JSON (" + parsed.error().message + "): \"" +
                      short_body(body) + "\"");
  }
  const auto& json = *parsed;
  if (!json.is_object()) {
    return make_error("the answer is not a JSON object");
  }
  HealthReport report;
  report.body = std::string(body);
  auto status = parse_status(json.value("status", nlohmann::json{}));
  if (!status) {
    return make_error("the answer has no valid \"status\" (expected pass, warn or fail)");
  }
  report.status = *status;
  if (auto it = json.find("output"); it != json.end() && it->is_string()) {
    report.output = it->get<std::string>();
  }
  if (auto it = json.find("checks"); it != json.end()) {
    if (!it->is_object()) {
      return make_error("\"checks\" is not an object");
    }
    for (const auto& [name, entries] : it->items()) {
      CheckResult check;
      check.name = name;
      const auto list = entries.is_array() ? entries : nlohmann::json::array({entries});
      for (const auto& entry : list) {
        if (!entry.is_object()) {
          return make_error("check \"" + name + "\" has an entry that is not an object");
        }
        auto entry_status = parse_status(entry.value("status", nlohmann::json{}));
        if (!entry_status) {
          return make_error("check \"" + name + "\" has no valid \"status\"");
        }
        std::string output;
        if (auto out = entry.find("output"); out != entry.end() && out->is_string()) {
          output = out->get<std::string>();
        }
        // The message shown is the one of the worst entry.
        if (*entry_status > check.status ||
            (*entry_status == check.status && check.output.empty())) {
          check.output = output;
          check.status = *entry_status;
        }
      }
      report.checks.push_back(std::move(check));
    }
  }
  std::sort(report.checks.begin(), report.checks.end(),
            [](const CheckResult& a, const CheckResult& b) { return a.name < b.name; });
  return report;
}

ReadinessProbe probe_ready(HttpClient& client) {
  ReadinessProbe probe;
  auto outcome = client.get("/ready", {{"Accept", "application/health+json"}});
  if (!outcome) {
    probe.state = NagiosState::unknown;
    switch (outcome.failure.kind) {
    case FailureKind::timeout:
      probe.text = "timeout: " + outcome.failure.message;
      break;
    case FailureKind::invalid_url:
      probe.text = "invalid URL " + outcome.failure.message;
      break;
    case FailureKind::other:
      probe.text = "request failed: " + outcome.failure.message;
      break;
    default:
      probe.text = "unreachable: " + outcome.failure.message;
      break;
    }
    return probe;
  }
  const auto& response = *outcome.response;
  probe.http_status = response.status;
  probe.latency = response.latency;
  if (response.status != 200 && response.status != 503) {
    probe.state = NagiosState::unknown;
    probe.text = "unexpected HTTP status " + std::to_string(response.status) + " from " +
                 client.url_for("/ready");
    return probe;
  }
  auto report = parse_health_report(response.body);
  if (!report) {
    probe.state = NagiosState::unknown;
    probe.text =
        "unparseable answer from " + client.url_for("/ready") + ": " + report.error().message;
    return probe;
  }
  const auto trouble = report->trouble_summary();
  const auto detail = trouble.empty() ? report->output : trouble;
  if (response.status == 503 || report->status == HealthStatus::fail) {
    probe.state = NagiosState::critical;
    probe.text = "not ready" + (detail.empty() ? std::string{} : ": " + detail);
  } else if (report->status == HealthStatus::warn) {
    probe.state = NagiosState::warning;
    probe.text = "ready with warnings" + (detail.empty() ? std::string{} : ": " + detail);
  } else {
    probe.state = NagiosState::ok;
    probe.text = "ready";
  }
  probe.report = std::move(report).value();
  return probe;
}

std::string nagios_line(const ReadinessProbe& probe) {
  std::string line = "HOMECTL " + std::string(to_string(probe.state)) + " - " + probe.text;
  // Nagios uses '|' as the perfdata separator: keep it out of the text.
  std::replace(line.begin(), line.end(), '|', '/');
  char perf[64];
  std::snprintf(perf, sizeof perf, " | latency=%.3fs",
                static_cast<double>(probe.latency.count()) / 1e6);
  return line + perf;
}

} // namespace homectl::client
