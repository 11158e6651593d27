#include "homectl/watchdog/state_file.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace homectl::watchdog {
namespace {

using nlohmann::json;

std::int64_t to_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

WallTime from_ms(std::int64_t ms) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

json notification_json(const Notification& n) {
  return json{{"state", to_string(n.state)},
              {"previous", to_string(n.previous)},
              {"since_ms", to_ms(n.since)},
              {"message", n.message},
              {"checks", n.checks_json},
              {"reminder", n.reminder},
              {"test", n.test}};
}

// Reads typed fields and remembers the first problem with its JSON path.
class Reader {
public:
  template <typename T>
  T get(const json& object, const std::string& key, const std::string& path) {
    if (!m_error.empty()) {
      return T{};
    }
    auto it = object.find(key);
    if (it == object.end()) {
      m_error = path + key + " is missing";
      return T{};
    }
    try {
      return it->get<T>();
    } catch (const json::exception&) {
      m_error = path + key + " has the wrong type";
      return T{};
    }
  }
  DaemonState state(const json& object, const std::string& key, const std::string& path) {
    auto text = get<std::string>(object, key, path);
    if (!m_error.empty()) {
      return DaemonState::unknown;
    }
    auto parsed = parse_daemon_state(text);
    if (!parsed) {
      m_error = path + key + " is \"" + text + "\", not up, down, unreachable or unknown";
      return DaemonState::unknown;
    }
    return *parsed;
  }
  const std::string& error() const { return m_error; }

private:
  std::string m_error;
};

} // namespace

std::string serialize_state(const WatchdogFile& file) {
  const auto& m = file.machine;
  json machine{{"reported", to_string(m.reported)},
               {"since_ms", to_ms(m.since)},
               {"failure_streak", m.failure_streak},
               {"kind_streak", m.kind_streak},
               {"last_failure", to_string(m.last_failure)},
               {"success_streak", m.success_streak},
               {"last_notified_ms", m.last_notified ? json(to_ms(*m.last_notified)) : json()},
               {"last_message", m.last_message}};
  json queue = json::array();
  for (const auto& d : file.queue) {
    queue.push_back(json{{"id", d.id},
                         {"notifier", d.notifier},
                         {"notification", notification_json(d.notification)},
                         {"attempts", d.attempts},
                         {"created_ms", to_ms(d.created)},
                         {"next_attempt_ms", to_ms(d.next_attempt)},
                         {"last_error", d.last_error}});
  }
  json doc{{"v", 1}, {"machine", machine}, {"queue", queue}, {"next_id", file.next_id}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<WatchdogFile> parse_state(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return make_error("not a JSON object");
  }
  if (doc.value("v", 0) != 1) {
    return make_error("unsupported version (expected \"v\": 1)");
  }
  Reader r;
  WatchdogFile file;
  const auto machine = doc.value("machine", json::object());
  auto& m = file.machine;
  m.reported = r.state(machine, "reported", "machine.");
  m.since = from_ms(r.get<std::int64_t>(machine, "since_ms", "machine."));
  m.failure_streak = r.get<int>(machine, "failure_streak", "machine.");
  m.kind_streak = r.get<int>(machine, "kind_streak", "machine.");
  m.last_failure = r.state(machine, "last_failure", "machine.");
  m.success_streak = r.get<int>(machine, "success_streak", "machine.");
  if (auto it = machine.find("last_notified_ms"); it != machine.end() && !it->is_null()) {
    m.last_notified = from_ms(r.get<std::int64_t>(machine, "last_notified_ms", "machine."));
  }
  m.last_message = r.get<std::string>(machine, "last_message", "machine.");
  file.next_id = r.get<std::uint64_t>(doc, "next_id", "");
  const auto queue = doc.value("queue", json::array());
  for (std::size_t i = 0; i < queue.size() && r.error().empty(); ++i) {
    const std::string path = "queue[" + std::to_string(i) + "].";
    const auto& entry = queue[i];
    PendingDelivery d;
    d.id = r.get<std::uint64_t>(entry, "id", path);
    d.notifier = r.get<std::string>(entry, "notifier", path);
    d.attempts = r.get<int>(entry, "attempts", path);
    d.created = from_ms(r.get<std::int64_t>(entry, "created_ms", path));
    d.next_attempt = from_ms(r.get<std::int64_t>(entry, "next_attempt_ms", path));
    d.last_error = r.get<std::string>(entry, "last_error", path);
    const auto n = entry.value("notification", json::object());
    const std::string npath = path + "notification.";
    d.notification.state = r.state(n, "state", npath);
    d.notification.previous = r.state(n, "previous", npath);
    d.notification.since = from_ms(r.get<std::int64_t>(n, "since_ms", npath));
    d.notification.message = r.get<std::string>(n, "message", npath);
    d.notification.checks_json = r.get<std::string>(n, "checks", npath);
    d.notification.reminder = r.get<bool>(n, "reminder", npath);
    d.notification.test = r.get<bool>(n, "test", npath);
    file.queue.push_back(std::move(d));
  }
  if (!r.error().empty()) {
    return make_error(r.error());
  }
  return file;
}

Result<WatchdogFile> load_state_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) {
    return WatchdogFile{};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(path.string() + ": cannot read: " + std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = parse_state(ss.str());
  if (!parsed) {
    return make_error(path.string() + ": damaged watchdog state: " + parsed.error().message);
  }
  return parsed;
}

Result<bool> save_state_file(const std::filesystem::path& path, const WatchdogFile& file) {
  const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return make_error(dir.string() + ": cannot create the state directory: " + ec.message());
    }
    ::chmod(dir.c_str(), 0700);
  }
  std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return make_error(dir.string() + ": cannot create a temporary file: " + std::strerror(errno));
  }
  const std::string text = serialize_state(file);
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      std::string message = tmp;
      message += ": cannot write: ";
      message += reason;
      return make_error(std::move(message));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    return make_error(tmp + ": cannot flush: " + reason);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    return make_error(path.string() + ": cannot replace: " + reason);
  }
  return true;
}

std::filesystem::path default_state_path(const client::EnvLookup& env) {
  if (auto dir = env("RUNTIME_DIRECTORY"); dir && !dir->empty()) {
    // systemd passes a colon-separated list when several directories are configured.
    return std::filesystem::path(dir->substr(0, dir->find(':'))) / "watchdog.json";
  }
  if (auto dir = env("XDG_RUNTIME_DIR"); dir && !dir->empty()) {
    return std::filesystem::path(*dir) / "homectl" / "watchdog.json";
  }
  return "/run/homectl/watchdog.json";
}

} // namespace homectl::watchdog
