#pragma once

#include "homectl/config/config.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

// Structured logging: one JSON object per line (ts, level, service, msg, fields)
// or a human text line. Every field is escaped, so quotes, control characters
// and invalid UTF-8 still give valid JSON. Never pass secrets as fields.
namespace homectl::log {

using Level = config::LogLevel;
using Field = std::pair<std::string_view, nlohmann::json>;
using Fields = std::initializer_list<Field>;

// (Re)configures the process-wide logger. Safe to call again on reload.
// Returns false and keeps logging to stdout when `log.file` cannot be opened
// (the error is logged).
bool setup(const config::LogConfig& config, std::string_view service = "homectl");

// Records that could not be written (disk full, stdout a closed pipe, ...)
// since the process started.
std::uint64_t dropped_records();

// Overrides the level only (for --log-level / -q).
void set_level(Level level);
bool enabled(Level level);

// Writes one record.
void write(Level level, std::string_view msg, Fields fields = {});

inline void trace(std::string_view msg, Fields fields = {}) {
  write(Level::trace, msg, fields);
}
inline void debug(std::string_view msg, Fields fields = {}) {
  write(Level::debug, msg, fields);
}
inline void info(std::string_view msg, Fields fields = {}) {
  write(Level::info, msg, fields);
}
inline void warn(std::string_view msg, Fields fields = {}) {
  write(Level::warn, msg, fields);
}
inline void error(std::string_view msg, Fields fields = {}) {
  write(Level::error, msg, fields);
}

// Formats one record as a JSON line (no trailing newline); used by write() and tests.
std::string format_json(std::string_view ts, Level level, std::string_view service,
                        std::string_view msg, Fields fields);

// Formats one record as a human text line (no trailing newline).
std::string format_text(std::string_view ts, Level level, std::string_view msg, Fields fields);

// RFC 3339 UTC with milliseconds, e.g. 2026-11-26T10:28:47.123Z.
std::string rfc3339_now();

} // namespace homectl::log
