#pragma once

#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Test support: run the real `homectl serve` on a free loopback port and talk
// raw HTTP/1.1 to it over plain sockets. Every wait has a deadline.
namespace homectl::test {

using namespace std::chrono_literals;

// A parsed HTTP response.
struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Case-insensitive header lookup; empty when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

// A port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

// One client connection with raw byte access.
class RawConnection {
public:
  // Connects to 127.0.0.1:port, from `source` (another loopback address such
  // as "127.0.0.2") when given; check ok().
  explicit RawConnection(std::uint16_t port, const char* source = nullptr);
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  RawConnection& operator=(RawConnection&&) = delete;

  bool ok() const { return m_fd >= 0; }
  // Sends all bytes; false when the peer is gone.
  bool send(std::string_view bytes);
  // Reads one response (Content-Length, chunked, or until close); nullopt on
  // timeout or when the connection closed before a complete response.
  std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = 5s,
                                            bool head_request = false);
  // Whatever arrives within `timeout` (at least one read), "" on close/timeout.
  std::string read_some(std::chrono::milliseconds timeout);
  // True when the server closes (EOF or reset) within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);
  void close();

private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int m_fd = -1;
  std::string m_pending; // bytes received but not consumed yet
  bool m_eof = false;
};

// Sends one request on a fresh connection ("Connection: close" added).
std::optional<HttpResponse> request(std::uint16_t port, std::string_view method,
                                    std::string_view target,
                                    std::vector<std::pair<std::string, std::string>> headers = {},
                                    std::string_view body = {},
                                    std::chrono::milliseconds timeout = 5s);

class DaemonProcess;

// One sample of the daemon's /metrics (see metric_value()); nullopt when the
// scrape fails or the sample is absent.
std::optional<double> scrape(const DaemonProcess& daemon, std::string_view name,
                             const std::vector<std::pair<std::string, std::string>>& labels = {});

// The real binary as a child process, with a config file in a temp dir.
class DaemonProcess {
public:
  // `config` is the file content; server.listen is set to a free port unless present.
  explicit DaemonProcess(nlohmann::json config = nlohmann::json::object(),
                         std::vector<std::string> extra_env = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Where the child's standard output goes; stderr is always captured.
  enum class Stdout {
    captured,    // into output()
    dev_full,    // /dev/full: every write fails with ENOSPC
    closed_pipe, // a pipe nobody reads: every write fails with EPIPE (SIGPIPE)
    path,        // the file set by set_stdout_path()
  };
  // These take effect at the next start()/spawn().
  void set_stdout(Stdout target) { m_stdout = target; }
  // Standard output goes to the file at `path`, opened for writing before the
  // child starts (a FIFO must already have a reader, or the open waits).
  void set_stdout_path(std::string path) {
    m_stdout = Stdout::path;
    m_stdout_path = std::move(path);
  }
  // RLIMIT_NOFILE (soft and hard) of the child, set before exec.
  void set_fd_limit(rlim_t limit) { m_fd_limit = limit; }

  // Spawns `homectl serve --config FILE` and, when `wait_live`, polls /live.
  // False if it exited or did not answer in time (see output()).
  bool start(std::chrono::milliseconds timeout = 15s, bool wait_live = true);
  // Spawns with arbitrary arguments after the binary (no --config added).
  bool spawn(const std::vector<std::string>& args);

  std::uint16_t port() const { return m_port; }
  pid_t pid() const { return m_pid; }
  const std::string& config_path() const { return m_config_path; }
  const std::string& dir() const { return m_dir; }

  // Rewrites the config file (e.g. before SIGHUP); raw text so tests can write invalid files.
  void write_config_text(const std::string& text);
  void write_config(nlohmann::json config);

  void signal(int signal_number);
  // The exit status (exit code, or 128 + signal) once the process ends within `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Captured stdout + stderr so far.
  std::string output() const;
  // Polls output() until it contains `needle`.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout);

private:
  std::string m_dir;
  std::string m_config_path;
  std::string m_output_path;
  std::vector<std::string> m_env;
  std::uint16_t m_port = 0;
  Stdout m_stdout = Stdout::captured;
  std::string m_stdout_path;
  std::optional<rlim_t> m_fd_limit;
  pid_t m_pid = -1;
  std::optional<int> m_status;
};

} // namespace homectl::test
