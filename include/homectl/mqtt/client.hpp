#pragma once

#include "homectl/util/url.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct mosquitto;
struct mosquitto_message;

// The MQTT connection: libmosquitto on a thread of its own, so the daemon's
// event loop never waits on the broker (libmosquitto resolves names with a
// blocking getaddrinfo). Outgoing messages wait in a bounded queue; what
// arrives is handed to callbacks that must not block (they post to the loop).
namespace homectl::mqtt {

// One outgoing message (QoS 0).
struct Message {
  std::string topic;
  std::string payload;
  bool retain = false;
};

struct ClientOptions {
  util::MqttUrl url;
  std::string client_id;
  std::string ca_file;    // mqtts: trusted CAs; empty = the system's
  std::string will_topic; // "offline" there (retained) as the last will, "online" once connected
  std::vector<std::string> subscriptions; // subscribed (QoS 0) after every connect
  std::size_t max_queue = 1000;           // outgoing messages held; the oldest dropped beyond
  std::chrono::seconds keepalive{30};
  std::chrono::milliseconds backoff_base{250}; // reconnect wait: full jitter up to base * 2^n
  std::chrono::milliseconds backoff_cap{10'000};
  std::chrono::milliseconds connect_timeout{10'000}; // TCP + TLS + CONNACK
};

// What the client has done so far (copied out under a lock).
struct ClientStats {
  bool up = false;
  std::uint64_t sent = 0;        // messages written to the broker's connection
  std::uint64_t send_errors = 0; // messages libmosquitto refused
  std::uint64_t received = 0;    // messages that arrived on our subscriptions
  std::uint64_t dropped = 0;     // outgoing messages dropped from a full queue
  std::uint64_t connects = 0;    // successful connections
  std::uint64_t reconnects = 0;  // connection attempts after the first
  std::size_t queued = 0;        // outgoing messages waiting now
  std::string last_error;        // why the latest attempt or connection failed; empty = none
};

class Client {
public:
  // Runs on the client's thread after every successful connect (status
  // "online" and the subscriptions already sent); must not block.
  using OnConnect = std::function<void()>;
  // Runs on the client's thread for each message that arrives; must not block
  // and must bound what it copies (the payload is the broker's to choose).
  // `retained`: the broker kept it from before we subscribed.
  using OnMessage =
      std::function<void(std::string_view topic, std::string_view payload, bool retained)>;
  // Called with each new connection problem (once, not on every retry) and
  // when the connection comes back (empty text); on the client's thread.
  using OnProblem = std::function<void(const std::string& problem)>;

  Client(ClientOptions options, OnConnect on_connect, OnMessage on_message, OnProblem on_problem);
  // Stops the thread: "offline" is published and the connection closed when up.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts connecting in the background.
  void start();
  // Queues a message; any thread. Sent in order once connected.
  void publish(Message message);
  // Any thread.
  ClientStats stats() const;
  const ClientOptions& options() const { return m_options; }

private:
  void run();
  bool connect_step(struct mosquitto* mosq, bool first);
  void serve_connection(struct mosquitto* mosq);
  void hand_over(struct mosquitto* mosq);
  void wait_for(std::chrono::milliseconds delay);
  void set_problem(const std::string& problem);
  void close_gracefully(struct mosquitto* mosq);
  void wake();

  static void handle_connect(struct mosquitto* mosq, void* self, int rc);
  static void handle_disconnect(struct mosquitto* mosq, void* self, int rc);
  static void handle_publish(struct mosquitto* mosq, void* self, int mid);
  static void handle_message(struct mosquitto* mosq, void* self,
                             const struct mosquitto_message* message);

  ClientOptions m_options;
  OnConnect m_on_connect;
  OnMessage m_on_message;
  OnProblem m_on_problem;

  mutable std::mutex m_mutex; // guards the queue and the stats
  std::deque<Message> m_queue;
  ClientStats m_stats;

  int m_wake_fd = -1; // an eventfd: a message was queued, or stop
  std::atomic<bool> m_stop{false};
  // Client thread only:
  bool m_connected = false;
  bool m_refused = false;      // the broker's CONNACK said no
  std::size_t m_unwritten = 0; // handed to libmosquitto, not yet written
  std::thread m_thread;
};

} // namespace homectl::mqtt
