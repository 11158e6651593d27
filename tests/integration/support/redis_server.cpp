#include "support/redis_server.hpp"

#include "support/child.hpp"
#include "support/process.hpp"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace homectl::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string render(const redisReply* reply) {
  switch (reply->type) {
  case REDIS_REPLY_NIL:
    return "(nil)";
  case REDIS_REPLY_INTEGER:
    return "(integer) " + std::to_string(reply->integer);
  case REDIS_REPLY_ERROR:
    return "(error) " + std::string(reply->str, reply->len);
  case REDIS_REPLY_ARRAY: {
    std::string out;
    for (std::size_t i = 0; i < reply->elements; ++i) {
      out += (i == 0 ? "" : "\n") + render(reply->element[i]);
    }
    return out;
  }
  default:
    return std::string(reply->str, reply->len);
  }
}

// One command over a fresh blocking connection; nullopt-like "(connection error)" text on failure.
std::string run_command(std::uint16_t port, const std::string& password,
                        const std::vector<std::string>& args) {
  timeval timeout{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (c == nullptr || c->err != 0) {
    std::string error = c ? c->errstr : "out of memory";
    redisFree(c);
    return "(connection error) " + error;
  }
  redisSetTimeout(c, timeout);
  auto send = [c](const std::vector<std::string>& argv) -> std::string {
    std::vector<const char*> ptrs;
    std::vector<std::size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(ptrs.size()), ptrs.data(), lens.data()));
    if (reply == nullptr) {
      return "(connection error) " + std::string(c->errstr);
    }
    std::string text = render(reply);
    freeReplyObject(reply);
    return text;
  };
  std::string result;
  if (!password.empty()) {
    result = send({"AUTH", password});
  }
  if (result.rfind("(connection error)", 0) != 0) {
    result = send(args);
  }
  redisFree(c);
  return result;
}

} // namespace

std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::runtime_error("socket() failed");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string RedisServer::find_binary() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / "redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return "";
}

RedisServer::RedisServer(std::vector<std::string> extra_args)
    : m_binary(find_binary()), m_extra_args(std::move(extra_args)) {
  if (m_binary.empty()) {
    throw std::runtime_error("redis-server not found on PATH");
  }
  for (std::size_t i = 0; i + 1 < m_extra_args.size(); ++i) {
    if (m_extra_args[i] == "--requirepass") {
      m_password = m_extra_args[i + 1];
    }
  }
  std::string pattern = (fs::temp_directory_path() / "homectl-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_dir = pattern;
  m_socket = m_dir + "/redis.sock";
  m_log = m_dir + "/redis.log";
  // Another process may grab the free port between probe and bind: try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    m_port = free_loopback_port();
    if (spawn_and_wait()) {
      return;
    }
  }
  std::string out = output();
  std::error_code ignored;
  fs::remove_all(m_dir, ignored);
  throw std::runtime_error("redis-server did not start; its output:\n" + out);
}

RedisServer::~RedisServer() {
  stop();
  std::error_code ignored;
  fs::remove_all(m_dir, ignored);
}

std::string RedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(m_port);
}

bool RedisServer::spawn_and_wait() {
  std::vector<std::string> args{m_binary,
                                "--port",
                                std::to_string(m_port),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--daemonize",
                                "no",
                                "--dir",
                                m_dir,
                                "--unixsocket",
                                m_socket,
                                "--unixsocketperm",
                                "700"};
  args.insert(args.end(), m_extra_args.begin(), m_extra_args.end());
  m_pid = spawn_child(args, m_log, m_log);
  if (m_pid < 0) {
    throw std::runtime_error("fork failed");
  }
  // Any reply (even NOAUTH) means the server is up.
  return wait_child_ready(
      m_pid,
      [this] { return run_command(m_port, "", {"PING"}).rfind("(connection error)", 0) != 0; },
      10s);
}

void RedisServer::kill() {
  stop_child(m_pid, SIGKILL);
}

void RedisServer::stop() {
  stop_child(m_pid, SIGTERM);
}

void RedisServer::restart() {
  stop();
  if (!spawn_and_wait()) {
    throw std::runtime_error("redis-server did not restart on port " + std::to_string(m_port) +
                             "; its output:\n" + output());
  }
}

std::string RedisServer::query(const std::vector<std::string>& args) const {
  return run_command(m_port, m_password, args);
}

std::string RedisServer::output() const {
  return homectl::testing::read_file(m_log);
}

} // namespace homectl::test
