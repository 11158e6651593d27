#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// A real Mosquitto broker for integration tests, on a free loopback port,
// and the mosquitto_sub / mosquitto_pub clients to talk to it.
//
//   HOMECTL_REQUIRE_MOSQUITTO();           // SKIPs when the broker is missing
//   homectl::test::MosquittoBroker broker; // started and accepting connections
//   broker.url();                          // "mqtt://127.0.0.1:PORT"
//   broker.retained("homectl/#");          // every retained "topic payload" line
//   broker.publish("t", "m");              // mosquitto_pub
//   MqttSubscription sub(broker, "homectl/events"); // a live mosquitto_sub
//   broker.kill(); broker.restart();       // kill -9, then the same port again
//
// Runs `mosquitto -c <generated conf>` (persistence off) in a private temp
// dir; stopped (and the dir removed) by the destructor.
namespace homectl::test {

class MosquittoBroker {
public:
  // Path of the broker binary, or "" when it is not installed.
  static std::string find_binary();

  // With a user, the broker requires that user and password (a password file
  // made by mosquitto_passwd); without, anonymous clients are allowed.
  explicit MosquittoBroker(std::string user = {}, std::string password = {});
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  std::uint16_t port() const { return m_port; }
  // mqtt://127.0.0.1:PORT, with `userinfo@` when given ("user:password").
  std::string url(const std::string& userinfo = {}) const;

  // The retained messages under `filter`, one "topic payload" line each
  // (mosquitto_sub --retained-only -v, waiting up to `wait`).
  std::string retained(const std::string& filter,
                       std::chrono::milliseconds wait = std::chrono::milliseconds(1500)) const;
  // The retained payload of one topic; "" when none within `wait`.
  std::string
  retained_payload(const std::string& topic,
                   std::chrono::milliseconds wait = std::chrono::milliseconds(1000)) const;
  // mosquitto_pub; `payload` empty with `retain` clears a retained message.
  void publish(const std::string& topic, const std::string& payload, bool retain = false) const;

  // kill -9 and reap.
  void kill();
  // Starts again on the same port (after kill() or stop()) and waits until it accepts.
  void restart();
  // SIGTERM and reap.
  void stop();
  // The broker's log so far, across restarts; at debug level, so every message
  // a client publishes shows as "Received PUBLISH from ID (..., 'TOPIC', ...".
  std::string output() const;
  const std::string& dir() const { return m_dir; }
  std::vector<std::string> client_args() const;

private:
  bool spawn_and_wait();

  std::string m_binary;
  std::string m_user;
  std::string m_password;
  std::string m_dir;
  std::string m_log;
  std::uint16_t m_port = 0;
  pid_t m_pid = -1;
};

// A mosquitto_sub running in the background (-v: "topic payload" lines),
// killed at destruction.
class MqttSubscription {
public:
  // `no_retained`: skip messages that were retained before subscribing (-R).
  MqttSubscription(const MosquittoBroker& broker, const std::vector<std::string>& filters,
                   bool no_retained = true);
  ~MqttSubscription();
  MqttSubscription(const MqttSubscription&) = delete;
  MqttSubscription& operator=(const MqttSubscription&) = delete;

  // Everything received so far.
  std::string output() const;
  // Polls output() until it contains `needle`.
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout) const;

private:
  std::string m_file;
  pid_t m_pid = -1;
};

// Runs a program (argv[0] a path) with a deadline; its standard output, or
// "" when it could not run. Standard error is discarded.
std::string run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

} // namespace homectl::test

// Skips the current test (never passes it) when the broker is not installed.
#define HOMECTL_REQUIRE_MOSQUITTO()                                                                \
  do {                                                                                             \
    if (::homectl::test::MosquittoBroker::find_binary().empty()) {                                 \
      GTEST_SKIP()                                                                                 \
          << "mosquitto not found (install the mosquitto and mosquitto-clients packages)";         \
    }                                                                                              \
  } while (false)
