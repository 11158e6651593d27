#pragma once

#include "homectl/http/message.hpp"

#include <span>
#include <string>
#include <string_view>

// Which requests a browser could have been tricked into sending. The API
// answers only to names that mean this machine, so a web page cannot reach
// it through DNS rebinding (RFC 9110 §7.4: 421 for a Host the server does not
// serve), and refuses state-changing requests from other sites (CSRF).
namespace homectl::http {

// True when `host` (a Host header value: a name or IP literal with an
// optional port) names this server: an IP literal, `localhost`, the
// machine's host name (its first label alone or as `<label>.local`, or the
// whole name), or an entry of `allowed_hosts` (`"*"` allows every name).
// An empty Host (HTTP/1.0) is allowed: browsers always send one.
bool host_allowed(std::string_view host, std::span<const std::string> allowed_hosts,
                  std::string_view machine_name);

// True when a request that changes state comes from another site: its
// `Origin` is not the origin its `Host` names, or `Sec-Fetch-Site` says
// `cross-site`. Requests without either header (curl, scripts) pass.
bool cross_site(const Request& request);

} // namespace homectl::http
