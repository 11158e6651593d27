#pragma once

#include "homectl/config/config.hpp"
#include "homectl/redis/backoff.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace homectl::redis {

// Tuning of one Redis connection (Client or Subscriber).
struct ClientOptions {
  using Duration = std::chrono::milliseconds;

  // Resolve + connect + AUTH/SELECT/PING (+ SUBSCRIBE) must finish within this.
  Duration connect_timeout{2000};
  // Default deadline of one command; on expiry the connection is reset.
  Duration command_timeout{1000};
  // Commands awaiting a reply at once; more fail immediately (bounded memory).
  std::size_t max_in_flight = 1024;
  // The largest reply (or pub/sub message) read: a server sending more is
  // dropped as a protocol error before hiredis buffers it all.
  std::size_t max_reply_size = std::size_t{2} * 1024 * 1024;
  // Reconnect delays: full jitter in [0, min(cap, base * 2^n)]; n starts over
  // after a connection that stayed up for at least `backoff_cap`.
  Duration backoff_base{100};
  Duration backoff_cap{5000};
  // How often the command connection PINGs (latency for /health, liveness).
  Duration ping_interval{5000};
  // Randomness for the backoff; empty = a real random generator.
  Backoff::Random random;

  // Room beyond redis.max_value_size for an entry's own fields and framing.
  static constexpr std::size_t k_reply_margin = std::size_t{1024} * 1024;

  // The options `redis.*` asks for (timeouts, max_reply_size =
  // redis.max_value_size + k_reply_margin); the rest keep their defaults.
  static ClientOptions from_config(const config::RedisConfig& config);
};

// A snapshot of a connection's health and counters (for /health and metrics).
struct ClientStats {
  bool up = false;
  // Successful connects (handshake done), the first one included.
  std::uint64_t connects = 0;
  // Connection attempts after the first one (each retry counts once).
  std::uint64_t reconnects = 0;
  // Round trip of the latest successful PING.
  std::optional<std::chrono::microseconds> last_ping_latency;
  // Outcomes of commands sent through command(): a reply, an error reply,
  // no reply within the deadline, or failed without a reply (not connected,
  // too many in flight, connection lost).
  std::uint64_t commands_ok = 0;
  std::uint64_t commands_error = 0;
  std::uint64_t commands_timeout = 0;
  std::uint64_t commands_dropped = 0;
  // Messages delivered to a Subscriber's handler.
  std::uint64_t messages = 0;
  // Why the latest connect attempt or connection failed (no secrets); empty if none.
  std::string last_error;
};

} // namespace homectl::redis
