#include "homectl/daemon/server_state.hpp"

namespace homectl::daemon {

ServerState::ServerState(config::Config config, const util::Clock& clock)
    : m_config(std::make_shared<const config::Config>(std::move(config))), m_clock(clock),
      m_started(clock.now()), m_started_wall(clock.wall()) {}

void ServerState::set_config(config::Config config) {
  m_config.store(std::make_shared<const config::Config>(std::move(config)));
}

double ServerState::uptime_seconds() const {
  return std::chrono::duration<double>(m_clock.now() - m_started).count();
}

} // namespace homectl::daemon
