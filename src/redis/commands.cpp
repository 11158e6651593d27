#include "homectl/redis/commands.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace homectl::redis {

namespace asio = boost::asio;

namespace {

// Compare-and-delete: only the holder named in ARGV[1] may release the lock.
constexpr const char* k_unlock_script =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) "
    "else return 0 end";

// GET only when STRLEN is within ARGV[1]; else the length, as an integer.
constexpr const char* k_bounded_get_script = "local n = redis.call('STRLEN', KEYS[1]) "
                                             "if n > tonumber(ARGV[1]) then return n end "
                                             "return redis.call('GET', KEYS[1])";

Error unexpected(const char* command, const Reply& reply) {
  if (reply.is_error()) {
    return make_error(std::string("redis ") + command + " failed: " + reply.text());
  }
  return make_error(std::string("redis ") + command + ": unexpected reply " + reply.describe());
}

std::string ttl_ms(std::chrono::milliseconds ttl) {
  // PX 0 is an error in Redis; the shortest valid expiry is 1 ms.
  return std::to_string(std::max<std::chrono::milliseconds::rep>(ttl.count(), 1));
}

} // namespace

asio::awaitable<Result<void>> set_px(Client& client, std::string key, std::string value,
                                     std::chrono::milliseconds ttl) {
  auto reply =
      co_await client.command(argv("SET", std::move(key), std::move(value), "PX", ttl_ms(ttl)));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind() == Reply::Kind::status && reply->text() == "OK") {
    co_return Result<void>{};
  }
  co_return unexpected("SET", *reply);
}

asio::awaitable<Result<std::optional<std::string>>> get(Client& client, std::string key) {
  auto reply = co_await client.command(argv("GET", std::move(key)));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_nil()) {
    co_return std::optional<std::string>();
  }
  if (reply->kind() == Reply::Kind::string) {
    co_return std::optional<std::string>(reply->text());
  }
  co_return unexpected("GET", *reply);
}

asio::awaitable<Result<BoundedValue>> get_bounded(Client& client, std::string key,
                                                  std::uint64_t max_bytes) {
  auto reply = co_await client.command(
      argv("EVAL", k_bounded_get_script, "1", std::move(key), std::to_string(max_bytes)));
  if (!reply) {
    co_return reply.error();
  }
  BoundedValue found;
  if (reply->is_nil()) {
    co_return found;
  }
  if (reply->kind() == Reply::Kind::string) {
    found.value = reply->text();
    co_return found;
  }
  if (reply->kind() == Reply::Kind::integer && reply->integer_value() > 0) {
    found.too_large = static_cast<std::uint64_t>(reply->integer_value());
    co_return found;
  }
  if (reply->is_error() && reply->text().find("WRONGTYPE") != std::string::npos) {
    found.wrong_type = true;
    co_return found;
  }
  co_return unexpected("EVAL bounded GET", *reply);
}

asio::awaitable<Result<std::int64_t>> publish(Client& client, std::string channel,
                                              std::string message) {
  auto reply = co_await client.command(argv("PUBLISH", std::move(channel), std::move(message)));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind() == Reply::Kind::integer) {
    co_return reply->integer_value();
  }
  co_return unexpected("PUBLISH", *reply);
}

asio::awaitable<Result<bool>> try_lock(Client& client, std::string key, std::string owner,
                                       std::chrono::milliseconds ttl) {
  auto reply = co_await client.command(
      argv("SET", std::move(key), std::move(owner), "NX", "PX", ttl_ms(ttl)));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->is_nil()) {
    co_return false;
  }
  if (reply->kind() == Reply::Kind::status && reply->text() == "OK") {
    co_return true;
  }
  co_return unexpected("SET NX", *reply);
}

asio::awaitable<Result<bool>> unlock(Client& client, std::string key, std::string owner) {
  auto reply =
      co_await client.command(argv("EVAL", k_unlock_script, "1", std::move(key), std::move(owner)));
  if (!reply) {
    co_return reply.error();
  }
  if (reply->kind() == Reply::Kind::integer) {
    co_return reply->integer_value() == 1;
  }
  co_return unexpected("EVAL unlock", *reply);
}

} // namespace homectl::redis
