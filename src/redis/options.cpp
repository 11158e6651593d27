#include "homectl/redis/options.hpp"

namespace homectl::redis {

ClientOptions ClientOptions::from_config(const config::RedisConfig& config) {
  ClientOptions options;
  options.connect_timeout = config.connect_timeout;
  options.command_timeout = config.command_timeout;
  options.max_reply_size = config.max_value_size + k_reply_margin;
  return options;
}

} // namespace homectl::redis
