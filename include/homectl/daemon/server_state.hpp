#pragma once

#include "homectl/config/config.hpp"
#include "homectl/daemon/throttled_log.hpp"
#include "homectl/util/clock.hpp"

#include <atomic>
#include <chrono>
#include <memory>

// What every connection reads on every request: the current configuration
// (immutable, swapped whole on reload), the draining flag and the connection
// counters. Safe to use from any event-loop thread.
namespace homectl::daemon {

class ServerState {
public:
  ServerState(config::Config config, const util::Clock& clock);

  // The configuration in force; hold the pointer for the duration of one request.
  std::shared_ptr<const config::Config> config() const { return m_config.load(); }
  // Replaces the configuration atomically (reload).
  void set_config(config::Config config);

  // True once SIGTERM/SIGINT started the drain: /ready fails, responses close.
  bool draining() const { return m_draining.load(std::memory_order_acquire); }
  void start_draining() { m_draining.store(true, std::memory_order_release); }

  const util::Clock& clock() const { return m_clock; }
  // Seconds since the server started.
  double uptime_seconds() const;
  // Wall-clock start time (process_start_time_seconds, /health).
  std::chrono::system_clock::time_point started_wall() const { return m_started_wall; }

  // Open client connections (homectl_http_connections), requests being
  // handled, header read and answer not yet written
  // (homectl_http_requests_in_flight), and open event streams. /metrics reads
  // these totals at scrape time (endpoints.cpp).
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> streams{0};
  // Connections accepted since start (homectl_http_connections_accepted_total).
  std::atomic<long long> accepted_connections{0};
  // Connections refused because server.max_connections was reached
  // (homectl_http_connections_refused_total).
  std::atomic<long long> refused_connections{0};
  // Failed accepts, e.g. EMFILE: the process is out of file descriptors
  // (homectl_http_accept_errors_total).
  std::atomic<long long> accept_errors{0};
  // Connections closed because the client was too slow: no request on an idle
  // keep-alive connection, header or body not complete in time, or a response
  // (or event) it did not read within the write deadline
  // (homectl_http_connection_timeouts_total{phase}).
  std::atomic<long long> idle_timeouts{0};
  std::atomic<long long> header_timeouts{0};
  std::atomic<long long> body_timeouts{0};
  std::atomic<long long> write_timeouts{0};
  // Paces the log lines about clients dropped for being too slow.
  ThrottledLog slow_client_log{std::chrono::seconds(5)};

private:
  std::atomic<std::shared_ptr<const config::Config>> m_config;
  std::atomic<bool> m_draining{false};
  const util::Clock& m_clock;
  util::Clock::time_point m_started;
  std::chrono::system_clock::time_point m_started_wall;
};

// Counts one unit in an atomic counter for the guard's lifetime.
class CountGuard {
public:
  explicit CountGuard(std::atomic<int>& counter) : m_counter(&counter) { m_counter->fetch_add(1); }
  ~CountGuard() {
    if (m_counter != nullptr) {
      m_counter->fetch_sub(1);
    }
  }
  CountGuard(const CountGuard&) = delete;
  CountGuard& operator=(const CountGuard&) = delete;

private:
  std::atomic<int>* m_counter;
};

} // namespace homectl::daemon
