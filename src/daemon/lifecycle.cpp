#include "homectl/daemon/lifecycle.hpp"

#include "homectl/daemon/reload.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/util/awaitable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>

namespace homectl::daemon {
namespace {

namespace asio = boost::asio;
using util::k_tuple;
// How often the drain looks whether in-flight requests are done.
constexpr auto k_drain_poll = std::chrono::milliseconds(20);

nlohmann::json to_json_array(const std::vector<std::string>& items) {
  return nlohmann::json(items);
}

} // namespace

Lifecycle::Lifecycle(asio::io_context& io, asio::ip::tcp::acceptor& acceptor,
                     std::shared_ptr<ServerCore> core, ConfigLoader loader, std::string listening)
    : m_io(io), m_acceptor(acceptor), m_core(std::move(core)), m_loader(std::move(loader)),
      m_listening(std::move(listening)) {}

Lifecycle::~Lifecycle() {
  m_blocking.join();
}

void Lifecycle::start() {
  const auto executor = m_acceptor.get_executor();
  asio::co_spawn(executor, handle_signals(), asio::detached);
  if (m_notifier.watchdog_interval()) {
    asio::co_spawn(executor, keep_watchdog_fed(), asio::detached);
  }
  m_notifier.ready("serving on " + m_listening);
}

asio::awaitable<void> Lifecycle::handle_signals() {
  asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM, SIGHUP);
  while (true) {
    auto [ec, signal] = co_await signals.async_wait(k_tuple);
    if (ec) {
      co_return;
    }
    if (signal == SIGHUP) {
      if (!m_core->state.draining()) {
        co_await reload();
      }
      continue;
    }
    if (m_core->state.draining()) {
      log::warn("second stop signal: exiting without waiting for in-flight requests",
                {{"signal", signal}, {"in_flight", m_core->state.in_flight.load()}});
      m_exit_code = k_exit_failure;
      m_io.stop();
      co_return;
    }
    log::info("stop signal received: draining", {{"signal", signal}});
    asio::co_spawn(co_await asio::this_coro::executor, drain(), asio::detached);
  }
}

asio::awaitable<void> Lifecycle::drain() {
  auto& state = m_core->state;
  state.start_draining();
  m_notifier.stopping("draining connections");
  boost::system::error_code ignored;
  m_acceptor.close(ignored);
  const auto timeout = state.config()->server.drain_timeout;
  log::info("draining", {{"in_flight", state.in_flight.load()},
                         {"connections", state.connections.load()},
                         {"drain_timeout_ms", timeout.count()}});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (state.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(k_drain_poll);
    co_await timer.async_wait(k_tuple);
  }
  if (const int left = state.in_flight.load(); left > 0) {
    log::warn("drain timeout reached: abandoning in-flight requests", {{"in_flight", left}});
  }
  log::info("stopped", {{"uptime_s", state.uptime_seconds()}});
  m_io.stop();
}

asio::awaitable<void> Lifecycle::reload() {
  m_notifier.reloading();
  log::info("reloading configuration");
  // The loader reads files: run it on the blocking pool, resume here after.
  auto loaded = co_await asio::co_spawn(
      m_blocking.get_executor(),
      [this]() -> asio::awaitable<config::LoadResult> { co_return m_loader(); },
      asio::use_awaitable);
  if (!log_problems(loaded, "reload rejected: keeping the running configuration")) {
    m_notifier.ready("serving on " + m_listening + "; last reload failed");
    co_return;
  }
  const auto current = m_core->state.config();
  auto plan = plan_reload(*current, std::move(loaded.config));
  if (!(plan.applied.log == current->log)) {
    log::setup(plan.applied.log);
  }
  m_core->limiter.configure(plan.applied.limits);
  m_core->state.set_config(plan.applied);
  for (const auto& hook : m_core->reload_hooks) {
    hook(*current, plan.applied);
  }
  log::info("configuration reloaded",
            {{"file", loaded.file}, {"changed", to_json_array(plan.changed)}});
  if (!plan.needs_restart.empty()) {
    log::warn("some changed settings take effect only after a restart",
              {{"settings", to_json_array(plan.needs_restart)}});
  }
  m_notifier.ready("serving on " + m_listening);
}

asio::awaitable<void> Lifecycle::keep_watchdog_fed() {
  const auto interval = *m_notifier.watchdog_interval();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    m_notifier.watchdog();
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(k_tuple);
    if (ec) {
      co_return;
    }
  }
}

} // namespace homectl::daemon
