#pragma once

#include "homectl/config/jsonc.hpp"
#include "homectl/config/loader.hpp"
#include "homectl/config/settings.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

// Internal to the config area: assembles a Config from a parsed file, the
// environment and flag overrides, collecting every problem on the way.
namespace homectl::config::detail {

// Where one setting's value came from.
struct Origin {
  enum class Kind { builtin, file, env, flag };
  Kind kind = Kind::builtin;
  Position position; // file only
  std::string name;  // env variable name
};

// A raw value for one concrete setting path, before parsing.
struct Assignment {
  nlohmann::json value;
  Origin origin;
};

class ConfigBuilder {
public:
  ConfigBuilder(std::string file_name, const Environment& env,
                const std::map<std::string, std::string>& overrides);

  // Records the file's values (nullptr = no file); unknown keys become problems.
  void read_document(const JsoncDocument* document);
  // Environment, then flags, override the file.
  void overlay_environment();
  void overlay_flags();
  // Parses every value into the Config and checks the cross-field rules.
  LoadResult finish();

private:
  struct SourceEntry {
    std::string name;
    Position position;
  };
  struct NotifierEntry {
    Position position;
    std::map<std::string, Assignment> fields; // key -> raw value
  };
  // Whose fetch policy is read or checked: `defaults` (policy settings only,
  // every rule reported) or one source (its own settings too; a rule only
  // when one of its own values takes part).
  enum class PolicyOf { defaults, source };
  // Where in the file a problem points: at the value, or at its key.
  enum class At { value, key };

  void add_problem(Severity severity, const Origin& origin, std::string path, std::string message);
  void walk_object(const nlohmann::json& object, const std::string& pointer,
                   const std::string& dotted);
  void walk_scoped(const nlohmann::json& object, const std::string& pointer,
                   const std::string& dotted, PolicyOf policy_of);
  void walk_sources(const nlohmann::json& object, const std::string& pointer);
  void walk_notifiers(const nlohmann::json& array, const std::string& pointer);
  bool expect_object(const nlohmann::json& value, const std::string& pointer,
                     const std::string& dotted);
  void unknown_key(const std::string& pointer, const std::string& dotted, const std::string& key,
                   const std::vector<std::string>& candidates, const std::string& extra = {});
  Origin file_origin(const std::string& pointer, At at = At::value) const;

  // Expands ${NAME} in every string of a file value; false (with a problem) on failure.
  bool expand(nlohmann::json& value, const Origin& origin, const std::string& path);
  // Parses and stores one setting; records its origin text.
  void apply(const Setting& setting, const std::string& path, void* target,
             const Assignment* assignment);
  std::map<std::string, const Setting*> env_settable_paths() const;
  const Setting* find_path(const std::string& path) const;

  // The rules that span settings, after every value is parsed.
  void check_rules();
  void check_server();
  void check_sources();
  void check_upstream(const std::string& name, const SourceConfig& source, const Origin& at_name);
  void check_watchdog();
  void check_history();
  void check_watched_sources();
  void check_notifier(std::size_t index, const NotifierEntry& entry,
                      const NotifierConfig& notifier);
  void check_policy(const std::string& prefix, const FetchPolicy& policy, PolicyOf policy_of);
  void check_mqtt(); // rules_mqtt.cpp
  Origin origin_of(const std::string& path) const;
  bool involved_failed(std::initializer_list<std::string> paths) const;

  std::string m_file;
  const Environment& m_env;
  const std::map<std::string, std::string>& m_overrides;
  const JsoncDocument* m_document = nullptr;
  std::map<std::string, Assignment> m_assignments;
  std::vector<SourceEntry> m_sources; // in name order
  std::vector<NotifierEntry> m_notifiers;
  std::set<std::string> m_failed; // paths whose value did not parse
  LoadResult m_result;
};

// How `config show --origin` names an origin: "default", "file:line:col", "env NAME", "flag".
std::string origin_text(const Origin& origin, const std::string& file);

} // namespace homectl::config::detail
