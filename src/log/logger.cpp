#include "homectl/log/logger.hpp"

#include "homectl/log/log_writer.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/rotating_file_sink.h>

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

namespace homectl::log {
namespace {

// Standard output through write(2): no stdio buffer shared with anything
// else, and a failed write (disk full, a closed pipe) is reported, not lost
// silently.
class StdoutSink final : public LineSink {
public:
  bool write(std::string_view line) override {
    while (!line.empty()) {
      const auto n = ::write(STDOUT_FILENO, line.data(), line.size());
      if (n >= 0) {
        line.remove_prefix(static_cast<std::size_t>(n));
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // Someone else made the shared pipe non-blocking: wait as a
        // blocking write would (only the writer thread or a one-shot
        // program gets here).
        pollfd out{STDOUT_FILENO, POLLOUT, 0};
        ::poll(&out, 1, -1);
      } else if (errno != EINTR) {
        return false;
      }
    }
    return true;
  }
};

// log.file through spdlog's size-based rotation; the line is written verbatim.
class FileSink final : public LineSink {
public:
  explicit FileSink(std::shared_ptr<spdlog::sinks::sink> sink) : m_sink(std::move(sink)) {
    m_sink->set_pattern("%v");
  }
  bool write(std::string_view line) override {
    if (line.ends_with('\n')) {
      line.remove_suffix(1); // the pattern adds it back
    }
    try {
      m_sink->log(spdlog::details::log_msg({}, spdlog::level::info,
                                           spdlog::string_view_t(line.data(), line.size())));
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  void flush() override {
    try {
      m_sink->flush();
    } catch (const std::exception&) {
      // The next write reports the problem.
    }
  }

private:
  std::shared_ptr<spdlog::sinks::sink> m_sink;
};

// Where records go and how they look; replaced whole by setup().
struct Destination {
  std::shared_ptr<LineSink> sink = std::make_shared<StdoutSink>();
  std::string service = "homectl";
  bool json = true;
  bool journal_priority = false; // stdout is the journal: prefix "<N>" (sd-daemon(3))
};

// Process-wide logger state. Never destroyed: a writer thread left inside a
// write at exit (see BackgroundWriting) may still refer to it.
struct State {
  std::mutex mutex; // guards destination and writer; never held during I/O
  std::shared_ptr<const Destination> destination = std::make_shared<const Destination>();
  std::shared_ptr<LogWriter> writer; // while a BackgroundWriting lives
  std::mutex write_mutex;            // one synchronous write at a time
  std::atomic<bool> stuck{false};    // a writer was left inside a write: drop, never block
  std::atomic<int> level{static_cast<int>(Level::info)};
  // Records lost while writing synchronously, and by writers that have stopped.
  std::atomic<std::uint64_t> dropped{0};
  std::terminate_handler previous_terminate = nullptr;
};

State& state() {
  static State* s = new State;
  return *s;
}

std::shared_ptr<const Destination> current_destination() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.destination;
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

namespace {

// The syslog priority journald reads from a "<N>" line prefix.
std::string_view journal_prefix(Level level) {
  switch (level) {
  case Level::error:
    return "<3>";
  case Level::warn:
    return "<4>";
  case Level::info:
    return "<6>";
  default:
    return "<7>";
  }
}

// systemd connects stdout to the journal and says so in JOURNAL_STREAM
// ("<device>:<inode>" of that stream); anything else (a redirect, a pipe
// the variable was inherited across) gets unprefixed lines.
bool stdout_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat out {};
  if (stream == nullptr || ::fstat(STDOUT_FILENO, &out) != 0) {
    return false;
  }
  return std::string_view(stream) ==
         std::to_string(static_cast<unsigned long long>(out.st_dev)) + ":" +
             std::to_string(static_cast<unsigned long long>(out.st_ino));
}

// One record as its destination wants it, newline included.
std::string format_line(const Destination& destination, Level level, std::string_view msg,
                        Fields fields) {
  const auto ts = rfc3339_now();
  auto line = destination.json ? format_json(ts, level, destination.service, msg, fields)
                               : format_text(ts, level, msg, fields);
  if (destination.journal_priority) {
    line.insert(0, journal_prefix(level));
  }
  line += '\n';
  return line;
}

// Writes on the calling thread (no writer running), one record at a time.
void write_now(const Destination& destination, std::string_view line) {
  auto& s = state();
  std::lock_guard lock(s.write_mutex);
  if (s.stuck.load() || !destination.sink->write(line)) {
    s.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  destination.sink->flush();
}

// Called by std::terminate (an exception nobody caught, a noexcept broken):
// the records queued before the crash still go out, within a bound.
[[noreturn]] void flush_then_terminate() {
  flush(std::chrono::seconds(2));
  if (const auto previous = state().previous_terminate) {
    previous();
  }
  std::abort();
}

} // namespace

bool setup(const config::LogConfig& config, std::string_view service) {
  auto& s = state();
  auto destination = std::make_shared<Destination>();
  std::string file_error;
  if (!config.file.empty()) {
    try {
      destination->sink =
          std::make_shared<FileSink>(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
              config.file, config.max_size, static_cast<std::size_t>(config.max_files)));
    } catch (const spdlog::spdlog_ex& e) {
      file_error = e.what();
    }
  }
  destination->service = std::string(service);
  const bool to_stdout = config.file.empty() || !file_error.empty();
  destination->journal_priority = to_stdout && stdout_is_journal();
  destination->json = config.format == config::LogFormat::json ||
                      (config.format == config::LogFormat::automatic &&
                       (!config.file.empty() || isatty(STDOUT_FILENO) == 0));
  {
    std::lock_guard lock(s.mutex);
    s.destination = std::move(destination);
  }
  set_level(config.level);
  if (!file_error.empty()) {
    error("cannot open log file; logging to stdout",
          {{"file", config.file}, {"error", file_error}});
    return false;
  }
  return true;
}

BackgroundWriting::BackgroundWriting(std::chrono::milliseconds flush_timeout, QueueLimits limits)
    : m_flush_timeout(flush_timeout) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.writer) {
    return; // one writer per process: an inner guard changes nothing
  }
  // The writer asks for the destination before each batch (a reload may
  // have replaced it), and formats its note the way the records look.
  s.writer = std::make_shared<LogWriter>(
      limits, [] { return current_destination()->sink; },
      [](std::uint64_t dropped) {
        return format_line(*current_destination(), Level::warn, "log records dropped",
                           {{"count", dropped}});
      });
  s.previous_terminate = std::set_terminate(flush_then_terminate);
  m_active = true;
}

BackgroundWriting::~BackgroundWriting() {
  if (!m_active) {
    return;
  }
  auto& s = state();
  std::shared_ptr<LogWriter> writer;
  {
    std::lock_guard lock(s.mutex);
    writer = s.writer;
  }
  // Stopped before it is unhooked: a record logged meanwhile is counted as
  // dropped rather than written out of order.
  if (!writer->stop(m_flush_timeout)) {
    // The reader stopped reading: later records must not wait for it either.
    s.stuck = true;
  }
  {
    std::lock_guard lock(s.mutex);
    s.writer.reset();
    std::set_terminate(s.previous_terminate);
    s.previous_terminate = nullptr;
  }
  s.dropped.fetch_add(writer->dropped(), std::memory_order_relaxed);
}

bool flush(std::chrono::milliseconds timeout) {
  std::shared_ptr<LogWriter> writer;
  {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    writer = s.writer;
  }
  if (!writer) {
    return true; // written synchronously already
  }
  return !writer->on_writer_thread() && writer->flush(timeout);
}

std::uint64_t dropped_records() {
  auto& s = state();
  std::shared_ptr<LogWriter> writer;
  {
    std::lock_guard lock(s.mutex);
    writer = s.writer;
  }
  return s.dropped.load(std::memory_order_relaxed) + (writer ? writer->dropped() : 0);
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
  std::shared_ptr<const Destination> destination;
  std::shared_ptr<LogWriter> writer;
  {
    std::lock_guard lock(s.mutex);
    destination = s.destination;
    writer = s.writer;
  }
  auto line = format_line(*destination, level, msg, fields);
  if (writer) {
    writer->push(std::move(line)); // never waits; a full queue drops and counts
    return;
  }
  write_now(*destination, line);
}

} // namespace homectl::log
