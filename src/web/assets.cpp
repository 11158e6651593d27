#include "homectl/web/assets.hpp"

#include "embedded_files.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace homectl::web {
namespace {

// Built once from the constant embedded table; views only, nothing owned.
const std::vector<Asset>& table() {
  static const std::vector<Asset> instance = [] {
    std::vector<Asset> assets;
    for (const auto& file : detail::embedded_files()) {
      assets.push_back(Asset{file.path, file.content, content_type_for(file.name), file.etag});
    }
    std::sort(assets.begin(), assets.end(),
              [](const Asset& a, const Asset& b) { return a.path < b.path; });
    return assets;
  }();
  return instance;
}

} // namespace

const Asset* find_asset(std::string_view path) {
  const auto& assets = table();
  const auto it = std::lower_bound(assets.begin(), assets.end(), path,
                                   [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == assets.end() || it->path != path) {
    return nullptr;
  }
  return &*it;
}

std::span<const Asset> all_assets() {
  return table();
}

std::string_view content_type_for(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> k_types{{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [extension, type] : k_types) {
    if (file_name.size() > extension.size() && file_name.ends_with(extension)) {
      return type;
    }
  }
  return "application/octet-stream";
}

} // namespace homectl::web
