#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// A real redis-server for integration tests, on a free loopback port.
//
//   HOMECTL_REQUIRE_REDIS_SERVER();            // SKIPs when redis-server is missing
//   homectl::test::RedisServer redis;          // started and answering PING
//   redis.url();                               // "redis://127.0.0.1:PORT"
//   redis.query({"SET", "k", "v"});            // "OK" (blocking hiredis, 2 s timeout)
//   redis.kill(); redis.restart();             // kill -9, then the same port again
//
// Runs `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no` plus a
// unix socket in a private temp dir; stopped (and the dir removed) by the destructor.
namespace homectl::test {

class RedisServer {
public:
  // Full path of redis-server on PATH, or "" when it is not installed.
  static std::string find_binary();

  // Starts a server and waits (up to 10 s) until it answers PING. `extra_args`
  // are appended to the command line, e.g. {"--requirepass", "secret"}; a
  // --requirepass is remembered so query() authenticates. Throws
  // std::runtime_error (with the server's output) when it cannot start.
  explicit RedisServer(std::vector<std::string> extra_args = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return m_port; }
  // redis://127.0.0.1:PORT (no password, db 0).
  std::string url() const;
  // Path of the server's unix socket (unix://<path> for clients).
  const std::string& unix_socket() const { return m_socket; }
  bool running() const { return m_pid > 0; }

  // kill -9 and reap: the server vanishes without a goodbye.
  void kill();
  // Starts again on the same port (after kill() or stop()) and waits for PING.
  void restart();
  // SIGTERM and reap (what the destructor does).
  void stop();

  // Runs one command over a blocking hiredis connection and renders the reply
  // like redis-cli: "OK", "value", "(nil)", "(integer) 3", "(error) ...", or
  // "(connection error) ..." when the server is unreachable.
  std::string query(const std::vector<std::string>& args) const;
  // The server's stdout/stderr so far (for failure messages).
  std::string output() const;

private:
  bool spawn_and_wait();

  std::string m_binary;
  std::vector<std::string> m_extra_args;
  std::string m_password;
  std::string m_dir;
  std::string m_socket;
  std::string m_log;
  std::uint16_t m_port = 0;
  pid_t m_pid = -1;
};

// A free TCP port on 127.0.0.1 (bound and released; nothing listens on it).
std::uint16_t free_loopback_port();

} // namespace homectl::test

// Skips the current test (never passes it) when redis-server is not installed.
#define HOMECTL_REQUIRE_REDIS_SERVER()                                                             \
  do {                                                                                             \
    if (::homectl::test::RedisServer::find_binary().empty()) {                                     \
      GTEST_SKIP() << "redis-server not found on PATH (install the redis-server package)";         \
    }                                                                                              \
  } while (false)
