#include "daemon_options.hpp"

#include <cctype>

namespace homectl::cli {

void add_daemon_options(CLI::App& cmd, DaemonFlags& flags) {
  cmd.add_option("--url", flags.url,
                 "Daemon base URL (default: $HOMECTL_URL, else http:// + server.listen)")
      ->type_name("URL");
  cmd.add_option("--token", flags.token,
                 "API token sent as Bearer (default: $HOMECTL_TOKEN, else server.api_token)")
      ->type_name("TOKEN");
}

Result<config::Config> load_client_config(const Context& ctx) {
  if (!ctx.globals.config_path.empty()) {
    return make_error(ctx.globals.config_path +
                      ": configuration files are not read by this build; pass --url/--token "
                      "or HOMECTL_URL/HOMECTL_TOKEN");
  }
  return config::Config{};
}

Result<std::chrono::milliseconds> parse_flag_duration(const std::string& flag,
                                                      const std::string& text) {
  auto bad = [&] {
    return make_error(flag + ": \"" + text + "\" is not a duration (e.g. 500ms, 2s, 1m30s)");
  };
  if (text.empty()) {
    return bad();
  }
  long long total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return bad();
    }
    long long number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      number = number * 10 + (text[i] - '0');
      if (number > 1'000'000'000) {
        return bad();
      }
      ++i;
    }
    std::string unit;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
      unit += text[i++];
    }
    long long factor = 0;
    if (unit == "ms") {
      factor = 1;
    } else if (unit == "s") {
      factor = 1000;
    } else if (unit == "m") {
      factor = 60'000;
    } else if (unit == "h") {
      factor = 3'600'000;
    } else if (unit == "d") {
      factor = 86'400'000;
    } else {
      return bad();
    }
    total += number * factor;
  }
  return std::chrono::milliseconds(total);
}

} // namespace homectl::cli
