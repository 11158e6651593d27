#include "support/mosquitto_broker.hpp"

#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace homectl::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// fork + exec with stdout to `out_path` (or /dev/null), stderr to /dev/null.
pid_t spawn(const std::vector<std::string>& args, const std::string& out_path) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);
    }
    const int out = ::open(out_path.empty() ? "/dev/null" : out_path.c_str(),
                           O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int null = ::open("/dev/null", O_RDWR);
    if (out >= 0) {
      ::dup2(out, 1);
    }
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 2);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

void reap(pid_t pid, int signal_number) {
  if (pid <= 0) {
    return;
  }
  ::kill(pid, signal_number);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited(pid)) {
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string client_binary(const char* name) {
  for (const char* dir : {"/usr/bin/", "/usr/local/bin/"}) {
    const std::string path = std::string(dir) + name;
    if (::access(path.c_str(), X_OK) == 0) {
      return path;
    }
  }
  return std::string("/usr/bin/") + name;
}

} // namespace

std::string run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  char pattern[] = "/tmp/homectl-capture-XXXXXX";
  const int fd = ::mkstemp(pattern);
  if (fd < 0) {
    return "";
  }
  ::close(fd);
  const pid_t pid = spawn(argv, pattern);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool done = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited(pid)) {
      done = true;
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  if (!done) {
    reap(pid, SIGKILL);
  }
  std::string out = slurp(pattern);
  ::unlink(pattern);
  return out;
}

std::string MosquittoBroker::find_binary() {
  for (const char* path : {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"}) {
    if (::access(path, X_OK) == 0 && ::access(client_binary("mosquitto_sub").c_str(), X_OK) == 0) {
      return path;
    }
  }
  return "";
}

MosquittoBroker::MosquittoBroker(std::string user, std::string password)
    : m_binary(find_binary()), m_user(std::move(user)), m_password(std::move(password)) {
  if (m_binary.empty()) {
    throw std::runtime_error("mosquitto not found");
  }
  std::string pattern = (fs::temp_directory_path() / "homectl-mosquitto-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_dir = pattern;
  m_log = m_dir + "/mosquitto.log";
  if (!m_user.empty()) {
    const std::string file = m_dir + "/passwords";
    std::ofstream(file).close();
    run_capture({client_binary("mosquitto_passwd"), "-b", file, m_user, m_password}, 10s);
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    m_port = free_loopback_port();
    if (spawn_and_wait()) {
      return;
    }
  }
  const std::string out = output();
  std::error_code ignored;
  fs::remove_all(m_dir, ignored);
  throw std::runtime_error("mosquitto did not start; its output:\n" + out);
}

MosquittoBroker::~MosquittoBroker() {
  stop();
  std::error_code ignored;
  fs::remove_all(m_dir, ignored);
}

std::string MosquittoBroker::url(const std::string& userinfo) const {
  return "mqtt://" + (userinfo.empty() ? std::string() : userinfo + "@") +
         "127.0.0.1:" + std::to_string(m_port);
}

std::vector<std::string> MosquittoBroker::client_args() const {
  std::vector<std::string> args{"-h", "127.0.0.1", "-p", std::to_string(m_port)};
  if (!m_user.empty()) {
    args.insert(args.end(), {"-u", m_user, "-P", m_password});
  }
  return args;
}

bool MosquittoBroker::spawn_and_wait() {
  const std::string conf = m_dir + "/mosquitto.conf";
  {
    std::ofstream out(conf);
    out << "listener " << m_port << " 127.0.0.1\n"
        << "persistence false\n"
        << "log_dest stderr\n"
        // debug: one "Received PUBLISH from ..." line per message, for delivery checks.
        << "log_type error\nlog_type warning\nlog_type notice\nlog_type debug\n";
    if (::geteuid() == 0) {
      out << "user root\n"; // else it drops to "mosquitto" and cannot read our 0700 dir
    }
    if (m_user.empty()) {
      out << "allow_anonymous true\n";
    } else {
      out << "allow_anonymous false\npassword_file " << m_dir << "/passwords\n";
    }
  }
  // stderr carries the log: send both to the log file.
  std::vector<std::string> args{m_binary, "-c", conf};
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);
    }
    const int fd = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  m_pid = pid;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited(m_pid)) {
      m_pid = -1;
      return false;
    }
    if (accepts(m_port)) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  kill();
  return false;
}

std::string MosquittoBroker::retained(const std::string& filter,
                                      std::chrono::milliseconds wait) const {
  auto args = client_args();
  args.insert(args.begin(), client_binary("mosquitto_sub"));
  const auto seconds = std::max<long long>(1, wait.count() / 1000);
  args.insert(args.end(), {"-t", filter, "-v", "--retained-only", "-W", std::to_string(seconds)});
  return run_capture(args, wait + 5s);
}

std::string MosquittoBroker::retained_payload(const std::string& topic,
                                              std::chrono::milliseconds wait) const {
  auto args = client_args();
  args.insert(args.begin(), client_binary("mosquitto_sub"));
  const auto seconds = std::max<long long>(1, wait.count() / 1000);
  args.insert(args.end(),
              {"-t", topic, "--retained-only", "-C", "1", "-W", std::to_string(seconds)});
  auto out = run_capture(args, wait + 5s);
  while (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

void MosquittoBroker::publish(const std::string& topic, const std::string& payload,
                              bool retain) const {
  auto args = client_args();
  args.insert(args.begin(), client_binary("mosquitto_pub"));
  args.insert(args.end(), {"-t", topic});
  if (payload.empty()) {
    args.emplace_back("-n");
  } else {
    args.insert(args.end(), {"-m", payload});
  }
  if (retain) {
    args.emplace_back("-r");
  }
  run_capture(args, 10s);
}

void MosquittoBroker::kill() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
  }
}

void MosquittoBroker::stop() {
  reap(m_pid, SIGTERM);
  m_pid = -1;
}

void MosquittoBroker::restart() {
  stop();
  if (!spawn_and_wait()) {
    throw std::runtime_error("mosquitto did not restart on port " + std::to_string(m_port) +
                             "; its output:\n" + output());
  }
}

std::string MosquittoBroker::output() const {
  return slurp(m_log);
}

MqttSubscription::MqttSubscription(const MosquittoBroker& broker,
                                   const std::vector<std::string>& filters, bool no_retained) {
  m_file = broker.dir() + "/sub-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  auto args = broker.client_args();
  args.insert(args.begin(), client_binary("mosquitto_sub"));
  for (const auto& filter : filters) {
    args.insert(args.end(), {"-t", filter});
  }
  args.emplace_back("-v");
  if (no_retained) {
    args.emplace_back("-R");
  }
  // -W bounds its life even if the test forgets it.
  args.insert(args.end(), {"-W", "120"});
  m_pid = spawn(args, m_file);
  // Give it a moment to subscribe before the test acts.
  std::this_thread::sleep_for(300ms);
}

MqttSubscription::~MqttSubscription() {
  reap(m_pid, SIGTERM);
  ::unlink(m_file.c_str());
}

std::string MqttSubscription::output() const {
  return slurp(m_file);
}

bool MqttSubscription::wait_for(const std::string& needle,
                                std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (output().find(needle) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return output().find(needle) != std::string::npos;
}

} // namespace homectl::test
