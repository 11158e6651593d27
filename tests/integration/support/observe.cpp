#include "support/observe.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace homectl::test {

namespace {

// Splits `name{a="x",b="y"}` label text into pairs (values unescaped for \" and \\).
std::map<std::string, std::string> parse_labels(std::string_view text) {
  std::map<std::string, std::string> labels;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto eq = text.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') {
      break;
    }
    std::string key(text.substr(i, eq - i));
    std::string value;
    std::size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;
        value += text[j] == 'n' ? '\n' : text[j];
      } else {
        value += text[j];
      }
    }
    labels[key] = value;
    i = j + 1;
    if (i < text.size() && text[i] == ',') {
      ++i;
    }
  }
  return labels;
}

} // namespace

std::optional<double> metric_value(std::string_view text, std::string_view name,
                                   const std::vector<std::pair<std::string, std::string>>& labels) {
  const std::map<std::string, std::string> wanted(labels.begin(), labels.end());
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#' || !line.starts_with(name)) {
      continue;
    }
    std::string_view rest = std::string_view(line).substr(name.size());
    std::map<std::string, std::string> found;
    if (!rest.empty() && rest.front() == '{') {
      const auto close = rest.rfind('}');
      if (close == std::string_view::npos) {
        continue;
      }
      found = parse_labels(rest.substr(1, close - 1));
      rest = rest.substr(close + 1);
    }
    if (rest.empty() || rest.front() != ' ' || found != wanted) {
      continue;
    }
    try {
      return std::stod(std::string(rest.substr(1)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<nlohmann::json> json_lines(std::string_view output) {
  std::vector<nlohmann::json> lines;
  std::istringstream in{std::string(output)};
  std::string line;
  while (std::getline(in, line)) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_object()) {
      lines.push_back(std::move(parsed));
    }
  }
  return lines;
}

std::vector<nlohmann::json>
log_lines(std::string_view output, std::string_view msg,
          const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<nlohmann::json> matches;
  for (auto& line : json_lines(output)) {
    if (line.value("msg", "") != msg) {
      continue;
    }
    bool all = true;
    for (const auto& [key, value] : fields) {
      if (!line.contains(key)) {
        all = false;
        break;
      }
      const auto& field = line[key];
      const std::string text = field.is_string() ? field.get<std::string>() : field.dump();
      if (text != value) {
        all = false;
        break;
      }
    }
    if (all) {
      matches.push_back(std::move(line));
    }
  }
  return matches;
}

bool daemon_is_sanitized() {
  const char* other = std::getenv("HOMECTL_TEST_BINARY");
  return built_with_asan() || (other != nullptr && *other != '\0');
}

std::optional<std::int64_t> rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) {
      std::istringstream fields(line.substr(6));
      std::int64_t kib = 0;
      if (fields >> kib) {
        return kib;
      }
    }
  }
  return std::nullopt;
}

std::size_t occurrences(const std::string& text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

} // namespace homectl::test
