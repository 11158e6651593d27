#include "homectl/config/jsonc.hpp"
#include "homectl/config/loader.hpp"
#include "homectl/config/schema.hpp"
#include "homectl/config/settings.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace homectl::config {
namespace {

using nlohmann::json;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Resolves a local "$ref" ("#/$defs/x") against the root schema.
const json& deref(const json& root, const json& node) {
  if (node.contains("$ref")) {
    const auto ref = node["$ref"].get<std::string>();
    return root.at(json::json_pointer(ref.substr(1)));
  }
  return node;
}

// Every key of `value` must be described by `schema`; collects the undescribed paths.
void check_described(const json& root, const json& schema_node, const json& value,
                     const std::string& path, std::vector<std::string>& missing) {
  const json& schema = deref(root, schema_node);
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      const std::string child_path = path + "/" + key;
      if (schema.contains("properties") && schema["properties"].contains(key)) {
        check_described(root, schema["properties"][key], child, child_path, missing);
      } else if (schema.contains("patternProperties")) {
        check_described(root, schema["patternProperties"].begin().value(), child, child_path,
                        missing);
      } else if (schema.contains("additionalProperties") &&
                 schema["additionalProperties"].is_object()) {
        check_described(root, schema["additionalProperties"], child, child_path, missing);
      } else {
        missing.push_back(child_path);
      }
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (const auto& item : value) {
      check_described(root, schema["items"], item, path + "[]", missing);
    }
  }
}

TEST(ConfigSchema, EnvSampleIsUpToDate) {
  const std::string checked_in = read(HOMECTL_SOURCE_DIR "/.env.sample");
  EXPECT_EQ(checked_in, env_sample())
      << ".env.sample drifted from the settings table; regenerate it with "
         "`build/homectl config env > .env.sample`";
}

TEST(ConfigSchema, EnvSampleListsEverySettableVariable) {
  const std::string sample = env_sample();
  for (const auto& s : settings()) {
    for (const auto& path : setting_paths(s)) {
      const std::string name = env_name(path);
      if (env_settable(s)) {
        EXPECT_NE(sample.find("# " + name + "="), std::string::npos) << path;
      }
    }
  }
  EXPECT_NE(sample.find("# HOMECTL_SERVER_LISTEN=127.0.0.1:8080\n"), std::string::npos);
  EXPECT_NE(sample.find("# HOMECTL_DEFAULTS_REFRESH=15m\n"), std::string::npos);
  EXPECT_NE(sample.find("# HOMECTL_SOURCES_<NAME>_TTL=\n"), std::string::npos);
  EXPECT_NE(sample.find("# HOMECTL_LIMITS_REFRESH_RATE=60/m\n"), std::string::npos);
  EXPECT_EQ(sample.find("HEADERS"), std::string::npos); // maps are file-only
}

TEST(ConfigSchema, DescribesEverySetting) {
  const json schema = json_schema();
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_EQ(schema["properties"]["sources"]["patternProperties"].begin().key(),
            std::string(k_source_name_pattern));
  for (const auto& s : settings()) {
    EXPECT_FALSE(s.doc.empty()) << s.key;
    json node;
    switch (s.scope) {
    case Scope::global: {
      const json* n = &schema;
      std::string rest(s.key);
      std::size_t dot = 0;
      while ((dot = rest.find('.')) != std::string::npos) {
        n = &(*n)["properties"][rest.substr(0, dot)];
        EXPECT_EQ((*n)["additionalProperties"], false) << s.key;
        rest = rest.substr(dot + 1);
      }
      node = (*n)["properties"][rest];
      break;
    }
    case Scope::policy:
      node = schema["$defs"]["policy"]["properties"][std::string(s.key)];
      EXPECT_TRUE(schema["$defs"]["source"]["properties"].contains(std::string(s.key)));
      break;
    case Scope::source:
      node = schema["$defs"]["source"]["properties"][std::string(s.key)];
      break;
    case Scope::notifier:
      node = schema["$defs"]["notifier"]["properties"][std::string(s.key)];
      break;
    }
    ASSERT_TRUE(node.is_object()) << s.key;
    EXPECT_TRUE(node.contains("description")) << s.key;
    EXPECT_TRUE(node.contains("default")) << s.key;
  }
  const json& ttl = schema["$defs"]["policy"]["properties"]["ttl"];
  EXPECT_EQ(ttl["default"], "5m");
  EXPECT_EQ(ttl["pattern"], "^(?=[0-9])([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$");
  EXPECT_EQ(schema["properties"]["server"]["properties"]["threads"]["maximum"], 64);
}

TEST(ConfigSchema, DescribesEveryKeyOfTheExample) {
  const auto parsed = parse_jsonc(read(HOMECTL_SOURCE_DIR "/examples/homectl.json"));
  ASSERT_FALSE(parsed.error);
  const json schema = json_schema();
  std::vector<std::string> missing;
  check_described(schema, schema, parsed.document.value, "", missing);
  EXPECT_TRUE(missing.empty()) << "first undescribed key: " << missing.front();
}

TEST(ConfigSchema, ShowOutputLoadsBackToTheSameConfig) {
  const Environment env{{"HOME_API_TOKEN", "t"}, {"NTFY_TOKEN", "n"}};
  const auto original = load_text(read(HOMECTL_SOURCE_DIR "/examples/homectl.json"), "ex", env);
  ASSERT_TRUE(original.ok());
  const auto again = load_text(to_json(original.config, false).dump(), "shown", {});
  ASSERT_TRUE(again.ok()) << (again.problems.empty() ? "" : again.problems[0].to_string());
  EXPECT_EQ(again.config, original.config);
  const auto defaults = load_text(to_json(Config{}, false).dump(), "defaults", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults.config, Config{});
}

TEST(ConfigSchema, DefaultsAreInFileSyntax) {
  for (const auto& s : settings()) {
    const auto back = parse_value(s, default_json(s));
    if (s.type == SettingType::enumeration && s.scope == Scope::notifier) {
      continue;
    }
    EXPECT_TRUE(back.ok()) << s.key << ": " << (back.ok() ? "" : back.error().message);
  }
}

} // namespace
} // namespace homectl::config
