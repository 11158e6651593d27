#include "homectl/daemon/entry_codec.hpp"
#include "homectl/daemon/redis_store.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace homectl::daemon {
namespace {

sources::StoredEntry sample() {
  sources::StoredEntry entry;
  entry.body = std::string("bin\0ary\xff\r\n body", 16);
  entry.content_type = "application/json";
  entry.etag = "\"abc123\"";
  entry.status = 203;
  entry.validators = {"W/\"up-7\"", "Wed, 02 Dec 2026 10:00:00 GMT"};
  entry.fetched_wall =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'790'000'000'123));
  return entry;
}

TEST(RedisStoreCodec, RoundTripsEveryField) {
  const auto entry = sample();
  auto decoded = decode_entry(encode_entry(entry));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->body, entry.body);
  EXPECT_EQ(decoded->content_type, entry.content_type);
  EXPECT_EQ(decoded->etag, entry.etag);
  EXPECT_EQ(decoded->status, entry.status);
  EXPECT_EQ(decoded->fetched_wall, entry.fetched_wall);
  EXPECT_EQ(decoded->validators, entry.validators);
}

TEST(RedisStoreCodec, ReadsEntriesWrittenBeforeValidatorsWereShared) {
  // HCE1: status, time, content type, ETag, body; no upstream validators.
  std::string old = "HCE1";
  const auto u64 = [&](std::uint64_t v) {
    for (int i = 7; i >= 0; --i) {
      old.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
    }
  };
  const auto field = [&](std::string_view text) {
    u64(text.size());
    old.append(text);
  };
  u64(200);
  u64(1'790'000'000'000);
  field("text/plain");
  field("\"e\"");
  field("hello");
  auto decoded = decode_entry(old);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->body, "hello");
  EXPECT_EQ(decoded->etag, "\"e\"");
  EXPECT_TRUE(decoded->validators.empty());
}

TEST(RedisStoreCodec, RejectsForeignData) {
  auto decoded = decode_entry("{\"body\":\"x\"}");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("unknown format"), std::string::npos);
  EXPECT_FALSE(decode_entry("").ok());
}

TEST(RedisStoreCodec, RejectsEveryTruncation) {
  const auto bytes = encode_entry(sample());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(decode_entry(std::string_view(bytes).substr(0, size)).ok()) << "size " << size;
  }
}

TEST(RedisStoreCodec, RejectsTrailingBytesAndHugeLengths) {
  auto bytes = encode_entry(sample());
  EXPECT_FALSE(decode_entry(bytes + "x").ok());
  // Content-type length field set to 2^63: must not allocate or read past the end.
  auto huge = bytes;
  huge[4 + 16] = '\x80';
  auto decoded = decode_entry(huge);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("truncated or oversized"), std::string::npos);
}

TEST(RedisStoreCodec, RejectsInvalidStatus) {
  auto entry = sample();
  entry.status = 42;
  auto decoded = decode_entry(encode_entry(entry));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("status 42"), std::string::npos);
}

// Found by the l2_entry fuzz target: a fetch time past year 2262 overflowed
// system_clock's nanoseconds (undefined behaviour) instead of being rejected.
TEST(RedisStoreCodec, RejectsFetchTimesSystemClockCannotHold) {
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::duration::max());
  auto entry = sample();
  entry.fetched_wall = std::chrono::system_clock::time_point(limit);
  auto bytes = encode_entry(entry);
  ASSERT_TRUE(decode_entry(bytes).ok());
  bytes[4 + 8 + 7] = static_cast<char>(bytes[4 + 8 + 7] + 1); // one millisecond later
  auto decoded = decode_entry(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("fetch time out of range"), std::string::npos);
}

TEST(RedisStoreCodec, EveryByteFlipDecodesOrErrorsWithoutCrashing) {
  const auto bytes = encode_entry(sample());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto mutated = bytes;
    mutated[i] = static_cast<char>(mutated[i] ^ 0xa5);
    (void)decode_entry(mutated); // either result is fine; no crash, no overread
  }
  SUCCEED();
}

TEST(RedisStoreCodec, MaxEncodedSizeBoundsEveryEntryWithThatBody) {
  auto entry = sample();
  entry.body = std::string(1000, 'b');
  entry.content_type = std::string(64 * 1024, 't');
  entry.etag = std::string(64 * 1024, 'e');
  entry.validators = {std::string(64 * 1024, 'v'), std::string(64 * 1024, 'l')};
  const auto bytes = encode_entry(entry);
  EXPECT_EQ(bytes.size(), max_encoded_size(1000));
  ASSERT_TRUE(decode_entry(bytes).ok());
  EXPECT_EQ(max_encoded_size(std::numeric_limits<std::size_t>::max()),
            std::numeric_limits<std::size_t>::max());
}

TEST(RedisStoreJudge, AcceptsAnEntryWithinTheBodyLimit) {
  redis::BoundedValue found;
  found.value = encode_entry(sample());
  const auto judged = judge_entry(found, 16);
  ASSERT_TRUE(judged.entry);
  EXPECT_EQ(judged.entry->body, sample().body);
  EXPECT_EQ(judged.rejected, "");
}

TEST(RedisStoreJudge, NothingFoundIsNeitherAnEntryNorARejection) {
  const auto judged = judge_entry(redis::BoundedValue{}, 1024);
  EXPECT_FALSE(judged.entry);
  EXPECT_EQ(judged.rejected, "");
}

TEST(RedisStoreJudge, RefusesAValueRedisReportedTooLong) {
  redis::BoundedValue found;
  found.too_large = 20'000'000;
  const auto judged = judge_entry(found, 1000);
  EXPECT_FALSE(judged.entry);
  EXPECT_EQ(judged.rejected, "too_large");
  EXPECT_EQ(judged.problem, "shared cache entry: 20000000 bytes, more than the " +
                                std::to_string(max_encoded_size(1000)) + " accepted");
}

TEST(RedisStoreJudge, RefusesABodyOverTheLimitEvenWhenTheValueFitted) {
  redis::BoundedValue found;
  found.value = encode_entry(sample()); // a 16-byte body
  const auto judged = judge_entry(found, 15);
  EXPECT_FALSE(judged.entry);
  EXPECT_EQ(judged.rejected, "too_large");
  EXPECT_EQ(judged.problem, "shared cache entry: a body of 16 bytes, more than the 15 accepted");
}

TEST(RedisStoreJudge, RefusesUndecodableValuesAndOtherTypesAsInvalid) {
  redis::BoundedValue garbage;
  garbage.value = "not an entry";
  const auto judged = judge_entry(garbage, 1024);
  EXPECT_FALSE(judged.entry);
  EXPECT_EQ(judged.rejected, "invalid");
  EXPECT_EQ(judged.problem, "shared cache entry: unknown format (expected the HCE2 header)");

  redis::BoundedValue list;
  list.wrong_type = true;
  EXPECT_EQ(judge_entry(list, 1024).rejected, "invalid");
  EXPECT_FALSE(list.missing());
  EXPECT_TRUE(redis::BoundedValue{}.missing());
}

TEST(RedisStoreInstanceId, IsUniquePerCall) {
  EXPECT_NE(make_instance_id(), make_instance_id());
  EXPECT_FALSE(make_instance_id().empty());
}

} // namespace
} // namespace homectl::daemon
