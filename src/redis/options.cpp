#include "homectl/redis/options.hpp"

namespace homectl::redis {

ClientOptions ClientOptions::from_config(const config::RedisConfig& config) {
  ClientOptions options;
  options.connect_timeout = config.connect_timeout;
  options.command_timeout = config.command_timeout;
  return options;
}

} // namespace homectl::redis
