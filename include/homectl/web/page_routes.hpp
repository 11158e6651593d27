#pragma once

#include "homectl/http/message.hpp"
#include "homectl/http/router.hpp"
#include "homectl/web/assets.hpp"

#include <functional>

// The status page's routes: GET / and every other embedded file.
namespace homectl::web {

// Asked on every request whether the page is on (server.ui, which SIGHUP may change).
using UiEnabled = std::function<bool()>;

// Adds one GET route (class "read", no auth) per embedded asset: "/", "/app.css",
// "/app.js", ... While `ui_enabled()` is false they answer 404 like an unknown path.
void add_page_routes(http::Router& router, const UiEnabled& ui_enabled);

// The HTTP response for an asset: 200 with the body and headers of
// respond_to_get, or 304 when the request's If-None-Match holds its ETag.
http::Response page_response(const Asset& asset, const http::Request& request);

} // namespace homectl::web
