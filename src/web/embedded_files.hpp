#pragma once

#include <span>
#include <string_view>

// The raw files of web/, as cmake/EmbedWeb.cmake writes them into the generated
// web_assets.cpp at build time. Internal to src/web: others use assets.hpp.
namespace homectl::web::detail {

// One embedded file: its name in web/, the URL path it is served at ("/" for
// index.html), its bytes and its strong ETag (quoted).
struct EmbeddedFile {
  std::string_view name;
  std::string_view path;
  std::string_view content;
  std::string_view etag;
};

// Every embedded file, sorted by name; constant-initialised, never empty.
std::span<const EmbeddedFile> embedded_files();

} // namespace homectl::web::detail
