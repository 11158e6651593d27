#pragma once

#include <span>
#include <string_view>

// The status page's files (web/), embedded into the binary at build time.
namespace homectl::web {

// One servable file: URL path, bytes, media type and strong ETag (quoted, e.g.
// "\"3f2a...\""), all fixed at build time.
struct Asset {
  std::string_view path;
  std::string_view content;
  std::string_view content_type;
  std::string_view etag;
};

// The asset served at a URL path ("/" is web/index.html, "/app.js" is web/app.js),
// or nullptr. Exact match only: no query strings, no directory traversal.
const Asset* find_asset(std::string_view path);

// Every asset, in URL-path order.
std::span<const Asset> all_assets();

// The media type for a file name by its extension ("app.css" → "text/css; charset=utf-8");
// application/octet-stream for anything unknown.
std::string_view content_type_for(std::string_view file_name);

} // namespace homectl::web
