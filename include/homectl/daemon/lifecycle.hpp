#pragma once

#include "homectl/daemon/daemon.hpp"
#include "homectl/daemon/server_core.hpp"
#include "homectl/util/systemd_notify.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>
#include <string>

// The daemon's life after it listens: READY/STATUS/WATCHDOG notifications,
// SIGTERM/SIGINT drain (a second signal exits at once) and SIGHUP reload.
// Everything here runs on one strand, the same one the acceptor uses.
namespace homectl::daemon {

class Lifecycle {
public:
  Lifecycle(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor& acceptor,
            std::shared_ptr<ServerCore> core, ConfigLoader loader, std::string listening);
  ~Lifecycle();
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  // Starts the signal handler and the watchdog and says READY=1. Call before io.run().
  void start();
  // The process exit code once io.run() has returned.
  int exit_code() const { return m_exit_code.load(); }

private:
  boost::asio::awaitable<void> handle_signals();
  boost::asio::awaitable<void> drain();
  boost::asio::awaitable<void> reload();
  boost::asio::awaitable<void> keep_watchdog_fed();

  boost::asio::io_context& m_io;
  boost::asio::ip::tcp::acceptor& m_acceptor;
  std::shared_ptr<ServerCore> m_core;
  ConfigLoader m_loader;
  std::string m_listening;
  util::SystemdNotifier m_notifier;
  boost::asio::thread_pool m_blocking{1}; // config file reads stay off the event loop
  std::atomic<int> m_exit_code{k_exit_ok};
};

} // namespace homectl::daemon
