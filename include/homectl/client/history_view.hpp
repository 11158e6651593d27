#pragma once

#include "homectl/util/result.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

// `homectl metrics --history`: the daemon's GET /v1/history answers as one
// line per series with a Unicode sparkline, for people on SSH.
namespace homectl::client {

// One block character per value, ▁ (lowest) to █ (highest) between the
// values' own minimum and maximum; a null is a space, equal values are ▄.
std::string sparkline(const std::vector<std::optional<double>>& values);

// The step that gives about `width` points over `since_s` (whole seconds, at
// least `interval_s`).
long long step_for(double since_s, double interval_s, int width);

// Renders the `series` of GET /v1/history?series=… answers, one line each:
// name{labels}  sparkline  min … max … last …  unit. An answer that is not
// the documented shape gives an Error naming what is wrong.
Result<std::string> render_history(const std::vector<nlohmann::json>& answers);

} // namespace homectl::client
