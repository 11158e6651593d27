// libmosquitto on its own thread: connect, reconnect with jittered backoff,
// the last will, the outgoing queue and the subscriptions. Every libmosquitto
// call happens on that thread; other threads only touch the queue (under a
// mutex) and wake the thread through an eventfd.
#include "homectl/mqtt/client.hpp"

#include <mosquitto.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <random>

namespace homectl::mqtt {
namespace {

constexpr int k_qos_events = 0;
constexpr int k_qos_status = 1;
constexpr std::size_t k_max_unwritten = 64; // handed to libmosquitto at once
constexpr auto k_poll_interval = std::chrono::milliseconds(1000);
constexpr auto k_close_timeout = std::chrono::milliseconds(1000);
constexpr const char* k_system_ca_dir = "/etc/ssl/certs";

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

// Why a CONNACK refused us, in words an operator can act on.
std::string refusal(int rc) {
  switch (rc) {
  case 1:
    return "the broker refused the connection: unacceptable protocol version";
  case 2:
    return "the broker refused the connection: client id rejected (mqtt.client_id)";
  case 3:
    return "the broker refused the connection: server unavailable";
  case 4:
  case 5:
    return "the broker refused the connection: not authorised (check the user and password in "
           "mqtt.url)";
  default:
    return std::string("the broker refused the connection: ") + mosquitto_connack_string(rc);
  }
}

std::string error_text(int rc) {
  if (rc == MOSQ_ERR_ERRNO) {
    return std::strerror(errno);
  }
  if (rc == MOSQ_ERR_TLS) {
    return "the TLS handshake failed (is the broker's certificate issued for this host name by "
           "a CA in mqtt.ca_file, or the system's?)";
  }
  return mosquitto_strerror(rc);
}

} // namespace

Client::Client(ClientOptions options, OnConnect on_connect, OnMessage on_message,
               OnProblem on_problem)
    : m_options(std::move(options)), m_on_connect(std::move(on_connect)),
      m_on_message(std::move(on_message)), m_on_problem(std::move(on_problem)) {
  m_wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Client::~Client() {
  m_stop.store(true);
  wake();
  if (m_thread.joinable()) {
    m_thread.join();
  }
  if (m_wake_fd >= 0) {
    ::close(m_wake_fd);
  }
}

void Client::start() {
  if (!m_thread.joinable()) {
    m_thread = std::thread([this] { run(); });
  }
}

void Client::publish(Message message) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(message));
    while (m_queue.size() > std::max<std::size_t>(m_options.max_queue, 1)) {
      m_queue.pop_front();
      ++m_stats.dropped;
    }
    m_stats.queued = m_queue.size();
  }
  wake();
}

ClientStats Client::stats() const {
  std::lock_guard lock(m_mutex);
  return m_stats;
}

void Client::wake() {
  if (m_wake_fd >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(m_wake_fd, &one, sizeof one);
  }
}

void Client::set_problem(const std::string& problem) {
  {
    std::lock_guard lock(m_mutex);
    if (m_stats.last_error == problem) {
      return;
    }
    m_stats.last_error = problem;
  }
  if (m_on_problem) {
    m_on_problem(problem);
  }
}

void Client::wait_for(std::chrono::milliseconds delay) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (!m_stop.load()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return;
    }
    pollfd fd{m_wake_fd, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(left.count()));
    // Messages queued meanwhile wait for the connection; only stop matters here.
    std::uint64_t count = 0;
    [[maybe_unused]] const auto got = ::read(m_wake_fd, &count, sizeof count);
  }
}

void Client::handle_connect(struct mosquitto* mosq, void* self, int rc) {
  auto& client = *static_cast<Client*>(self);
  if (rc != 0) {
    client.m_refused = true;
    client.set_problem(refusal(rc));
    return;
  }
  client.m_connected = true;
  client.m_unwritten = 0;
  const auto& options = client.m_options;
  mosquitto_publish(mosq, nullptr, options.will_topic.c_str(), 6, "online", k_qos_status, true);
  for (const auto& topic : options.subscriptions) {
    mosquitto_subscribe(mosq, nullptr, topic.c_str(), 0);
  }
  {
    std::lock_guard lock(client.m_mutex);
    client.m_stats.up = true;
    ++client.m_stats.connects;
  }
  {
    std::lock_guard lock(client.m_mutex);
    client.m_stats.last_error.clear();
  }
  if (client.m_on_problem) {
    client.m_on_problem(""); // connected, logged on every connect
  }
  if (client.m_on_connect) {
    client.m_on_connect();
  }
}

void Client::handle_disconnect(struct mosquitto* /*mosq*/, void* self, int /*rc*/) {
  auto& client = *static_cast<Client*>(self);
  client.m_connected = false;
  std::lock_guard lock(client.m_mutex);
  client.m_stats.up = false;
}

void Client::handle_publish(struct mosquitto* /*mosq*/, void* self, int /*mid*/) {
  auto& client = *static_cast<Client*>(self);
  if (client.m_unwritten > 0) {
    --client.m_unwritten;
  }
  std::lock_guard lock(client.m_mutex);
  ++client.m_stats.sent;
}

void Client::handle_message(struct mosquitto* /*mosq*/, void* self,
                            const struct mosquitto_message* message) {
  auto& client = *static_cast<Client*>(self);
  {
    std::lock_guard lock(client.m_mutex);
    ++client.m_stats.received;
  }
  if (client.m_on_message && message->topic != nullptr) {
    const auto length = static_cast<std::size_t>(std::max(message->payloadlen, 0));
    client.m_on_message(std::string_view(message->topic),
                        std::string_view(static_cast<const char*>(message->payload), length),
                        message->retain);
  }
}

bool Client::connect_step(struct mosquitto* mosq, bool first) {
  const auto& url = m_options.url;
  const int keepalive = static_cast<int>(m_options.keepalive.count());
  m_refused = false;
  const int rc = first ? mosquitto_connect_async(mosq, url.host.c_str(), url.port, keepalive)
                       : mosquitto_reconnect_async(mosq);
  if (rc != MOSQ_ERR_SUCCESS) {
    set_problem("cannot connect to " + url.describe() + ": " + error_text(rc));
    return false;
  }
  return true;
}

// Hands queued messages to libmosquitto while few are still unwritten, so its
// own queue stays small and ours (bounded, counted) holds the rest.
void Client::hand_over(struct mosquitto* mosq) {
  while (m_connected && m_unwritten < k_max_unwritten) {
    Message message;
    {
      std::lock_guard lock(m_mutex);
      if (m_queue.empty()) {
        return;
      }
      message = std::move(m_queue.front());
      m_queue.pop_front();
      m_stats.queued = m_queue.size();
    }
    const int rc = mosquitto_publish(mosq, nullptr, message.topic.c_str(),
                                     static_cast<int>(message.payload.size()),
                                     message.payload.data(), k_qos_events, message.retain);
    if (rc == MOSQ_ERR_SUCCESS) {
      ++m_unwritten;
    } else {
      std::lock_guard lock(m_mutex);
      ++m_stats.send_errors;
    }
  }
}

// One connection, from the connect attempt until it fails or stop.
void Client::serve_connection(struct mosquitto* mosq) {
  const auto started = std::chrono::steady_clock::now();
  while (!m_stop.load()) {
    const int fd = mosquitto_socket(mosq);
    if (fd < 0) {
      set_problem("lost the connection to " + m_options.url.describe());
      return;
    }
    std::array<pollfd, 2> fds{};
    fds[0] = pollfd{fd, static_cast<short>(POLLIN | (mosquitto_want_write(mosq) ? POLLOUT : 0)), 0};
    fds[1] = pollfd{m_wake_fd, POLLIN, 0};
    ::poll(fds.data(), fds.size(), static_cast<int>(k_poll_interval.count()));
    if ((fds[1].revents & POLLIN) != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto got = ::read(m_wake_fd, &count, sizeof count);
    }
    int rc = MOSQ_ERR_SUCCESS;
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      rc = mosquitto_loop_read(mosq, 1);
    }
    if (rc == MOSQ_ERR_SUCCESS && (fds[0].revents & POLLOUT) != 0) {
      rc = mosquitto_loop_write(mosq, 1);
    }
    if (rc == MOSQ_ERR_SUCCESS) {
      rc = mosquitto_loop_misc(mosq);
    }
    if (rc == MOSQ_ERR_SUCCESS) {
      hand_over(mosq);
      if (mosquitto_want_write(mosq)) {
        rc = mosquitto_loop_write(mosq, 1);
      }
    }
    if (rc != MOSQ_ERR_SUCCESS || m_refused) {
      if (!m_refused) {
        set_problem((m_connected ? "lost the connection to " : "cannot connect to ") +
                    m_options.url.describe() + ": " + error_text(rc));
      }
      break;
    }
    if (!m_connected && std::chrono::steady_clock::now() - started > m_options.connect_timeout) {
      set_problem("cannot connect to " + m_options.url.describe() +
                  ": no answer within the connect timeout");
      break;
    }
  }
  if (m_connected && !m_stop.load()) {
    handle_disconnect(mosq, this, 0); // the connection failed: down until the next one
  }
}

void Client::close_gracefully(struct mosquitto* mosq) {
  // A clean disconnect does not trigger the last will: say "offline" ourselves.
  mosquitto_publish(mosq, nullptr, m_options.will_topic.c_str(), 7, "offline", k_qos_status, true);
  mosquitto_disconnect(mosq);
  const auto until = std::chrono::steady_clock::now() + k_close_timeout;
  while (mosquitto_want_write(mosq) && std::chrono::steady_clock::now() < until) {
    pollfd fd{mosquitto_socket(mosq), POLLOUT, 0};
    if (fd.fd < 0 || ::poll(&fd, 1, 100) < 0) {
      break;
    }
    if (mosquitto_loop_write(mosq, 1) != MOSQ_ERR_SUCCESS) {
      break;
    }
  }
}

void Client::run() {
  init_library();
  struct mosquitto* mosq = mosquitto_new(m_options.client_id.c_str(), true, this);
  if (mosq == nullptr) {
    set_problem("cannot create the MQTT client: out of memory");
    return;
  }
  mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  const auto& url = m_options.url;
  if (!url.user.empty()) {
    mosquitto_username_pw_set(mosq, url.user.c_str(),
                              url.password.empty() ? nullptr : url.password.c_str());
  }
  mosquitto_will_set(mosq, m_options.will_topic.c_str(), 7, "offline", k_qos_status, true);
  if (url.tls) {
    int rc = MOSQ_ERR_SUCCESS;
    // The system's CAs are Debian's hashed directory (what ca-certificates keeps).
    const char* ca_file = m_options.ca_file.empty() ? nullptr : m_options.ca_file.c_str();
    rc = mosquitto_tls_set(mosq, ca_file, ca_file == nullptr ? k_system_ca_dir : nullptr, nullptr,
                           nullptr, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      set_problem("cannot set up TLS for " + url.describe() + ": " + error_text(rc));
    }
  }
  mosquitto_connect_callback_set(mosq, &Client::handle_connect);
  mosquitto_disconnect_callback_set(mosq, &Client::handle_disconnect);
  mosquitto_publish_callback_set(mosq, &Client::handle_publish);
  mosquitto_message_callback_set(mosq, &Client::handle_message);

  std::mt19937_64 random(std::random_device{}());
  int failures = 0;
  bool first = true;
  while (!m_stop.load()) {
    const auto connects_before = stats().connects;
    if (connect_step(mosq, first)) {
      first = false;
      serve_connection(mosq);
      if (m_stop.load()) {
        break;
      }
    } else if (first) {
      first = false; // the settings are stored now: later attempts reconnect
    }
    {
      std::lock_guard lock(m_mutex);
      ++m_stats.reconnects;
      m_stats.up = false;
    }
    // Full jitter: a random wait up to base * 2^failures, capped.
    const auto ceiling =
        std::min<long long>(m_options.backoff_cap.count(),
                            m_options.backoff_base.count() * (1LL << std::min(failures, 20)));
    std::uniform_int_distribution<long long> pick(ceiling / 4, std::max(ceiling, 1LL));
    ++failures;
    if (stats().connects != connects_before) {
      failures = 1; // it was up: start the backoff over
    }
    wait_for(std::chrono::milliseconds(pick(random)));
  }
  if (m_connected) {
    close_gracefully(mosq);
  }
  mosquitto_destroy(mosq);
}

} // namespace homectl::mqtt
