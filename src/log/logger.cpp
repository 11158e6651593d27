#include "homectl/log/logger.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <unistd.h>

namespace homectl::log {
namespace {

// Process-wide logger state. The spdlog logger prints records verbatim ("%v");
// formatting (and escaping) happens here so every line is valid JSON.
struct State {
  std::mutex mutex; // guards logger replacement on reload
  std::shared_ptr<spdlog::logger> logger;
  std::string service = "homectl";
  bool json = true;
  std::atomic<int> level{static_cast<int>(Level::info)};
  std::atomic<std::uint64_t> dropped{0};
};

State& state() {
  static State s;
  return s;
}

// Standard output, one flushed line per record. Unlike spdlog's stdout sink it
// notices failed writes (disk full, a closed pipe) and reports them to the
// logger's error handler instead of losing them silently.
class StdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    const auto written = std::fwrite(formatted.data(), 1, formatted.size(), stdout);
    if (std::fflush(stdout) != 0 || written != formatted.size()) {
      const int error = errno;
      std::clearerr(stdout);
      throw spdlog::spdlog_ex("cannot write the log to standard output", error);
    }
  }
  void flush_() override { std::fflush(stdout); }
};

// A record that could not be written is counted, never allowed to take the
// process down (and never retried: the next record tries again).
void count_dropped(const std::string&) {
  state().dropped.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<spdlog::logger> make_stdout_logger() {
  auto logger = std::make_shared<spdlog::logger>("homectl", std::make_shared<StdoutSink>());
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  logger->set_error_handler(count_dropped);
  return logger;
}

std::shared_ptr<spdlog::logger> current_logger() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (!s.logger) {
    s.logger = make_stdout_logger();
  }
  return s.logger;
}

std::string_view level_name(Level level) {
  switch (level) {
  case Level::trace:
    return "trace";
  case Level::debug:
    return "debug";
  case Level::info:
    return "info";
  case Level::warn:
    return "warn";
  case Level::error:
    return "error";
  case Level::off:
    return "off";
  }
  return "info";
}

std::string dump(const nlohmann::json& value) {
  // replace: invalid UTF-8 becomes U+FFFD instead of throwing.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Escapes control characters for the text format (one record stays one line).
std::string escape_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

std::string format_json(std::string_view ts, Level level, std::string_view service,
                        std::string_view msg, Fields fields) {
  // Built by hand in a fixed key order (ts, level, service, msg, fields...)
  // with each value escaped by nlohmann.
  std::string line = "{\"ts\":";
  line += dump(std::string(ts));
  line += ",\"level\":";
  line += dump(std::string(level_name(level)));
  line += ",\"service\":";
  line += dump(std::string(service));
  line += ",\"msg\":";
  line += dump(std::string(msg));
  for (const auto& [key, value] : fields) {
    line += ',';
    line += dump(std::string(key));
    line += ':';
    line += dump(value);
  }
  line += '}';
  return line;
}

std::string format_text(std::string_view ts, Level level, std::string_view msg, Fields fields) {
  std::string line(ts);
  line += ' ';
  std::string name(level_name(level));
  for (auto& c : name) {
    c = static_cast<char>(c - 'a' + 'A');
  }
  line += name;
  line.append(6 - std::min<std::size_t>(name.size(), 5), ' ');
  line += escape_text(msg);
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    line += escape_text(value.is_string() ? value.get_ref<const std::string&>() : dump(value));
  }
  return line;
}

bool setup(const config::LogConfig& config, std::string_view service) {
  auto& s = state();
  std::shared_ptr<spdlog::logger> logger;
  std::string file_error;
  if (!config.file.empty()) {
    try {
      logger = std::make_shared<spdlog::logger>(
          "homectl", std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                         config.file, config.max_size, static_cast<std::size_t>(config.max_files)));
      logger->set_pattern("%v");
      logger->set_level(spdlog::level::trace);
      logger->flush_on(spdlog::level::info);
    } catch (const spdlog::spdlog_ex& e) {
      file_error = e.what();
    }
  }
  if (!logger) {
    logger = make_stdout_logger();
  }
  // Errors from a sink (disk full, file removed) must never take the daemon down.
  logger->set_error_handler(count_dropped);
  const bool json = config.format == config::LogFormat::json ||
                    (config.format == config::LogFormat::automatic &&
                     (!config.file.empty() || isatty(STDOUT_FILENO) == 0));
  {
    std::lock_guard lock(s.mutex);
    s.logger = std::move(logger);
    s.service = std::string(service);
    s.json = json;
  }
  set_level(config.level);
  if (!file_error.empty()) {
    error("cannot open log file; logging to stdout",
          {{"file", config.file}, {"error", file_error}});
    return false;
  }
  return true;
}

std::uint64_t dropped_records() {
  return state().dropped.load(std::memory_order_relaxed);
}

void set_level(Level level) {
  state().level.store(static_cast<int>(level));
}

bool enabled(Level level) {
  return level != Level::off && static_cast<int>(level) >= state().level.load();
}

void write(Level level, std::string_view msg, Fields fields) {
  if (!enabled(level)) {
    return;
  }
  auto& s = state();
  auto logger = current_logger();
  std::string line;
  if (s.json) {
    line = format_json(rfc3339_now(), level, s.service, msg, fields);
  } else {
    line = format_text(rfc3339_now(), level, msg, fields);
  }
  logger->log(spdlog::level::info, fmt::runtime("{}"), line);
}

} // namespace homectl::log
