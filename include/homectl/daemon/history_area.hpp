#pragma once

#include "homectl/config/config.hpp"
#include "homectl/metrics/history.hpp"
#include "homectl/metrics/history_sampler.hpp"
#include "homectl/metrics/registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <memory>
#include <mutex>

// The in-memory history for `serve`: every history.interval, on its own
// strand, one reading per series from two snapshots of the registry goes into
// metrics::History; GET /v1/history answers from it; homectl_history_bytes
// says what it holds. A reload that changes the history settings starts an
// empty history; one that removes sources or values drops their series.
namespace homectl::daemon {

struct ServerCore;

class HistoryArea : public std::enable_shared_from_this<HistoryArea> {
public:
  HistoryArea(boost::asio::io_context& io, ServerCore& core);

  // Starts recording (when history.enabled).
  void start();
  // Applies a new configuration (called after a reload).
  void reconfigure(const config::Config& next);

  // Where the Service notes each value it reads.
  metrics::ValueExtremes& extremes() { return m_extremes; }
  // The current history, null while history.enabled is false.
  std::shared_ptr<const metrics::History> history() const { return m_history.load(); }

private:
  void reconfigure_on_strand(const config::Config& next);
  boost::asio::awaitable<void> run();
  void record_interval(std::chrono::system_clock::time_point start);

  ServerCore& m_core;
  boost::asio::strand<boost::asio::io_context::executor_type> m_strand;
  boost::asio::steady_timer m_timer;
  metrics::ValueExtremes m_extremes;
  std::atomic<std::shared_ptr<metrics::History>> m_history;
  config::HistoryConfig m_settings; // on the strand
  metrics::Exposition m_last;       // the snapshot at the start of the interval
  std::chrono::steady_clock::time_point m_last_at{};
  bool m_configured = false;
  bool m_running = false;
};

// Creates the area, its route and metric, and starts it.
std::shared_ptr<HistoryArea> install_history(boost::asio::io_context& io, ServerCore& core);

} // namespace homectl::daemon
