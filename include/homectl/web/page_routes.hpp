#pragma once

#include "homectl/http/message.hpp"
#include "homectl/http/router.hpp"
#include "homectl/web/assets.hpp"

// The status page's routes: GET / and every other embedded file.
namespace homectl::web {

// Adds one GET route (class "read", no auth) per embedded asset — "/", "/app.css",
// "/app.js", ... — when `ui_enabled` (server.ui); adds nothing otherwise, so those
// paths answer the router's 404.
void add_page_routes(http::Router& router, bool ui_enabled);

// The HTTP response for an asset: 200 with the body and headers of
// respond_to_get, or 304 when the request's If-None-Match holds its ETag.
http::Response page_response(const Asset& asset, const http::Request& request);

} // namespace homectl::web
