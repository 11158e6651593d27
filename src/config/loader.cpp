#include "homectl/config/loader.hpp"

#include "builder.hpp"
#include "homectl/config/jsonc.hpp"
#include "homectl/util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

extern char** environ; // NOLINT: POSIX

namespace homectl::config {
namespace {

Problem file_problem(std::string message) {
  Problem p;
  p.message = std::move(message);
  return p;
}

// Reads a configuration file, refusing directories and anything over the size limit.
Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error("cannot read " + util::quote(path) + ": Is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("cannot read " + util::quote(path) + ": " + std::strerror(errno));
  }
  std::string text;
  text.resize(k_max_jsonc_size + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return make_error("cannot read " + util::quote(path) + ": " + std::strerror(errno));
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > k_max_jsonc_size) {
    return make_error(util::quote(path) + " is too large (more than 1 MiB); is it the right file?");
  }
  return text;
}

LoadResult build(const JsoncDocument* document, std::string_view file_name, const Environment& env,
                 const std::map<std::string, std::string>& overrides) {
  detail::ConfigBuilder builder(std::string(file_name), env, overrides);
  builder.read_document(document);
  builder.overlay_environment();
  builder.overlay_flags();
  return builder.finish();
}

} // namespace

std::string Problem::to_string() const {
  std::string out;
  if (!file.empty()) {
    out = file;
    if (line > 0) {
      out += ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    out += ": ";
  } else if (!origin.empty()) {
    out = origin + ": ";
  }
  // An environment variable already names its setting.
  if (!path.empty() && !origin.starts_with("HOMECTL_")) {
    out += path + ": ";
  }
  if (severity == Severity::warning) {
    out += "warning: ";
  }
  return out + message;
}

Environment process_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
  }
  return env;
}

bool LoadResult::ok() const {
  return error_count() == 0;
}

std::size_t LoadResult::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(problems.begin(), problems.end(),
                    [](const auto& p) { return p.severity == Severity::error; }));
}

std::vector<std::string> default_config_paths(const Environment& env) {
  std::vector<std::string> out{"homectl.json"};
  if (auto it = env.find("XDG_CONFIG_HOME"); it != env.end() && !it->second.empty()) {
    out.push_back(it->second + "/homectl/homectl.json");
  } else if (auto home = env.find("HOME"); home != env.end() && !home->second.empty()) {
    out.push_back(home->second + "/.config/homectl/homectl.json");
  }
  out.emplace_back("/etc/homectl/homectl.json");
  return out;
}

LoadResult load_text(std::string_view text, std::string_view file_name, const Environment& env,
                     const std::map<std::string, std::string>& overrides) {
  const JsoncResult parsed = parse_jsonc(text);
  if (parsed.error) {
    LoadResult result;
    result.file = std::string(file_name);
    Problem p;
    p.file = std::string(file_name);
    p.line = parsed.error->position.line;
    p.column = parsed.error->position.column;
    p.message = parsed.error->message;
    result.problems.push_back(std::move(p));
    return result;
  }
  return build(&parsed.document, file_name, env, overrides);
}

LoadResult load(const LoadOptions& options) {
  std::string path = options.path;
  if (path.empty() && options.search_default_paths) {
    for (const auto& candidate : default_config_paths(options.env)) {
      std::error_code ec;
      if (std::filesystem::exists(candidate, ec)) {
        path = candidate;
        break;
      }
    }
  }
  if (path.empty()) {
    return build(nullptr, "", options.env, options.overrides);
  }
  auto text = read_file(path);
  if (!text) {
    LoadResult result;
    result.file = path;
    result.problems.push_back(file_problem(text.error().message));
    return result;
  }
  return load_text(*text, path, options.env, options.overrides);
}

} // namespace homectl::config
