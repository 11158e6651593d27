#include "support/mosquitto_broker.hpp"

#include "support/child.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

#include <signal.h>
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
  pid_t pid = spawn_child(argv, pattern, "");
  // Done when it exits; killed at the deadline.
  wait_child_ready(
      pid, [] { return false; }, timeout);
  std::string out = homectl::testing::read_file(pattern);
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
  // stderr carries the log.
  m_pid = spawn_child({m_binary, "-c", conf}, m_log, m_log);
  return wait_child_ready(
      m_pid, [this] { return loopback_accepts(m_port); }, 10s);
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
  stop_child(m_pid, SIGKILL);
}

void MosquittoBroker::stop() {
  stop_child(m_pid, SIGTERM);
}

void MosquittoBroker::restart() {
  stop();
  if (!spawn_and_wait()) {
    throw std::runtime_error("mosquitto did not restart on port " + std::to_string(m_port) +
                             "; its output:\n" + output());
  }
}

std::string MosquittoBroker::output() const {
  return homectl::testing::read_file(m_log);
}

MqttSubscription::MqttSubscription(const MosquittoBroker& broker,
                                   const std::vector<std::string>& filters, bool no_retained) {
  m_file = broker.dir() + "/sub-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  static int count = 0;
  const std::string id = "sub-" + std::to_string(::getpid()) + "-" + std::to_string(++count);
  auto args = broker.client_args();
  args.insert(args.begin(), client_binary("mosquitto_sub"));
  for (const auto& filter : filters) {
    args.insert(args.end(), {"-t", filter});
  }
  args.insert(args.end(), {"-v", "-i", id});
  if (no_retained) {
    args.emplace_back("-R");
  }
  // -W bounds its life even if the test forgets it.
  args.insert(args.end(), {"-W", "120"});
  m_pid = spawn_child(args, m_file, "");
  // Subscribed once the broker has acknowledged it (its debug log says so).
  const std::string suback = "Sending SUBACK to " + id + "\n";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (broker.output().find(suback) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
}

MqttSubscription::~MqttSubscription() {
  stop_child(m_pid, SIGTERM);
  ::unlink(m_file.c_str());
}

std::string MqttSubscription::output() const {
  return homectl::testing::read_file(m_file);
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
