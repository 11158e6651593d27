#include "homectl/watchdog/notifier_label.hpp"

#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"
#include "homectl/watchdog/notifier.hpp"

#include <algorithm>
#include <array>

namespace homectl::watchdog {
namespace {

// Config validation refuses a malformed escape; should one get here, it is
// sent as written.
std::string decoded(std::string_view text) {
  auto out = util::percent_decode(text);
  return out ? std::move(*out) : std::string(text);
}

// Host names and IP literals only: anything else in the authority is not shown.
bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == ':' || c == '[' || c == ']';
}

constexpr std::array<std::string_view, 4> k_types{"ntfy", "gotify", "webhook", "command"};

} // namespace

NotifierUrl split_notifier_url(std::string_view url) {
  NotifierUrl out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    out.url = std::string(url);
    return out;
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  const std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  // The last '@' ends the userinfo: a password may contain '@' but a host may not.
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const auto colon = userinfo.find(':');
    out.username = decoded(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) {
      out.password = decoded(userinfo.substr(colon + 1));
    }
    authority = authority.substr(at + 1);
  }
  out.url = std::string(url.substr(0, scheme_end + 3)) + std::string(authority) + std::string(tail);
  out.host = util::url_host_label(url);
  return out;
}

std::string notifier_label(config::NotifierType type, std::size_t position, std::string_view url) {
  std::string label = std::string(to_string(type)) + "#" + std::to_string(position);
  if (type != config::NotifierType::command) {
    const auto host = split_notifier_url(url).host;
    if (!host.empty()) {
      label += " " + host;
    }
  }
  return label;
}

bool is_notifier_label(std::string_view key) {
  const auto hash = key.find('#');
  if (hash == std::string_view::npos ||
      std::find(k_types.begin(), k_types.end(), key.substr(0, hash)) == k_types.end()) {
    return false;
  }
  std::string_view rest = key.substr(hash + 1);
  const auto space = rest.find(' ');
  const std::string_view number = rest.substr(0, space);
  if (number.empty() || number.size() > 6 || number.front() == '0' ||
      !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  if (space == std::string_view::npos) {
    return true;
  }
  const std::string_view host = rest.substr(space + 1);
  return !host.empty() && std::all_of(host.begin(), host.end(), host_char);
}

} // namespace homectl::watchdog
