// Assembling the Config from what the builder read: ${NAME} expansion in file
// values, parsing each value into its setting, sources and notifiers in
// order, and the problems sorted for output.
#include "builder.hpp"

#include "homectl/util/strings.hpp"

#include <algorithm>

namespace homectl::config::detail {
std::string origin_text(const Origin& origin, const std::string& file) {
  switch (origin.kind) {
  case Origin::Kind::builtin:
    return "default";
  case Origin::Kind::file:
    return file + ":" + std::to_string(origin.position.line) + ":" +
           std::to_string(origin.position.column);
  case Origin::Kind::env:
    return "env " + origin.name;
  case Origin::Kind::flag:
    return "flag";
  }
  return "default";
}

bool ConfigBuilder::expand(nlohmann::json& value, const Origin& origin, const std::string& path) {
  if (value.is_array() || value.is_object()) {
    bool ok = true;
    for (auto& item : value) {
      ok = expand(item, origin, path) && ok;
    }
    return ok;
  }
  if (!value.is_string()) {
    return true;
  }
  const auto& text = value.get_ref<const std::string&>();
  if (text.find('$') == std::string::npos) {
    return true;
  }
  std::string out;
  bool ok = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (text.compare(i, 3, "$${") == 0) {
      out += "${"; // "$${" is a literal "${"
      i += 2;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += '$';
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string::npos) {
      add_problem(Severity::error, origin, path,
                  "unterminated \"${\" (write \"$${\" for a literal \"${\")");
      return false;
    }
    const std::string name = text.substr(i + 2, close - i - 2);
    const bool valid_name = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                            std::all_of(name.begin(), name.end(), [](char c) {
                              return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                     (c >= '0' && c <= '9') || c == '_';
                            });
    if (!valid_name) {
      add_problem(Severity::error, origin, path,
                  util::quote("${" + name + "}") +
                      " is not a valid variable reference (use ${NAME})");
      ok = false;
    } else if (auto it = m_env.find(name); it == m_env.end()) {
      std::string message = "environment variable " + name;
      message += " is not set (referenced as ${" + name + "})";
      add_problem(Severity::error, origin, path, std::move(message));
      ok = false;
    } else {
      out += it->second;
    }
    i = close;
  }
  if (ok) {
    value = std::move(out);
  }
  return ok;
}

void ConfigBuilder::apply(const Setting& setting, const std::string& path, void* target,
                          const Assignment* assignment) {
  if (assignment == nullptr) {
    m_result.origins[path] = "default";
    return;
  }
  nlohmann::json raw = assignment->value;
  if (assignment->origin.kind == Origin::Kind::file && !expand(raw, assignment->origin, path)) {
    m_failed.insert(path);
    return;
  }
  auto value = parse_value(setting, raw);
  if (!value) {
    add_problem(Severity::error, assignment->origin, path, value.error().message);
    m_failed.insert(path);
    return;
  }
  setting.set(target, *value);
  m_result.origins[path] = origin_text(assignment->origin, m_file);
}

LoadResult ConfigBuilder::finish() {
  Config& config = m_result.config;
  const auto lookup = [this](const std::string& path) -> const Assignment* {
    auto it = m_assignments.find(path);
    return it == m_assignments.end() ? nullptr : &it->second;
  };
  for (const auto* s : settings_in(Scope::global)) {
    const std::string path(s->key);
    apply(*s, path, &config, lookup(path));
  }
  for (const auto* s : settings_in(Scope::policy)) {
    const std::string path = "defaults." + std::string(s->key);
    apply(*s, path, &config.defaults, lookup(path));
  }
  for (const auto& entry : m_sources) {
    SourceConfig source;
    source.name = entry.name;
    source.policy = config.defaults;
    const std::string prefix = "sources." + entry.name + ".";
    for (const auto* s : settings_in(Scope::policy)) {
      const std::string path = prefix + std::string(s->key);
      if (const auto* a = lookup(path)) {
        apply(*s, path, &source.policy, a);
      } else {
        m_result.origins[path] = "defaults." + std::string(s->key);
      }
    }
    for (const auto* s : settings_in(Scope::source)) {
      const std::string path = prefix + std::string(s->key);
      apply(*s, path, &source, lookup(path));
    }
    config.sources.push_back(std::move(source));
  }
  std::sort(config.sources.begin(), config.sources.end(),
            [](const SourceConfig& a, const SourceConfig& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < m_notifiers.size(); ++i) {
    NotifierConfig notifier;
    const std::string prefix = "watchdog.notify[" + std::to_string(i) + "].";
    for (const auto* s : settings_in(Scope::notifier)) {
      const auto it = m_notifiers[i].fields.find(std::string(s->key));
      apply(*s, prefix + std::string(s->key), &notifier,
            it == m_notifiers[i].fields.end() ? nullptr : &it->second);
    }
    config.watchdog.notify.push_back(std::move(notifier));
  }
  check_rules();
  std::stable_sort(m_result.problems.begin(), m_result.problems.end(),
                   [](const Problem& a, const Problem& b) {
                     const bool a_file = !a.file.empty();
                     const bool b_file = !b.file.empty();
                     if (a_file != b_file) {
                       return a_file;
                     }
                     if (a_file) {
                       return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                     }
                     return false;
                   });
  return std::move(m_result);
}

} // namespace homectl::config::detail
