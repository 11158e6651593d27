#include "homectl/http/response_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace homectl::http {
namespace {

using Progress = ResponseReader::Progress;

constexpr std::size_t k_body = 1024;

// Feeds `bytes` as a socket would, at most `step` bytes per read, until the
// reader stops asking; counts what it took.
struct Fed {
  Progress progress = Progress::need_more;
  std::size_t taken = 0;
};
Fed feed(ResponseReader& reader, std::string_view bytes, std::size_t step = 4096) {
  Fed fed;
  fed.progress = reader.parse();
  while (fed.progress == Progress::need_more && !bytes.empty()) {
    const auto room = reader.prepare();
    EXPECT_GT(room.size(), 0U);
    const std::size_t n = std::min({room.size(), bytes.size(), step});
    std::memcpy(room.data(), bytes.data(), n);
    reader.commit(n);
    bytes.remove_prefix(n);
    fed.taken += n;
    fed.progress = reader.parse();
  }
  return fed;
}

struct Outcome {
  Progress progress = Progress::need_more;
  ResponseReader::Failure failure;
  int status = 0;
  std::string body;
  std::size_t taken = 0;
};
Outcome read_one(std::string_view bytes, std::size_t step = 4096, bool head = false) {
  ResponseReader reader;
  reader.start(k_body, head);
  const auto fed = feed(reader, bytes, step);
  Outcome out;
  out.progress = fed.progress;
  out.taken = fed.taken;
  out.failure = reader.failure();
  if (out.progress == Progress::complete) {
    out.status = static_cast<int>(reader.message().result_int());
    out.body = reader.message().body();
  }
  return out;
}

const std::string k_chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(ResponseReader, ReadsAResponseByteByByte) {
  const auto r = read_one("HTTP/1.1 203 OK\r\nContent-Length: 5\r\n\r\nhello", 1);
  ASSERT_EQ(r.progress, Progress::complete);
  EXPECT_EQ(r.status, 203);
  EXPECT_EQ(r.body, "hello");
}

TEST(ResponseReader, ReadsChunksWithShortExtensionsAndTrailers) {
  const auto r = read_one(k_chunked + "3;name=value\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n", 7);
  ASSERT_EQ(r.progress, Progress::complete) << r.failure.message;
  EXPECT_EQ(r.body, "abcde");
}

TEST(ResponseReader, AHeadAnswerEndsWithItsHeader) {
  const auto r = read_one("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 4096, true);
  ASSERT_EQ(r.progress, Progress::complete);
  EXPECT_EQ(r.body, "");
}

TEST(ResponseReader, AnEndlessHeaderIsTooLarge) {
  const auto r = read_one("HTTP/1.1 200 OK\r\nX-Endless: " + std::string(200'000, 'a'));
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.error, ClientError::too_large);
  EXPECT_EQ(r.failure.message, "response header exceeds 64KiB");
  EXPECT_LE(r.taken, ResponseReader::k_header_limit + 64 * 1024);
}

TEST(ResponseReader, ABodyOverTheLimitIsTooLarge) {
  const auto r =
      read_one("HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n" + std::string(1025, 'b'));
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.error, ClientError::too_large);
  EXPECT_EQ(r.failure.message, "body exceeds 1KiB");
  const auto chunked = read_one(k_chunked + "401\r\n" + std::string(1025, 'b') + "\r\n0\r\n\r\n");
  ASSERT_EQ(chunked.progress, Progress::failed);
  EXPECT_EQ(chunked.failure.message, "body exceeds 1KiB");
}

TEST(ResponseReader, AnEndlessChunkExtensionIsTooLargeAfterAFewKiB) {
  const auto r = read_one(k_chunked + "1;x=" + std::string(1'000'000, 'a'), 512);
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.error, ClientError::too_large);
  EXPECT_EQ(r.failure.message, "a chunk-size line or trailer section exceeds 4KiB");
  EXPECT_LE(r.taken, k_chunked.size() + ResponseReader::k_framing_allowance + 512);
}

TEST(ResponseReader, AnEndlessTrailerSectionIsTooLargeAfterAFewKiB) {
  const auto r = read_one(k_chunked + "1\r\nx\r\n0\r\nX-T: " + std::string(1'000'000, 'a'));
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.message, "a chunk-size line or trailer section exceeds 4KiB");
  EXPECT_LE(r.taken, k_chunked.size() + ResponseReader::k_framing_allowance + 4096 + 16);
}

TEST(ResponseReader, FramingAroundATrickleOfBodyStopsAtTheWireLimit) {
  std::string chunks = k_chunked;
  const std::string one = "1;x=" + std::string(3000, 'e') + "\r\nb\r\n";
  while (chunks.size() < 1'000'000) {
    chunks += one;
  }
  ResponseReader reader;
  reader.start(k_body, false);
  const auto fed = feed(reader, chunks);
  ASSERT_EQ(fed.progress, Progress::failed);
  EXPECT_EQ(reader.failure().error, ClientError::too_large);
  EXPECT_EQ(reader.failure().message,
            "response exceeds the body limit 1KiB + 64KiB of header + 4KiB of chunk framing");
  EXPECT_EQ(reader.limit(),
            k_body + ResponseReader::k_header_limit + ResponseReader::k_framing_allowance);
  EXPECT_LE(fed.taken, reader.limit()) << "read past the limit";
}

TEST(ResponseReader, PrepareNeverOffersMoreThanTheResponseMayStillTake) {
  ResponseReader reader;
  reader.start(k_body, false);
  const auto room = reader.prepare();
  EXPECT_LE(room.size(), reader.limit());
  EXPECT_GT(room.size(), 0U);
}

TEST(ResponseReader, GarbageIsAProtocolError) {
  const auto r = read_one("SPLAT 2OO maybe\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.error, ClientError::protocol);
  EXPECT_EQ(r.failure.message.rfind("read: invalid HTTP response (", 0), 0U) << r.failure.message;
}

TEST(ResponseReader, TheEndOfTheStreamEndsACloseDelimitedBody) {
  ResponseReader reader;
  reader.start(k_body, false);
  ASSERT_EQ(feed(reader, "HTTP/1.1 200 OK\r\n\r\nuntil the end").progress, Progress::need_more);
  ASSERT_EQ(reader.end_of_stream(), Progress::complete);
  EXPECT_EQ(reader.message().body(), "until the end");
}

TEST(ResponseReader, TheEndOfTheStreamMidBodyOrBeforeAnyByteFails) {
  ResponseReader cut;
  cut.start(k_body, false);
  feed(cut, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
  ASSERT_EQ(cut.end_of_stream(), Progress::failed);
  EXPECT_EQ(cut.failure().error, ClientError::protocol);
  EXPECT_EQ(cut.failure().message, "read: invalid HTTP response (partial message)");

  ResponseReader empty;
  empty.start(k_body, false);
  ASSERT_EQ(empty.end_of_stream(), Progress::failed);
  EXPECT_EQ(empty.failure().message, "read: connection closed before a response");
}

TEST(ResponseReader, BytesBeyondTheResponseAreLeftBuffered) {
  ResponseReader reader;
  reader.start(k_body, false);
  ASSERT_EQ(feed(reader, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1").progress,
            Progress::complete);
  EXPECT_TRUE(reader.buffered());
}

} // namespace
} // namespace homectl::http
