// Fuzzes the value parsers of the configuration (durations, sizes, rates,
// listen addresses). Whatever parses must format back to text that parses to
// the same value, so `config show` output is always loadable again.
#include "homectl/config/values.hpp"
#include "homectl/util/url.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool condition, const char* what, std::string_view input, const std::string& output) {
  if (!condition) {
    std::fprintf(stderr, "%s: input \"%.*s\" formatted as \"%s\"\n", what,
                 static_cast<int>(input.size()), input.data(), output.c_str());
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace homectl::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto d = parse_duration(text)) {
    const std::string formatted = format_duration(*d);
    auto again = parse_duration(formatted);
    check(again.ok() && *again == *d, "duration round trip", text, formatted);
  }
  (void)parse_duration_or_off(text);

  if (auto bytes = parse_size(text)) {
    const std::string formatted = format_size(*bytes);
    auto again = parse_size(formatted);
    check(again.ok() && *again == *bytes, "size round trip", text, formatted);
  }

  if (auto rate = parse_rate(text)) {
    const std::string formatted = format_rate(*rate);
    auto again = parse_rate(formatted);
    check(again.ok() && *again == *rate, "rate round trip", text, formatted);
  }
  (void)parse_rate_or_off(text);

  if (auto listen = parse_listen(text)) {
    const std::string formatted = format_listen(*listen);
    auto again = parse_listen(formatted);
    check(again.ok() && *again == *listen, "listen round trip", text, formatted);
  }

  (void)parse_http_url(text);
  (void)parse_redis_url(text);
  if (auto mqtt = homectl::util::parse_mqtt_url(text)) {
    const std::string shown = mqtt->describe();
    const bool credentials = !mqtt->user.empty() || !mqtt->password.empty();
    check(credentials == (shown.find("<redacted>@") != std::string::npos), "mqtt credentials shown",
          text, shown);
  }
  (void)parse_json_pointer(text);
  (void)parse_source_name(text);
  (void)homectl::util::redact_url(text);
  (void)homectl::util::redact_url(text, homectl::util::UrlPath::secret);
  (void)homectl::util::url_host_label(text);
  (void)homectl::util::is_loopback_host(text);
  return 0;
}
