#include "homectl/watchdog/state_file.hpp"

#include "homectl/config/config.hpp"
#include "homectl/config/values.hpp"
#include "homectl/util/json.hpp"
#include "homectl/watchdog/notifier_label.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

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
  json out{{"state", to_string(n.state)},
           {"previous", to_string(n.previous)},
           {"since_ms", to_ms(n.since)},
           {"message", n.message},
           {"checks", n.checks_json},
           {"reminder", n.reminder},
           {"test", n.test}};
  // Written only when they say more than a daemon-only notification, so the
  // file stays readable by the version before them.
  if (!n.sources.empty() || !n.daemon_changed || n.summary || n.sources_left_out > 0) {
    json sources = json::array();
    for (const auto& c : n.sources) {
      sources.push_back(json{{"source", c.source},
                             {"state", to_string(c.state)},
                             {"previous", to_string(c.previous)},
                             {"since_ms", to_ms(c.since)},
                             {"message", c.message},
                             {"reminder", c.reminder}});
    }
    out["sources"] = std::move(sources);
    out["daemon_changed"] = n.daemon_changed;
    out["summary"] = n.summary;
    out["sources_left_out"] = n.sources_left_out;
  }
  if (n.previous_since != WallTime{}) {
    out["previous_since_ms"] = to_ms(n.previous_since);
  }
  return out;
}

json machine_json(const MachineState& m) {
  return json{{"reported", to_string(m.reported)},
              {"since_ms", to_ms(m.since)},
              {"failure_streak", m.failure_streak},
              {"kind_streak", m.kind_streak},
              {"last_failure", to_string(m.last_failure)},
              {"success_streak", m.success_streak},
              {"last_notified_ms", m.last_notified ? json(to_ms(*m.last_notified)) : json()},
              {"last_message", m.last_message}};
}

json announced_json(const Announced& a) {
  return json{{"state", to_string(a.state)}, {"since_ms", to_ms(a.since)}};
}

// serialize_state() nests 6 levels (document, queue, entry, notification,
// sources, change).
constexpr int k_max_depth = 8;

// Most source changes one queued notification may carry when read back.
constexpr std::size_t k_max_changes = config::k_max_watched_sources;

// At most this much of a bad value is quoted back.
constexpr std::size_t k_max_quote = 40;

struct FileCloser {
  explicit FileCloser(int descriptor) : fd(descriptor) {}
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;
  ~FileCloser() { ::close(fd); }
  int fd;
};

// Creates `dir` and every missing parent with mode 0700 (whatever the umask):
// the state reveals when the daemon was down and what was queued.
Result<void> make_private_directories(const std::filesystem::path& dir) {
  std::filesystem::path prefix;
  for (const auto& part : dir) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0700) == 0) {
      if (::chmod(prefix.c_str(), 0700) != 0) {
        return make_error("cannot set mode 0700 on " + prefix.string() + ": " +
                          std::strerror(errno));
      }
    } else if (errno != EEXIST) {
      return make_error("cannot create the directory " + prefix.string() + ": " +
                        std::strerror(errno));
    }
  }
  return {};
}

// Reads typed fields and remembers the first problem with its JSON path.
class Reader {
public:
  // The object at `key`, or an empty object (and a problem) when it is not one.
  const json& object(const json& parent, const std::string& key, const std::string& path) {
    return typed(parent, key, path, json::value_t::object, "an object");
  }
  const json& array(const json& parent, const std::string& key, const std::string& path) {
    return typed(parent, key, path, json::value_t::array, "an array");
  }
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
  // `fallback` when the key is absent (a file of an older version).
  template <typename T>
  T optional(const json& object, const std::string& key, const std::string& path, T fallback) {
    if (!object.contains(key)) {
      return fallback;
    }
    return get<T>(object, key, path);
  }
  // A source name, checked like the configuration checks it.
  std::string name(const json& object, const std::string& key, const std::string& path) {
    auto text = get<std::string>(object, key, path);
    if (m_error.empty()) {
      check_name(text, path + key);
    }
    return text;
  }
  void check_name(const std::string& text, const std::string& where) {
    if (m_error.empty() && !config::parse_source_name(text)) {
      m_error = where + " is not a valid source name";
    }
  }
  void fail(std::string message) {
    if (m_error.empty()) {
      m_error = std::move(message);
    }
  }
  DaemonState state(const json& object, const std::string& key, const std::string& path) {
    auto text = get<std::string>(object, key, path);
    if (!m_error.empty()) {
      return DaemonState::unknown;
    }
    auto parsed = parse_daemon_state(text);
    if (!parsed) {
      const std::string shown =
          text.size() > k_max_quote ? text.substr(0, k_max_quote) + "..." : text;
      m_error = path + key + " is \"" + shown + "\", not up, down, unreachable or unknown";
      return DaemonState::unknown;
    }
    return *parsed;
  }
  const std::string& error() const { return m_error; }

private:
  const json& typed(const json& parent, const std::string& key, const std::string& path,
                    json::value_t type, const char* what) {
    static const json k_empty_object = json::object();
    static const json k_empty_array = json::array();
    const json& empty = type == json::value_t::object ? k_empty_object : k_empty_array;
    auto it = parent.find(key);
    if (it == parent.end()) {
      if (m_error.empty()) {
        m_error = path + key + " is missing";
      }
      return empty;
    }
    if (it->type() != type) {
      if (m_error.empty()) {
        m_error = path + key + " is not " + what;
      }
      return empty;
    }
    return *it;
  }

  std::string m_error;
};

} // namespace

std::string serialize_state(const WatchdogFile& file) {
  json machine = machine_json(file.machine);
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
  if (!file.sources.empty()) {
    json sources = json::array();
    for (const auto& track : file.sources) {
      sources.push_back(json{{"name", track.name},
                             {"reported", track.reported},
                             {"machine", machine_json(track.machine)}});
    }
    doc["sources"] = std::move(sources);
  }
  if (file.silence) {
    const auto& silence = *file.silence;
    json announced = json::object();
    for (const auto& [name, a] : silence.sources) {
      announced[name] = announced_json(a);
    }
    doc["silence"] = json{{"until_ms", to_ms(silence.until)},
                          {"started_ms", to_ms(silence.started)},
                          {"reason", silence.reason},
                          {"daemon", announced_json(silence.daemon)},
                          {"sources", std::move(announced)}};
  }
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

MachineState read_machine(Reader& r, const json& machine, const std::string& path) {
  MachineState m;
  m.reported = r.state(machine, "reported", path);
  m.since = from_ms(r.get<std::int64_t>(machine, "since_ms", path));
  m.failure_streak = r.get<int>(machine, "failure_streak", path);
  m.kind_streak = r.get<int>(machine, "kind_streak", path);
  m.last_failure = r.state(machine, "last_failure", path);
  m.success_streak = r.get<int>(machine, "success_streak", path);
  if (auto it = machine.find("last_notified_ms"); it != machine.end() && !it->is_null()) {
    m.last_notified = from_ms(r.get<std::int64_t>(machine, "last_notified_ms", path));
  }
  m.last_message = r.get<std::string>(machine, "last_message", path);
  return m;
}

Notification read_notification(Reader& r, const json& n, const std::string& npath) {
  Notification out;
  out.state = r.state(n, "state", npath);
  out.previous = r.state(n, "previous", npath);
  out.since = from_ms(r.get<std::int64_t>(n, "since_ms", npath));
  out.message = r.get<std::string>(n, "message", npath);
  out.checks_json = r.get<std::string>(n, "checks", npath);
  out.reminder = r.get<bool>(n, "reminder", npath);
  out.test = r.get<bool>(n, "test", npath);
  out.previous_since = from_ms(r.optional<std::int64_t>(n, "previous_since_ms", npath, 0));
  out.daemon_changed = r.optional<bool>(n, "daemon_changed", npath, true);
  out.summary = r.optional<bool>(n, "summary", npath, false);
  out.sources_left_out = r.optional<std::size_t>(n, "sources_left_out", npath, 0);
  if (!n.contains("sources")) {
    return out;
  }
  const auto& sources = r.array(n, "sources", npath);
  if (sources.size() > k_max_changes) {
    r.fail(npath + "sources has more than " + std::to_string(k_max_changes) + " entries");
    return out;
  }
  for (std::size_t i = 0; i < sources.size() && r.error().empty(); ++i) {
    const std::string path = npath + "sources[" + std::to_string(i) + "].";
    if (!sources[i].is_object()) {
      r.fail(npath + "sources[" + std::to_string(i) + "] is not an object");
      break;
    }
    SourceChange c;
    c.source = r.name(sources[i], "source", path);
    c.state = r.state(sources[i], "state", path);
    c.previous = r.state(sources[i], "previous", path);
    c.since = from_ms(r.get<std::int64_t>(sources[i], "since_ms", path));
    c.message = r.get<std::string>(sources[i], "message", path);
    c.reminder = r.get<bool>(sources[i], "reminder", path);
    out.sources.push_back(std::move(c));
  }
  return out;
}

std::vector<SourceTrack> read_tracks(Reader& r, const json& doc) {
  std::vector<SourceTrack> out;
  if (!doc.contains("sources")) {
    return out; // a file of an older version, or nothing tracked
  }
  const auto& tracks = r.array(doc, "sources", "");
  if (tracks.size() > config::k_max_watched_sources) {
    r.fail("sources has more than " + std::to_string(config::k_max_watched_sources) + " entries");
    return out;
  }
  for (std::size_t i = 0; i < tracks.size() && r.error().empty(); ++i) {
    const std::string path = "sources[" + std::to_string(i) + "].";
    if (!tracks[i].is_object()) {
      r.fail("sources[" + std::to_string(i) + "] is not an object");
      break;
    }
    SourceTrack track;
    track.name = r.name(tracks[i], "name", path);
    track.reported = r.get<bool>(tracks[i], "reported", path);
    track.machine = read_machine(r, r.object(tracks[i], "machine", path), path + "machine.");
    const bool duplicate = std::any_of(out.begin(), out.end(),
                                       [&](const SourceTrack& t) { return t.name == track.name; });
    if (duplicate && r.error().empty()) {
      r.fail(path + "name \"" + track.name + "\" is tracked twice");
    }
    out.push_back(std::move(track));
  }
  return out;
}

Announced read_announced(Reader& r, const json& a, const std::string& path) {
  return Announced{r.state(a, "state", path), from_ms(r.get<std::int64_t>(a, "since_ms", path))};
}

std::optional<Silence> read_silence(Reader& r, const json& doc) {
  if (!doc.contains("silence")) {
    return std::nullopt;
  }
  const auto& s = r.object(doc, "silence", "");
  Silence out;
  out.until = from_ms(r.get<std::int64_t>(s, "until_ms", "silence."));
  out.started = from_ms(r.get<std::int64_t>(s, "started_ms", "silence."));
  out.reason = r.get<std::string>(s, "reason", "silence.");
  if (auto problem = silence_reason_problem(out.reason); problem && r.error().empty()) {
    r.fail("silence.reason: " + *problem);
  }
  out.daemon = read_announced(r, r.object(s, "daemon", "silence."), "silence.daemon.");
  const auto& sources = r.object(s, "sources", "silence.");
  if (sources.size() > config::k_max_watched_sources) {
    r.fail("silence.sources has more than " + std::to_string(config::k_max_watched_sources) +
           " entries");
    return out;
  }
  for (const auto& [name, a] : sources.items()) {
    if (!r.error().empty()) {
      break;
    }
    r.check_name(name, "silence.sources key");
    if (!a.is_object()) {
      r.fail("silence.sources." + name + " is not an object");
      break;
    }
    out.sources[name] = read_announced(r, a, "silence.sources." + name + ".");
  }
  return out;
}

} // namespace

std::optional<std::string> silence_reason_problem(std::string_view reason) {
  if (reason.size() > k_max_silence_reason) {
    return "longer than " + std::to_string(k_max_silence_reason) + " bytes";
  }
  for (const char c : reason) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return std::string("holds a control character");
    }
  }
  return std::nullopt;
}

Result<WatchdogFile> parse_state(std::string_view text) {
  auto parsed = util::parse_json(text, k_max_depth);
  if (!parsed) {
    return make_error(parsed.error().message);
  }
  const json& doc = *parsed;
  if (!doc.is_object()) {
    return make_error("not a JSON object");
  }
  if (auto v = doc.find("v"); v == doc.end() || !v->is_number_integer() || *v != 1) {
    return make_error("unsupported version (expected \"v\": 1)");
  }
  Reader r;
  WatchdogFile file;
  file.machine = read_machine(r, r.object(doc, "machine", ""), "machine.");
  file.next_id = r.get<std::uint64_t>(doc, "next_id", "");
  const auto& queue = r.array(doc, "queue", "");
  for (std::size_t i = 0; i < queue.size() && r.error().empty(); ++i) {
    const std::string path = "queue[" + std::to_string(i) + "].";
    const auto& entry = queue[i];
    if (!entry.is_object()) {
      return make_error("queue[" + std::to_string(i) + "] is not an object");
    }
    PendingDelivery d;
    d.id = r.get<std::uint64_t>(entry, "id", path);
    d.notifier = r.get<std::string>(entry, "notifier", path);
    d.attempts = r.get<int>(entry, "attempts", path);
    d.created = from_ms(r.get<std::int64_t>(entry, "created_ms", path));
    d.next_attempt = from_ms(r.get<std::int64_t>(entry, "next_attempt_ms", path));
    d.last_error = r.get<std::string>(entry, "last_error", path);
    d.notification =
        read_notification(r, r.object(entry, "notification", path), path + "notification.");
    if (r.error().empty() && !is_notifier_label(d.notifier)) {
      // Keyed by URL or argv by an older version: the notifier cannot be told
      // apart any more, and the key may hold a secret, so it goes.
      ++file.dropped_legacy;
      continue;
    }
    file.queue.push_back(std::move(d));
  }
  file.sources = read_tracks(r, doc);
  file.silence = read_silence(r, doc);
  if (!r.error().empty()) {
    return make_error(r.error());
  }
  return file;
}

Result<WatchdogFile> load_state_file(const std::filesystem::path& path) {
  // O_NONBLOCK: a FIFO planted at the path must not hang the open.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return WatchdogFile{};
    }
    if (errno == ELOOP) {
      return make_error(path.string() + ": is a symbolic link; refusing to follow it");
    }
    return make_error(path.string() + ": cannot read: " + std::strerror(errno));
  }
  const FileCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return make_error(path.string() + ": cannot read: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(path.string() + ": not a regular file");
  }
  const std::string too_large = path.string() + ": larger than " +
                                std::to_string(k_max_state_file_size / 1024) +
                                " KiB; not a watchdog state file";
  if (static_cast<std::uint64_t>(st.st_size) > k_max_state_file_size) {
    return make_error(too_large);
  }
  std::string text;
  char buffer[16384];
  while (true) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return make_error(path.string() + ": cannot read: " + std::strerror(errno));
    }
    if (n == 0) {
      break;
    }
    // The file may grow while it is read: the cap holds for what is read.
    if (text.size() + static_cast<std::size_t>(n) > k_max_state_file_size) {
      return make_error(too_large);
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  auto parsed = parse_state(text);
  if (!parsed) {
    return make_error(path.string() + ": damaged watchdog state: " + parsed.error().message);
  }
  return parsed;
}

namespace {

// An existing state file is replaced only when it is a regular file, not a link.
Result<void> check_replaceable(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      return make_error(path.string() + ": is a symbolic link; refusing to replace it");
    }
    if (!S_ISREG(st.st_mode)) {
      return make_error(path.string() + ": not a regular file; refusing to replace it");
    }
  }
  return {};
}

// Writes all of `text`; false with errno set on failure.
bool write_all(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

Result<void> save_state_file(const std::filesystem::path& path, const WatchdogFile& file) {
  const std::string text = serialize_state(file);
  if (text.size() > k_max_state_file_size) {
    return make_error(path.string() + ": the state would take " + std::to_string(text.size()) +
                      " bytes, more than the " + std::to_string(k_max_state_file_size / 1024) +
                      " KiB a state file may have");
  }
  const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (auto made = make_private_directories(dir); !made) {
    return make_error(path.string() + ": " + made.error().message);
  }
  if (auto replaceable = check_replaceable(path); !replaceable) {
    return replaceable;
  }
  std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC); // O_EXCL, mode 0600
  if (fd < 0) {
    return make_error(path.string() + ": cannot create a temporary file in " + dir.string() + ": " +
                      std::strerror(errno));
  }
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return make_error(path.string() + ": " + what + " " + tmp + ": " + reason);
  };
  if (::fchmod(fd, 0600) != 0) {
    return fail("cannot set the mode of");
  }
  // Root editing the file of a watchdog that runs as another user (`sudo
  // homectl watchdog silence`) hands the file back to that user.
  if (struct stat old{}; ::geteuid() == 0 && ::lstat(path.c_str(), &old) == 0 &&
                         S_ISREG(old.st_mode) && old.st_uid != 0) {
    if (::fchown(fd, old.st_uid, old.st_gid) != 0) {
      return fail("cannot hand back the owner of");
    }
  }
  if (!write_all(fd, text)) {
    return fail("cannot write");
  }
  if (::fsync(fd) != 0) {
    return fail("cannot flush");
  }
  if (::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    return make_error(path.string() + ": cannot flush " + tmp + ": " + reason);
  }
  // rename() replaces the name; it never writes through a link planted since the check.
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    return make_error(path.string() + ": cannot replace: " + reason);
  }
  // Make the rename itself durable.
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

StateLock::StateLock(StateLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

StateLock::~StateLock() {
  if (m_fd >= 0) {
    ::close(m_fd); // releases the lock
  }
}

Result<StateLock> lock_state_file(const std::filesystem::path& path,
                                  std::chrono::milliseconds wait) {
  // The file itself is replaced by rename(), so its directory carries the lock.
  const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (auto made = make_private_directories(dir); !made) {
    return make_error(path.string() + ": " + made.error().message);
  }
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(path.string() + ": cannot open the directory " + dir.string() +
                      " to lock it: " + std::strerror(errno));
  }
  StateLock lock(fd);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return make_error(path.string() + ": cannot lock the directory " + dir.string() + ": " +
                        std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(path.string() + ": another homectl watchdog kept " + dir.string() +
                        " locked for " + std::to_string(wait.count()) + " ms; try again");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return lock;
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
