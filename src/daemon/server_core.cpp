#include "homectl/daemon/server_core.hpp"

namespace homectl::daemon {

ServerCore::ServerCore(const config::Config& config, const util::Clock& clock)
    : state(config, clock), limiter(clock, config.limits), http_metrics(metrics),
      dispatcher(router, state, limiter, http_metrics) {}

} // namespace homectl::daemon
