// The composition root of `homectl serve`.
#include "homectl/daemon/daemon.hpp"

#include "homectl/daemon/history_area.hpp"
#include "homectl/daemon/lifecycle.hpp"
#include "homectl/daemon/listener.hpp"
#include "homectl/daemon/mqtt_area.hpp"
#include "homectl/daemon/redis_area.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/resilience/retry.hpp"
#include "homectl/sources/http_fetcher.hpp"
#include "homectl/sources/routes.hpp"
#include "homectl/sources/service.hpp"
#include "homectl/web/page_routes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <csignal>
#include <thread>
#include <vector>

namespace homectl::daemon {
namespace {

// An io_context that can destroy its pending work on demand. Coroutines still
// suspended at exit (a refresh waiting on an upstream, a connection waiting
// to read) refer to the Service, the fetcher and the core; destroying them
// while those are alive, before the objects themselves go, keeps every
// frame's destructor on live memory.
class EventLoop : public boost::asio::io_context {
public:
  using io_context::io_context;
  void destroy_pending_work() { shutdown(); }
};

} // namespace

void install_areas(boost::asio::io_context& io, ServerCore& core) {
  add_core_endpoints(core);
  web::add_page_routes(core.router, [state = &core.state] { return state->config()->server.ui; });
  // Redis (optional): shared L2 cache, refresh locks and change events.
  core.redis = install_redis(io, core);
  const auto& redis = core.redis;
  core.history = install_history(io, core);
  sources::ServiceOptions options;
  options.shared_store = redis ? &redis->store() : nullptr;
  options.on_value = [history = core.history](std::string_view source, std::string_view value,
                                              double number) {
    history->extremes().note(source, value, number);
  };

  // Sources: the outbound fetcher and the cache/scheduler behind /v1/sources.
  auto fetcher = std::make_shared<sources::HttpFetcher>(io.get_executor());
  auto service = std::make_shared<sources::Service>(io.get_executor(), *core.state.config(),
                                                    *fetcher, core.metrics, core.state.clock(),
                                                    resilience::default_random(), options);
  if (redis) {
    // Invalidation: another instance refreshed a source; load its entry from Redis.
    redis->on_remote_update([weak = std::weak_ptr<sources::Service>(service)](
                                const std::string& source, const std::string& etag) {
      if (auto live = weak.lock()) {
        live->adopt_remote(source, etag);
      }
    });
  }
  sources::register_routes(core.router, *service);
  sources::register_health(core.checks, *service);
  core.reload_hooks.push_back(
      [service](const config::Config&, const config::Config& next) { service->reconfigure(next); });
  service->start();
  // MQTT (optional): states, events, refresh commands, Home Assistant discovery.
  core.mqtt = install_mqtt(io, core, service);
  core.fetcher = std::move(fetcher);
  core.service = std::move(service);
}

bool log_problems(const config::LoadResult& loaded, std::string_view refused) {
  for (const auto& problem : loaded.problems) {
    if (problem.severity != config::Severity::error) {
      log::warn("configuration warning", {{"problem", problem.to_string()}});
    }
  }
  if (loaded.ok()) {
    return true;
  }
  for (const auto& problem : loaded.problems) {
    if (problem.severity == config::Severity::error) {
      log::error("configuration error", {{"problem", problem.to_string()}});
    }
  }
  log::error(refused, {{"errors", loaded.error_count()}, {"file", loaded.file}});
  return false;
}

int run(const Options& options) {
  namespace asio = boost::asio;
  // A log reader that went away (stdout a closed pipe) must cost log lines,
  // not the daemon: writes then fail with EPIPE instead of raising SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  auto loaded = options.load();
  if (!log_problems(loaded, "invalid configuration: not starting")) {
    return k_exit_config;
  }
  const config::Config config = std::move(loaded.config);
  log::setup(config.log);
  // From here on no thread of the daemon waits for the log's reader. Declared
  // before the io_context, so it flushes (up to 2 s) after everything that
  // logs is gone, whichever way run() ends.
  log::BackgroundWriting background_log;

  const int threads = std::max(1, config.server.threads);
  // Declared first so it is destroyed last: I/O objects owned by the core
  // must go before the io_context's services do.
  EventLoop io(threads);
  auto core = std::make_shared<ServerCore>(config, util::SystemClock::instance());
  install_areas(io, *core);

  const auto control = asio::make_strand(io);
  auto acceptor = open_listener(control, config.server.listen);
  if (!acceptor) {
    log::error(acceptor.error().message);
    return k_exit_failure;
  }
  const auto listening = to_string(config.server.listen);
  Lifecycle lifecycle(io, *acceptor, core, options.load, listening);
  asio::co_spawn(control, accept_connections(io, *acceptor, core), asio::detached);
  lifecycle.start();
  log::info("listening", {{"address", listening},
                          {"threads", threads},
                          {"config", loaded.file.empty() ? "built-in defaults" : loaded.file}});

  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads - 1));
  for (int i = 1; i < threads; ++i) {
    workers.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& worker : workers) {
    worker.join();
  }
  io.destroy_pending_work(); // while the core and its areas are still alive
  return lifecycle.exit_code();
}

} // namespace homectl::daemon
