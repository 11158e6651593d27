#pragma once

#include "homectl/config/config.hpp"
#include "homectl/log/record_queue.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
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
// or were dropped because the log's reader fell behind, since the process started.
std::uint64_t dropped_records();

// While it lives, records are formatted on the calling thread and queued
// (bounded by `limits`) for one writer thread, so logging never waits for the
// log's reader. A full queue drops records and counts them; once writing goes
// on, a warn line "log records dropped" with count=N says how many were lost,
// where they were lost. Its destructor flushes the queue for up to
// `flush_timeout` and returns to writing on the calling thread. Without one
// (one-shot commands) every record is written before write() returns.
class BackgroundWriting {
public:
  explicit BackgroundWriting(std::chrono::milliseconds flush_timeout = std::chrono::seconds(2),
                             QueueLimits limits = {});
  ~BackgroundWriting();
  BackgroundWriting(const BackgroundWriting&) = delete;
  BackgroundWriting& operator=(const BackgroundWriting&) = delete;

private:
  std::chrono::milliseconds m_flush_timeout;
  bool m_active = false;
};

// Waits up to `timeout` until every record logged so far is written. True at
// once without a BackgroundWriting; false on the writer thread itself.
bool flush(std::chrono::milliseconds timeout);

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
