#include "support/daemon_process.hpp"

#include "support/observe.hpp"
#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace homectl::test {
namespace {

using Clock = std::chrono::steady_clock;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Parses a complete response from `data` starting at 0; returns the bytes it
// used, 0 when more bytes are needed.
std::size_t parse_response(const std::string& data, bool head_request, bool eof,
                           HttpResponse& out) {
  const auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) {
    return 0;
  }
  HttpResponse response;
  std::istringstream lines(data.substr(0, end));
  std::string line;
  std::getline(lines, line);
  if (line.size() < 12 || !line.starts_with("HTTP/1.")) {
    throw std::runtime_error("bad status line: " + line);
  }
  response.status = std::stoi(line.substr(9, 3));
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
      value.erase(0, 1);
    }
    response.headers.emplace_back(line.substr(0, colon), value);
  }
  std::size_t pos = end + 4;
  const bool no_body =
      head_request || response.status == 204 || response.status == 304 || response.status < 200;
  if (no_body) {
    out = std::move(response);
    return pos;
  }
  if (iequals(response.header("Transfer-Encoding"), "chunked")) {
    while (true) {
      const auto line_end = data.find("\r\n", pos);
      if (line_end == std::string::npos) {
        return 0;
      }
      const auto size = std::stoul(data.substr(pos, line_end - pos), nullptr, 16);
      if (data.size() < line_end + 2 + size + 2) {
        return 0;
      }
      response.body += data.substr(line_end + 2, size);
      pos = line_end + 2 + size + 2;
      if (size == 0) {
        out = std::move(response);
        return pos;
      }
    }
  }
  if (response.has_header("Content-Length")) {
    const auto length = std::stoul(response.header("Content-Length"));
    if (data.size() < pos + length) {
      return 0;
    }
    response.body = data.substr(pos, length);
    out = std::move(response);
    return pos + length;
  }
  if (!eof) {
    return 0;
  }
  response.body = data.substr(pos);
  out = std::move(response);
  return data.size();
}

} // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) {
      return v;
    }
  }
  return {};
}

bool HttpResponse::has_header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) {
      return true;
    }
  }
  return false;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot bind a loopback port");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

RawConnection::RawConnection(std::uint16_t port, const char* source) {
  m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (m_fd < 0) {
    return;
  }
  if (source != nullptr) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source, &local.sin_addr) != 1 ||
        ::bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(m_fd);
      m_fd = -1;
      return;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(m_fd);
    m_fd = -1;
    return;
  }
  const int one = 1;
  ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawConnection::RawConnection(RawConnection&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_pending(std::move(other.m_pending)),
      m_eof(other.m_eof) {}

RawConnection::~RawConnection() {
  close();
}

void RawConnection::close() {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawConnection::fill(Clock::time_point deadline) {
  if (m_fd < 0 || m_eof) {
    return false;
  }
  pollfd p{m_fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, remaining_ms(deadline));
  if (ready <= 0) {
    return false;
  }
  char buffer[16384];
  const auto n = ::recv(m_fd, buffer, sizeof buffer, 0);
  if (n <= 0) {
    m_eof = true;
    return false;
  }
  m_pending.append(buffer, static_cast<std::size_t>(n));
  return true;
}

std::optional<HttpResponse> RawConnection::read_response(std::chrono::milliseconds timeout,
                                                         bool head_request) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    HttpResponse response;
    if (const auto used = parse_response(m_pending, head_request, m_eof, response); used > 0) {
      m_pending.erase(0, used);
      return response;
    }
    if (!fill(deadline)) {
      if (m_eof) {
        if (const auto used = parse_response(m_pending, head_request, true, response); used > 0) {
          m_pending.erase(0, used);
          return response;
        }
      }
      return std::nullopt;
    }
  }
}

std::string RawConnection::read_some(std::chrono::milliseconds timeout) {
  if (m_pending.empty()) {
    fill(Clock::now() + timeout);
  }
  return std::exchange(m_pending, {});
}

bool RawConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!m_eof) {
    if (!fill(deadline) && !m_eof) {
      return false;
    }
  }
  return true;
}

std::optional<HttpResponse> request(std::uint16_t port, std::string_view method,
                                    std::string_view target,
                                    std::vector<std::pair<std::string, std::string>> headers,
                                    std::string_view body, std::chrono::milliseconds timeout) {
  RawConnection connection(port);
  if (!connection.ok()) {
    return std::nullopt;
  }
  std::string text = std::string(method) + " " + std::string(target) +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) {
    text += name + ": " + value + "\r\n";
  }
  if (!body.empty() || method == "POST") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  text += "\r\n";
  text += body;
  if (!connection.send(text)) {
    return std::nullopt;
  }
  return connection.read_response(timeout, method == "HEAD");
}

DaemonProcess::DaemonProcess(nlohmann::json config, std::vector<std::string> extra_env)
    : m_env(std::move(extra_env)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "homectl-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_dir = pattern;
  m_config_path = m_dir + "/homectl.json";
  m_output_path = m_dir + "/output.log";
  m_port = free_port();
  if (!config.contains("server") || !config["server"].contains("listen")) {
    config["server"]["listen"] = "127.0.0.1:" + std::to_string(m_port);
  }
  write_config(std::move(config));
}

DaemonProcess::~DaemonProcess() {
  if (m_pid > 0 && !m_status) {
    ::kill(m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(m_dir, ec);
}

void DaemonProcess::write_config_text(const std::string& text) {
  // Write then rename, so a reload never reads a half-written file.
  const auto temp = m_config_path + ".tmp";
  std::ofstream(temp) << text;
  std::filesystem::rename(temp, m_config_path);
}

void DaemonProcess::write_config(nlohmann::json config) {
  // $HOMECTL_TEST_THREADS runs every daemon with that many event-loop threads
  // unless the test chose; the ThreadSanitizer run uses it.
  const char* threads = std::getenv("HOMECTL_TEST_THREADS");
  if (threads != nullptr && *threads != '\0' &&
      !(config.contains("server") && config["server"].contains("threads"))) {
    config["server"]["threads"] = std::stoi(threads);
  }
  write_config_text(config.dump(2));
}

bool DaemonProcess::spawn(const std::vector<std::string>& args) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    // The test decides the configuration and the notify socket.
    if (entry.starts_with("HOMECTL_") || entry.starts_with("NOTIFY_SOCKET=") ||
        entry.starts_with("WATCHDOG_")) {
      continue;
    }
    env_strings.emplace_back(entry);
  }
  for (const auto& e : m_env) {
    env_strings.push_back(e);
  }
  std::vector<std::string> argv_strings{testing::homectl_binary()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);

  const int out = ::open(m_output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) {
    return false;
  }
  int stdout_fd = out;
  int pipe_fds[2] = {-1, -1};
  if (m_stdout == Stdout::dev_full) {
    stdout_fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  } else if (m_stdout == Stdout::closed_pipe) {
    stdout_fd = ::pipe2(pipe_fds, O_CLOEXEC) == 0 ? pipe_fds[1] : -1;
  } else if (m_stdout == Stdout::path) {
    stdout_fd = ::open(m_stdout_path.c_str(), O_WRONLY | O_CLOEXEC);
  }
  if (stdout_fd < 0) {
    ::close(out);
    return false;
  }
  const rlimit fd_limit{m_fd_limit.value_or(0), m_fd_limit.value_or(0)};
  const bool limit_fds = m_fd_limit.has_value();
  m_pid = ::fork();
  if (m_pid == 0) {
    ::dup2(stdout_fd, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    if (::chdir(m_dir.c_str()) != 0 || (limit_fds && ::setrlimit(RLIMIT_NOFILE, &fd_limit) != 0)) {
      ::_exit(127);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out);
  if (stdout_fd != out) {
    ::close(stdout_fd);
  }
  // Nobody is left to read the pipe: the child's writes fail with EPIPE.
  if (pipe_fds[0] >= 0) {
    ::close(pipe_fds[0]);
  }
  return m_pid > 0;
}

bool DaemonProcess::start(std::chrono::milliseconds timeout, bool wait_live) {
  if (!spawn({"serve", "--config", m_config_path})) {
    return false;
  }
  if (!wait_live) {
    return true;
  }
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (const auto response = request(m_port, "GET", "/live", {}, {}, 1s);
        response && response->status == 200) {
      return true;
    }
    if (wait_exit(0ms)) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

void DaemonProcess::signal(int signal_number) {
  if (m_pid > 0 && !m_status) {
    ::kill(m_pid, signal_number);
  }
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (m_status || m_pid <= 0) {
    return m_status;
  }
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
    if (done == m_pid) {
      m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return m_status;
    }
    if (Clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(10ms);
  }
}

std::string DaemonProcess::output() const {
  std::ifstream in(m_output_path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool DaemonProcess::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (output().find(needle) != std::string::npos) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
}

std::optional<double> scrape(const DaemonProcess& daemon, std::string_view name,
                             const std::vector<std::pair<std::string, std::string>>& labels) {
  const auto r = request(daemon.port(), "GET", "/metrics");
  return r ? metric_value(r->body, name, labels) : std::nullopt;
}

} // namespace homectl::test
