#pragma once

#include <nlohmann/json.hpp>

#include <string>

// Documents generated from the settings table: the JSON Schema editors use to
// check and complete homectl.json, and the `.env.sample` of every variable.
namespace homectl::config {

// A JSON Schema (2020-12) of the configuration file: descriptions, defaults,
// patterns for durations/sizes/rates, `additionalProperties: false` throughout.
nlohmann::json json_schema();

// The text of `.env.sample`: every setting that the environment can set, as a
// commented `# HOMECTL_X=default` line under its documentation.
std::string env_sample();

} // namespace homectl::config
