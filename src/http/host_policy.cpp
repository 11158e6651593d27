#include "homectl/http/host_policy.hpp"

#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

#include <algorithm>
#include <optional>

namespace homectl::http {
namespace {

struct HostName {
  std::string host; // lower case, no brackets, no trailing dot
  bool ip_literal = false;
};

// The host of "name[:port]", "a.b.c.d[:port]" or "[v6][:port]"; nullopt when
// malformed (userinfo included: a Host header has none).
std::optional<HostName> host_of(std::string_view text) {
  if (text.find('@') != std::string_view::npos) {
    return std::nullopt;
  }
  const auto authority = util::parse_authority(text);
  if (!authority) {
    return std::nullopt;
  }
  HostName out;
  std::string_view host = authority->host;
  out.ip_literal = util::is_ip_literal(host);
  if (!out.ip_literal && host.ends_with('.')) {
    host.remove_suffix(1);
  }
  out.host = util::to_lower(host);
  return out;
}

std::string_view first_label(std::string_view name) {
  return name.substr(0, name.find('.'));
}

bool names_machine(std::string_view host, std::string_view machine_name) {
  if (machine_name.empty()) {
    return false;
  }
  const std::string machine = util::to_lower(machine_name);
  const std::string label(first_label(machine));
  return host == machine || host == label || host == label + ".local";
}

// "http://host:port" → the authority, for comparison with Host.
std::optional<std::string_view> origin_authority(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.size() > scheme.size() &&
        util::to_lower(origin.substr(0, scheme.size())) == scheme) {
      const auto authority = origin.substr(scheme.size());
      if (authority.find('/') != std::string_view::npos) {
        return std::nullopt;
      }
      return authority;
    }
  }
  return std::nullopt;
}

// "localhost:80" and "localhost" name the same origin over http.
std::string_view without_default_port(std::string_view authority) {
  if (authority.ends_with(":80")) {
    authority.remove_suffix(3);
  }
  return authority;
}

} // namespace

bool host_allowed(std::string_view host, std::span<const std::string> allowed_hosts,
                  std::string_view machine_name) {
  if (host.empty()) {
    return true;
  }
  const auto authority = host_of(host);
  if (!authority) {
    return false;
  }
  if (authority->ip_literal || authority->host == "localhost" ||
      names_machine(authority->host, machine_name)) {
    return true;
  }
  return std::any_of(allowed_hosts.begin(), allowed_hosts.end(), [&](const std::string& entry) {
    return entry == "*" || util::to_lower(entry) == authority->host;
  });
}

bool cross_site(const Request& request) {
  if (util::to_lower(util::trim(request.header("Sec-Fetch-Site"))) == "cross-site") {
    return true;
  }
  for (const auto& header : request.headers) {
    if (util::to_lower(header.name) != "origin") {
      continue;
    }
    const auto authority = origin_authority(util::trim(header.value));
    if (!authority ||
        util::to_lower(without_default_port(*authority)) !=
            util::to_lower(without_default_port(util::trim(request.header("Host"))))) {
      return true;
    }
  }
  return false;
}

} // namespace homectl::http
