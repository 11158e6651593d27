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

// SET key value PX ttl. True once stored.
boost::asio::awaitable<Result<bool>> set_px(Client& client, std::string key, std::string value,
                                            std::chrono::milliseconds ttl);

// GET key: the value, or nullopt when the key does not exist.
boost::asio::awaitable<Result<std::optional<std::string>>> get(Client& client, std::string key);

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
