#include "builder.hpp"

#include "homectl/config/values.hpp"
#include "homectl/util/strings.hpp"

#include <algorithm>

namespace homectl::config::detail {
namespace {

constexpr std::string_view k_env_prefix = "HOMECTL_";

// Variables the CLI reads besides the derived ones.
bool is_cli_variable(std::string_view name) {
  return name == "HOMECTL_CONFIG" || name == "HOMECTL_URL" || name == "HOMECTL_TOKEN";
}

std::string join_path(const std::string& dotted, const std::string& key) {
  return dotted.empty() ? key : dotted + "." + key;
}

// The next path segments below `dotted` among the global rows ("server" -> listen, threads...).
std::vector<std::string> global_children(const std::string& dotted) {
  std::vector<std::string> out;
  const std::string prefix = dotted.empty() ? "" : dotted + ".";
  for (const auto& s : settings()) {
    if (s.scope != Scope::global || !s.key.starts_with(prefix)) {
      continue;
    }
    const std::string rest(s.key.substr(prefix.size()));
    std::string segment = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), segment) == out.end()) {
      out.push_back(segment);
    }
  }
  if (dotted.empty()) {
    out.emplace_back("defaults");
    out.emplace_back("sources");
  }
  if (dotted == "watchdog") {
    out.emplace_back("notify");
  }
  return out;
}

bool is_global_section(const std::string& dotted) {
  const std::string prefix = dotted + ".";
  return std::any_of(settings().begin(), settings().end(), [&](const Setting& s) {
    return s.scope == Scope::global && s.key.starts_with(prefix);
  });
}

std::vector<std::string> keys_of(std::initializer_list<Scope> scopes) {
  std::vector<std::string> out;
  for (const auto scope : scopes) {
    for (const auto* s : settings_in(scope)) {
      out.emplace_back(s->key);
    }
  }
  return out;
}

std::string kind_of(const nlohmann::json& v) {
  return v.is_string()    ? "a string"
         : v.is_boolean() ? "a boolean"
         : v.is_number()  ? "a number"
         : v.is_array()   ? "an array"
         : v.is_object()  ? "an object"
                          : "null";
}

} // namespace

ConfigBuilder::ConfigBuilder(std::string file_name, const Environment& env,
                             const std::map<std::string, std::string>& overrides)
    : m_file(std::move(file_name)), m_env(env), m_overrides(overrides) {
  m_result.file = m_file;
}

void ConfigBuilder::add_problem(Severity severity, const Origin& origin, std::string path,
                                std::string message) {
  Problem p;
  p.severity = severity;
  p.path = std::move(path);
  p.message = std::move(message);
  switch (origin.kind) {
  case Origin::Kind::file:
    p.file = m_file;
    p.line = origin.position.line;
    p.column = origin.position.column;
    break;
  case Origin::Kind::env:
    p.origin = origin.name;
    break;
  case Origin::Kind::flag:
    p.origin = "command line";
    break;
  case Origin::Kind::builtin:
    break;
  }
  m_result.problems.push_back(std::move(p));
}

Origin ConfigBuilder::file_origin(const std::string& pointer, At at) const {
  Origin o;
  o.kind = Origin::Kind::file;
  if (m_document != nullptr) {
    const auto& map = at == At::key ? m_document->key_positions : m_document->value_positions;
    if (auto it = map.find(pointer); it != map.end()) {
      o.position = it->second;
    }
  }
  return o;
}

void ConfigBuilder::read_document(const JsoncDocument* document) {
  m_document = document;
  if (document == nullptr) {
    return;
  }
  for (const auto& pointer : document->duplicate_keys) {
    std::string dotted = pointer.substr(1);
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    add_problem(Severity::error, file_origin(pointer, At::key), dotted,
                "the key is given twice (only the last one would count)");
  }
  if (!document->value.is_object()) {
    add_problem(Severity::error, file_origin(""), "",
                "the top level must be an object ({...}), not " + kind_of(document->value));
    return;
  }
  walk_object(document->value, "", "");
}

bool ConfigBuilder::expect_object(const nlohmann::json& value, const std::string& pointer,
                                  const std::string& dotted) {
  if (value.is_object()) {
    return true;
  }
  add_problem(Severity::error, file_origin(pointer), dotted,
              "expected an object ({...}), got " + kind_of(value));
  return false;
}

void ConfigBuilder::unknown_key(const std::string& pointer, const std::string& dotted,
                                const std::string& key, const std::vector<std::string>& candidates,
                                const std::string& extra) {
  std::string message = "unknown key " + util::quote(key);
  if (!extra.empty()) {
    message += " (" + extra + ")";
  } else if (auto hint = util::did_you_mean(key, candidates)) {
    message += "; did you mean " + util::quote(*hint) + "?";
  }
  add_problem(Severity::error, file_origin(pointer, At::key), dotted, std::move(message));
}

void ConfigBuilder::walk_object(const nlohmann::json& object, const std::string& pointer,
                                const std::string& dotted) {
  for (const auto& [key, value] : object.items()) {
    const std::string child_pointer = pointer_append(pointer, key);
    const std::string child = join_path(dotted, key);
    if (dotted.empty() && key == "$schema") {
      continue; // editors use it to find the JSON Schema
    }
    if (child == "defaults") {
      if (expect_object(value, child_pointer, child)) {
        walk_scoped(value, child_pointer, child, PolicyOf::defaults);
      }
    } else if (child == "sources") {
      if (expect_object(value, child_pointer, child)) {
        walk_sources(value, child_pointer);
      }
    } else if (child == "watchdog.notify") {
      walk_notifiers(value, child_pointer);
    } else if (find_global_setting(child) != nullptr) {
      m_assignments[child] = Assignment{value, file_origin(child_pointer)};
    } else if (is_global_section(child)) {
      if (expect_object(value, child_pointer, child)) {
        walk_object(value, child_pointer, child);
      }
    } else {
      unknown_key(child_pointer, child, key, global_children(dotted));
    }
  }
}

void ConfigBuilder::walk_scoped(const nlohmann::json& object, const std::string& pointer,
                                const std::string& dotted, PolicyOf policy_of) {
  const auto candidates = policy_of == PolicyOf::source ? keys_of({Scope::policy, Scope::source})
                                                        : keys_of({Scope::policy});
  for (const auto& [key, value] : object.items()) {
    const std::string child_pointer = pointer_append(pointer, key);
    const std::string child = join_path(dotted, key);
    if (std::find(candidates.begin(), candidates.end(), key) != candidates.end()) {
      m_assignments[child] = Assignment{value, file_origin(child_pointer)};
      continue;
    }
    const auto source_keys = keys_of({Scope::source});
    if (policy_of == PolicyOf::defaults &&
        std::find(source_keys.begin(), source_keys.end(), key) != source_keys.end()) {
      unknown_key(child_pointer, child, key, candidates,
                  util::quote(key) + " is set per source, not in defaults");
    } else {
      unknown_key(child_pointer, child, key, candidates);
    }
  }
}

void ConfigBuilder::walk_sources(const nlohmann::json& object, const std::string& pointer) {
  for (const auto& [name, value] : object.items()) {
    const std::string child_pointer = pointer_append(pointer, name);
    const std::string child = "sources." + name;
    if (auto valid = parse_source_name(name); !valid) {
      add_problem(Severity::error, file_origin(child_pointer, At::key), child,
                  valid.error().message);
      continue;
    }
    if (!expect_object(value, child_pointer, child)) {
      continue;
    }
    m_sources.push_back(SourceEntry{name, file_origin(child_pointer, At::key).position});
    walk_scoped(value, child_pointer, child, PolicyOf::source);
  }
}

void ConfigBuilder::walk_notifiers(const nlohmann::json& array, const std::string& pointer) {
  if (!array.is_array()) {
    add_problem(Severity::error, file_origin(pointer), "watchdog.notify",
                "expected an array of notifiers ([{...}]), got " + kind_of(array));
    return;
  }
  const auto candidates = keys_of({Scope::notifier});
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string item_pointer = pointer_append(pointer, std::to_string(i));
    const std::string item = "watchdog.notify[" + std::to_string(i) + "]";
    if (!expect_object(array[i], item_pointer, item)) {
      continue;
    }
    NotifierEntry entry;
    entry.position = file_origin(item_pointer).position;
    for (const auto& [key, value] : array[i].items()) {
      const std::string child_pointer = pointer_append(item_pointer, key);
      if (std::find(candidates.begin(), candidates.end(), key) == candidates.end()) {
        std::string child = item;
        child += '.';
        child += key;
        unknown_key(child_pointer, child, key, candidates);
        continue;
      }
      entry.fields[key] = Assignment{value, file_origin(child_pointer)};
    }
    m_notifiers.push_back(std::move(entry));
  }
}

std::map<std::string, const Setting*> ConfigBuilder::env_settable_paths() const {
  std::map<std::string, const Setting*> out;
  for (const auto& s : settings()) {
    if (!env_settable(s)) {
      continue;
    }
    if (s.scope == Scope::global) {
      out[std::string(s.key)] = &s;
    } else if (s.scope == Scope::policy) {
      out["defaults." + std::string(s.key)] = &s;
    }
    if (s.scope == Scope::policy || s.scope == Scope::source) {
      for (const auto& source : m_sources) {
        out["sources." + source.name + "." + std::string(s.key)] = &s;
      }
    }
  }
  return out;
}

const Setting* ConfigBuilder::find_path(const std::string& path) const {
  const auto paths = env_settable_paths();
  if (auto it = paths.find(path); it != paths.end()) {
    return it->second;
  }
  return nullptr;
}

void ConfigBuilder::overlay_environment() {
  std::map<std::string, std::pair<std::string, const Setting*>> by_name; // env name -> path, row
  for (const auto& [path, setting] : env_settable_paths()) {
    by_name[env_name(path)] = {path, setting};
  }
  std::vector<std::string> known;
  known.reserve(by_name.size());
  for (const auto& [name, entry] : by_name) {
    known.push_back(name);
  }
  for (const auto& [name, text] : m_env) {
    if (!name.starts_with(k_env_prefix) || is_cli_variable(name)) {
      continue;
    }
    Origin origin;
    origin.kind = Origin::Kind::env;
    origin.name = name;
    if (auto it = by_name.find(name); it != by_name.end()) {
      const auto& [path, setting] = it->second;
      m_assignments[path] = Assignment{text_to_json(*setting, text), origin};
      continue;
    }
    std::string message = "unknown variable (not a homectl setting)";
    if (auto hint = util::did_you_mean(name, known)) {
      message += "; did you mean " + *hint + "?";
    } else if (name.starts_with("HOMECTL_SOURCES_")) {
      message += "; per-source variables need the source in the file "
                 "(HOMECTL_SOURCES_<NAME>_<FIELD>)";
    }
    add_problem(Severity::warning, origin, "", std::move(message));
  }
}

void ConfigBuilder::overlay_flags() {
  for (const auto& [path, text] : m_overrides) {
    Origin origin;
    origin.kind = Origin::Kind::flag;
    if (const Setting* setting = find_path(path)) {
      m_assignments[path] = Assignment{text_to_json(*setting, text), origin};
    } else {
      add_problem(Severity::error, origin, path, "unknown setting " + util::quote(path));
    }
  }
}

} // namespace homectl::config::detail
