#pragma once

#include "homectl/docs/cli_model.hpp"

// A command tree shaped like homectl's, with every kind of option and
// positional, so the generators are tested before all commands exist.
namespace homectl::docs::testing {

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline OptionDoc flag(std::string s, std::string l, std::string help) {
  OptionDoc o;
  if (!s.empty()) {
    o.short_names = {std::move(s)};
  }
  o.long_names = {std::move(l)};
  o.help = std::move(help);
  return o;
}

inline OptionDoc valued(std::string l, std::string value, ValueKind kind, std::string help,
                        std::vector<std::string> choices = {}) {
  OptionDoc o;
  o.long_names = {std::move(l)};
  o.value_name = std::move(value);
  o.kind = kind;
  o.help = std::move(help);
  o.choices = std::move(choices);
  return o;
}

inline CommandDoc fixture_tree() {
  CommandDoc root;
  root.name = "homectl";
  root.summary = "homectl: a hub";
  root.subcommand_required = true;
  root.options = {
      flag("h", "help", "Show help and exit"),
      valued("config", "FILE", ValueKind::file, "Configuration file"),
      valued("log-level", "LEVEL", ValueKind::choice, "Log level", {"trace", "debug", "info"}),
      flag("q", "quiet", "Print only errors")};
  root.options[1].env = "HOMECTL_CONFIG";

  CommandDoc config{"config", "Work with the configuration", {}, {}, {}, true};
  CommandDoc validate{
      "validate", "Validate a file", {flag("", "strict", "Fail on warnings")}, {}, {}, false};
  validate.positionals = {
      PositionalDoc{"FILE", ValueKind::file, {}, "File to check", false, false}};
  CommandDoc show{"show", "Show the config", {flag("", "origin", "Show origins")}, {}, {}, false};
  config.subcommands = {validate, show};

  CommandDoc cache{"cache", "Work with the cache", {}, {}, {}, true};
  CommandDoc warm{
      "warm", "Refresh sources", {valued("url", "URL", ValueKind::text, "Daemon URL")}, {}, {},
      false};
  warm.options[0].env = "HOMECTL_URL";
  warm.positionals = {PositionalDoc{"SOURCE", ValueKind::source, {}, "Sources", false, true}};
  cache.subcommands = {warm};

  CommandDoc metrics{"metrics",
                     "Show metrics",
                     {valued("format", "FMT", ValueKind::choice, "Output format: it's a 'choice'",
                             {"table", "prom", "json"})},
                     {},
                     {},
                     false};
  metrics.options[0].default_value = "table";
  metrics.options.push_back(
      valued("watch", "DURATION", ValueKind::text, "Redraw every DURATION (default 2s)"));
  metrics.options.back().value_optional = true;

  CommandDoc check{"check-ready", "Probe readiness", {}, {}, {}, false};

  root.subcommands = {config, cache, metrics, check};
  return root;
}

} // namespace homectl::docs::testing
