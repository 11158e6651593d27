#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

// Health checks in the shape of draft-inadarei-api-health-check: each area
// (sources, Redis, the server itself) registers a provider; /ready and
// /health evaluate them on the event loop.
namespace homectl::health {

enum class Status { pass = 0, warn = 1, fail = 2 };

std::string_view to_string(Status status);

struct Check {
  std::string key; // "component:measurement", e.g. "redis:connection"
  Status status = Status::pass;
  std::string output;            // why, when not pass
  std::string component_type;    // e.g. "datastore", "component"
  nlohmann::json observed_value; // optional (null = absent)
  std::string observed_unit;     // e.g. "ms", "s"
  nlohmann::json extra;          // optional extra members (object) merged into the check
};

// Returns the current checks of one area; called on the event loop.
using Provider = std::function<std::vector<Check>()>;

struct Report {
  Status status = Status::pass;
  std::vector<Check> checks;
  // Output of the failing/warning checks, joined ("redis:connection: refused; ...").
  std::string output() const;
  // {"status", "output"?, "checks": {"key": [{...}]}}; callers add version, uptime, time.
  nlohmann::json to_json() const;
};

class Checks {
public:
  // `for_readiness`: also counted by /ready (every provider counts for /health).
  void add(std::string area, Provider provider, bool for_readiness = true);
  // Evaluates every provider (readiness ones only when `readiness`).
  Report evaluate(bool readiness) const;

private:
  struct Entry {
    std::string area;
    Provider provider;
    bool for_readiness;
  };
  std::vector<Entry> m_entries;
};

} // namespace homectl::health
