#include "homectl/redis/async_context.hpp"
#include "homectl/redis/backoff.hpp"
#include "homectl/redis/reply.hpp"

#include <string>
#include <utility>

#include <hiredis/hiredis.h>

#include <gtest/gtest.h>

namespace homectl::redis {
namespace {

using namespace std::chrono_literals;

TEST(RedisBackoff, FullJitterUpToADoublingCappedCeiling) {
  double r = 1.0;
  Backoff backoff(100ms, 1000ms, [&] { return r; });
  EXPECT_EQ(backoff.next(), 100ms);
  EXPECT_EQ(backoff.next(), 200ms);
  EXPECT_EQ(backoff.next(), 400ms);
  EXPECT_EQ(backoff.next(), 800ms);
  EXPECT_EQ(backoff.next(), 1000ms) << "capped";
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(backoff.next(), 1000ms) << "no overflow after many attempts";
  }
  EXPECT_EQ(backoff.attempt(), 105);
  r = 0.5;
  EXPECT_EQ(backoff.next(), 500ms) << "the random fraction of the ceiling";
  r = 0.0;
  EXPECT_EQ(backoff.next(), 0ms);
  backoff.reset();
  r = 0.5;
  EXPECT_EQ(backoff.next(), 50ms) << "starts over after reset";
}

TEST(RedisBackoff, DefaultRandomnessStaysWithinTheCeiling) {
  Backoff backoff(10ms, 40ms);
  for (int i = 0; i < 200; ++i) {
    auto ceiling = std::min(40, 10 << std::min(i, 3));
    auto d = backoff.next();
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d.count(), ceiling);
  }
}

// Parses RESP bytes with hiredis' own reader and converts the result.
Reply parse_resp(const std::string& bytes) {
  redisReader* reader = redisReaderCreate();
  redisReaderFeed(reader, bytes.data(), bytes.size());
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &raw), REDIS_OK);
  EXPECT_NE(raw, nullptr);
  Reply reply = raw ? to_reply(*static_cast<redisReply*>(raw)) : Reply::error("no reply");
  if (raw) {
    freeReplyObject(raw);
  }
  redisReaderFree(reader);
  return reply;
}

TEST(RedisReply, ConvertsEveryRespType) {
  EXPECT_EQ(parse_resp("+OK\r\n"), Reply::status("OK"));
  EXPECT_EQ(parse_resp("-ERR wrong\r\n"), Reply::error("ERR wrong"));
  EXPECT_EQ(parse_resp(":-42\r\n"), Reply::integer(-42));
  EXPECT_EQ(parse_resp("$-1\r\n"), Reply::nil());
  EXPECT_EQ(parse_resp(std::string("$5\r\na\0b\r\n\r\n", 12)),
            Reply::string(std::string("a\0b\r\n", 5)));
  EXPECT_EQ(parse_resp("*3\r\n$7\r\nmessage\r\n:1\r\n*-1\r\n"),
            Reply::array({Reply::string("message"), Reply::integer(1), Reply::nil()}));
}

// Feeds RESP bytes to a reader limited like the daemon's connections; returns
// whether a whole reply came out, and the array length the limit refused.
std::pair<bool, int> read_limited(const std::string& bytes) {
  redisReader* reader = redisReaderCreate();
  int refused = 0;
  limit_array_replies(*reader, refused);
  redisReaderFeed(reader, bytes.data(), bytes.size());
  void* raw = nullptr;
  bool ok = redisReaderGetReply(reader, &raw) == REDIS_OK && raw != nullptr;
  if (raw) {
    freeReplyObject(raw);
  }
  redisReaderFree(reader);
  return {ok, refused};
}

std::string resp_array(int elements) {
  std::string bytes = "*" + std::to_string(elements) + "\r\n";
  for (int i = 0; i < elements; ++i) {
    bytes += ":1\r\n";
  }
  return bytes;
}

TEST(RedisReply, ArraysUpToTheLimitAreRead) {
  EXPECT_EQ(read_limited(resp_array(k_max_array_reply)), std::make_pair(true, 0));
  EXPECT_EQ(read_limited("*2\r\n*0\r\n*1\r\n$1\r\nx\r\n"), std::make_pair(true, 0));
  EXPECT_EQ(read_limited("*-1\r\n"), std::make_pair(true, 0));
}

TEST(RedisReply, LongerArraysAreRefusedBeforeAnyAllocation) {
  // Without the limit hiredis would calloc 12 GB for these 14 bytes.
  EXPECT_EQ(read_limited("*1500000000\r\n"), std::make_pair(false, 1500000000));
  EXPECT_EQ(read_limited("*" + std::to_string(k_max_array_reply + 1) + "\r\n"),
            std::make_pair(false, k_max_array_reply + 1));
  EXPECT_EQ(read_limited("*1\r\n*2000000\r\n"), std::make_pair(false, 2000000)) << "nested";
  EXPECT_EQ(read_limited("*-5\r\n"), std::make_pair(false, 0)) << "hiredis' own range check";
}

TEST(RedisReply, DescribesLikeRedisCli) {
  EXPECT_EQ(Reply::nil().describe(), "(nil)");
  EXPECT_EQ(Reply::integer(3).describe(), "(integer) 3");
  EXPECT_EQ(Reply::status("PONG").describe(), "PONG");
  EXPECT_EQ(Reply::error("ERR x").describe(), "(error) ERR x");
  EXPECT_EQ(Reply::string(std::string("a\"\0\xff", 4)).describe(), "\"a\\\"\\x00\\xff\"");
  EXPECT_EQ(Reply::string(std::string(100, 'x')).describe(), "\"" + std::string(64, 'x') + "...\"");
  EXPECT_EQ(Reply::array({Reply::integer(1), Reply::string("b")}).describe(),
            "[(integer) 1, \"b\"]");
  EXPECT_TRUE(Reply().is_nil());
  EXPECT_TRUE(Reply::error("E").is_error());
  EXPECT_EQ(Reply::string("s").integer_value(), 0);
}

} // namespace
} // namespace homectl::redis
