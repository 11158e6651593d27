// The effective configuration as JSON, for `config show` and /diagnostics.
#include "homectl/config/loader.hpp"
#include "homectl/config/settings.hpp"

namespace homectl::config {
namespace {

// Sets root["a"]["b"] for the dotted path "a.b".
void put(nlohmann::json& root, std::string_view dotted, nlohmann::json value) {
  nlohmann::json* node = &root;
  std::size_t start = 0;
  while (true) {
    const auto dot = dotted.find('.', start);
    const std::string key(dotted.substr(start, dot - start));
    if (dot == std::string_view::npos) {
      (*node)[key] = std::move(value);
      return;
    }
    node = &(*node)[key];
    start = dot + 1;
  }
}

// Walks every concrete setting of a Config: fn(row, path, value).
template <typename Fn>
void for_each_value(const Config& config, Fn&& fn) {
  for (const auto* s : settings_in(Scope::global)) {
    fn(*s, std::string(s->key), s->get(&config));
  }
  for (const auto* s : settings_in(Scope::policy)) {
    fn(*s, "defaults." + std::string(s->key), s->get(&config.defaults));
  }
  for (const auto& source : config.sources) {
    for (const auto* s : settings_in(Scope::policy)) {
      fn(*s, "sources." + source.name + "." + std::string(s->key), s->get(&source.policy));
    }
    for (const auto* s : settings_in(Scope::source)) {
      fn(*s, "sources." + source.name + "." + std::string(s->key), s->get(&source));
    }
  }
}

template <typename Leaf>
nlohmann::json render(const Config& config, Leaf&& leaf) {
  nlohmann::json root = nlohmann::json::object();
  root["sources"] = nlohmann::json::object();
  for_each_value(config, [&](const Setting& s, const std::string& path, const Value& value) {
    // Source names never contain dots, so splitting the path is safe.
    put(root, path, leaf(s, path, value));
  });
  nlohmann::json notify = nlohmann::json::array();
  for (std::size_t i = 0; i < config.watchdog.notify.size(); ++i) {
    nlohmann::json item = nlohmann::json::object();
    for (const auto* s : settings_in(Scope::notifier)) {
      const std::string path = "watchdog.notify[" + std::to_string(i) + "]." + std::string(s->key);
      item[std::string(s->key)] = leaf(*s, path, s->get(&config.watchdog.notify[i]));
    }
    notify.push_back(std::move(item));
  }
  root["watchdog"]["notify"] = std::move(notify);
  return root;
}

} // namespace

nlohmann::json to_json(const Config& config, bool redact) {
  return render(config, [redact](const Setting& s, const std::string& /*path*/, const Value& v) {
    return value_to_json(s, v, redact);
  });
}

nlohmann::json to_json_with_origins(const LoadResult& result, bool redact) {
  return render(result.config, [&](const Setting& s, const std::string& path, const Value& v) {
    const auto it = result.origins.find(path);
    return nlohmann::json{{"value", value_to_json(s, v, redact)},
                          {"origin", it == result.origins.end() ? "default" : it->second}};
  });
}

} // namespace homectl::config
