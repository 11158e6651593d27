#pragma once

#include "homectl/client/http_client.hpp"
#include "homectl/util/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Reading the daemon's /ready and /health answers (application/health+json)
// and turning them into a Nagios plugin verdict for `check-ready`.
namespace homectl::client {

enum class HealthStatus { pass, warn, fail };

std::string_view to_string(HealthStatus status);

// One named check ("redis:connection") with its worst status and a message.
struct CheckResult {
  std::string name;
  HealthStatus status = HealthStatus::pass;
  std::string output;
};

// A parsed health report; `body` keeps the daemon's JSON text as received.
struct HealthReport {
  HealthStatus status = HealthStatus::pass;
  std::string output;
  std::vector<CheckResult> checks; // sorted by name
  std::string body;

  // The checks that are not "pass", as "name status (output)" joined by ", ".
  std::string trouble_summary() const;
};

// Parses application/health+json; the Error names what is missing or wrong.
Result<HealthReport> parse_health_report(std::string_view body);

// Nagios plugin states = check-ready exit codes.
enum class NagiosState { ok = 0, warning = 1, critical = 2, unknown = 3 };

std::string_view to_string(NagiosState state);

// What one GET /ready found.
struct ReadinessProbe {
  NagiosState state = NagiosState::unknown;
  std::string text;                   // "ready", "not ready: ...", "unreachable: ..."
  std::optional<HealthReport> report; // when the answer was a parseable report
  std::optional<int> http_status;
  std::chrono::microseconds latency{0};
};

// Asks `client` for /ready and classifies the answer: 200 pass → ok, 200 warn →
// warning, 503 or fail → critical, anything else (no answer, timeout, other
// status, unparseable body) → unknown.
ReadinessProbe probe_ready(HttpClient& client);

// The Nagios plugin line: "HOMECTL OK - ready | latency=0.004s".
std::string nagios_line(const ReadinessProbe& probe);

} // namespace homectl::client
