#include "homectl/health/checks.hpp"

#include <algorithm>

namespace homectl::health {

std::string_view to_string(Status status) {
  switch (status) {
  case Status::pass:
    return "pass";
  case Status::warn:
    return "warn";
  case Status::fail:
    return "fail";
  }
  return "fail";
}

std::string Report::output() const {
  std::string out;
  for (const auto& check : checks) {
    if (check.status == Status::pass) {
      continue;
    }
    if (!out.empty()) {
      out += "; ";
    }
    out += check.key;
    if (!check.output.empty()) {
      out += ": ";
      out += check.output;
    }
  }
  return out;
}

nlohmann::json Report::to_json() const {
  nlohmann::json doc = {{"status", to_string(status)}};
  if (const auto text = output(); !text.empty()) {
    doc["output"] = text;
  }
  nlohmann::json checks_json = nlohmann::json::object();
  for (const auto& check : checks) {
    nlohmann::json item = {{"status", to_string(check.status)}};
    if (!check.component_type.empty()) {
      item["componentType"] = check.component_type;
    }
    if (!check.observed_value.is_null()) {
      item["observedValue"] = check.observed_value;
    }
    if (!check.observed_unit.empty()) {
      item["observedUnit"] = check.observed_unit;
    }
    if (!check.output.empty()) {
      item["output"] = check.output;
    }
    if (check.extra.is_object()) {
      item.update(check.extra);
    }
    checks_json[check.key].push_back(std::move(item));
  }
  doc["checks"] = std::move(checks_json);
  return doc;
}

void Checks::add(std::string area, Provider provider, bool for_readiness) {
  m_entries.push_back({std::move(area), std::move(provider), for_readiness});
}

Report Checks::evaluate(bool readiness) const {
  Report report;
  for (const auto& entry : m_entries) {
    if (readiness && !entry.for_readiness) {
      continue;
    }
    for (auto& check : entry.provider()) {
      report.status = std::max(report.status, check.status);
      report.checks.push_back(std::move(check));
    }
  }
  return report;
}

} // namespace homectl::health
