#pragma once

#include "homectl/redis/client.hpp"
#include "homectl/util/result.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

// Thin typed helpers over Client::command(). A Redis error reply or an
// unexpected reply shape becomes an Error naming the command.
namespace homectl::redis {

// SET key value PX ttl; an Error unless stored.
boost::asio::awaitable<Result<void>> set_px(Client& client, std::string key, std::string value,
                                            std::chrono::milliseconds ttl);

// GET key: the value, or nullopt when the key does not exist.
boost::asio::awaitable<Result<std::optional<std::string>>> get(Client& client, std::string key);

// What get_bounded() found under a key.
struct BoundedValue {
  std::optional<std::string> value; // set when the key holds a string of at most max_bytes
  std::uint64_t too_large = 0;      // the string's length when it exceeds max_bytes
  bool wrong_type = false;          // the key holds a hash, list, ... (not a string)
  // True when the key does not exist.
  bool missing() const { return !value && too_large == 0 && !wrong_type; }
};

// GET key, bounded: a value longer than `max_bytes` is reported by its length
// and never sent (STRLEN and GET in one Lua script), so a huge value planted
// under the key costs neither Redis' bandwidth nor this process' memory.
boost::asio::awaitable<Result<BoundedValue>> get_bounded(Client& client, std::string key,
                                                         std::uint64_t max_bytes);

// PUBLISH channel message: the number of subscribers that received it.
boost::asio::awaitable<Result<std::int64_t>> publish(Client& client, std::string channel,
                                                     std::string message);

// SET key owner NX PX ttl: true when this call took the lock, false when
// someone else holds it. `owner` must be unique per holder (it proves ownership
// on unlock).
boost::asio::awaitable<Result<bool>> try_lock(Client& client, std::string key, std::string owner,
                                              std::chrono::milliseconds ttl);

// Deletes the lock only if `owner` still holds it (compare-and-delete in one
// Lua script): true when released, false when it had expired or changed hands.
boost::asio::awaitable<Result<bool>> unlock(Client& client, std::string key, std::string owner);

} // namespace homectl::redis
