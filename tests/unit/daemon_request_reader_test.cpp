#include "homectl/daemon/request_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace homectl::daemon {
namespace {

using Progress = RequestReader::Progress;

constexpr std::size_t k_header = 16 * 1024;
constexpr std::size_t k_body = 64 * 1024;

// Feeds `bytes` as a socket would, at most `step` bytes per read, until the
// reader stops asking; `bytes` keeps what it did not take.
Progress feed(RequestReader& reader, std::string_view& bytes, std::size_t step = 4096) {
  auto progress = reader.parse();
  while (progress == Progress::need_more && !bytes.empty()) {
    const auto room = reader.prepare();
    EXPECT_GT(room.size(), 0U);
    const std::size_t n = std::min({room.size(), bytes.size(), step});
    std::memcpy(room.data(), bytes.data(), n);
    reader.commit(n);
    bytes.remove_prefix(n);
    progress = reader.parse();
  }
  return progress;
}

// What a fresh connection makes of `bytes`.
struct Outcome {
  Progress progress = Progress::need_more;
  RequestReader::Failure failure;
  std::string target;
  std::string body;
};
Outcome read_one(std::string_view bytes, std::size_t step = 4096) {
  RequestReader reader;
  reader.start(k_header, k_body);
  Outcome out;
  out.progress = feed(reader, bytes, step);
  out.failure = reader.failure();
  if (out.progress == Progress::complete) {
    out.target = std::string(reader.message().target());
    out.body = reader.message().body();
  }
  return out;
}

TEST(RequestReader, ReadsARequestByteByByte) {
  const auto r = read_one("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n", 1);
  ASSERT_EQ(r.progress, Progress::complete);
  EXPECT_EQ(r.target, "/live");
}

TEST(RequestReader, LeavesAPipelinedRequestForTheNextStart) {
  RequestReader reader;
  std::string_view bytes = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  reader.start(k_header, k_body);
  ASSERT_EQ(feed(reader, bytes), Progress::complete);
  EXPECT_EQ(reader.message().target(), "/a");
  EXPECT_TRUE(reader.buffered());
  reader.start(k_header, k_body);
  ASSERT_EQ(feed(reader, bytes), Progress::complete);
  EXPECT_EQ(reader.message().target(), "/b");
}

TEST(RequestReader, AssemblesAChunkedBodyWithExtensionsAndTrailers) {
  const auto r = read_one("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3;a=b\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 1\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::complete);
  EXPECT_EQ(r.body, "abcde");
}

TEST(RequestReader, RefusesAnEndlessChunkExtensionWithin413) {
  RequestReader reader;
  const std::string bytes = "POST /live HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "1;x=" +
                            std::string(1 << 20, 'a');
  std::string_view rest = bytes;
  reader.start(k_header, k_body);
  ASSERT_EQ(feed(reader, rest), Progress::failed);
  EXPECT_EQ(reader.failure().status, 413);
  EXPECT_EQ(reader.failure().detail,
            "the request exceeds server.max_header_size + server.max_body_size + 4096 bytes of "
            "chunk framing (86016 bytes)");
  // It stopped reading at the limit, not at the end of the input.
  EXPECT_LE(bytes.size() - rest.size(), k_header + k_body + RequestReader::k_framing_allowance);
}

TEST(RequestReader, RefusesAnEndlessTrailerSection) {
  Outcome r;
  std::string bytes = "POST /live HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 20000; ++i) {
    bytes += "X-T: aaaaaaaaaaaa\r\n";
  }
  r = read_one(bytes);
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 413);
}

TEST(RequestReader, CountsChunkFramingAgainstTheLimit) {
  // 1,000 one-byte chunks with 200-byte extensions: a small body, 200 KB on the wire.
  Outcome r;
  std::string bytes = "POST /live HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 1000; ++i) {
    bytes += "1;x=" + std::string(200, 'e') + "\r\na\r\n";
  }
  bytes += "0\r\n\r\n";
  r = read_one(bytes);
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 413);
}

TEST(RequestReader, LimitsHeaderAndBody) {
  Outcome r;
  r = read_one("GET /live HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(k_header, 'a') +
               "\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 431);
  r = read_one("POST /live HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 413);
  r = read_one("POST /live HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
               "10001\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 413);
}

TEST(RequestReader, RefusesFramingItCannotReadSafely) {
  Outcome r;
  for (const auto* framing : {"Transfer-Encoding: gzip\r\n", "Transfer-Encoding: gzip, chunked\r\n",
                              "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                              "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n"}) {
    r = read_one(std::string("POST /live HTTP/1.1\r\nHost: h\r\n") + framing + "\r\nabc");
    ASSERT_EQ(r.progress, Progress::failed) << framing;
    EXPECT_EQ(r.failure.status, 400) << framing;
  }
  r = read_one("POST /live HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.detail, "only \"Transfer-Encoding: chunked\" is supported");
}

TEST(RequestReader, NeedsExactlyOneHostInHttp11) {
  Outcome r;
  r = read_one("GET /live HTTP/1.1\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 400);
  EXPECT_EQ(r.failure.detail, "an HTTP/1.1 request needs a Host header");
  r = read_one("GET /live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.detail, "the request has more than one Host header");
  EXPECT_EQ(read_one("GET /live HTTP/1.0\r\n\r\n").progress, Progress::complete);
}

TEST(RequestReader, MalformedInputIs400) {
  Outcome r;
  r = read_one("GET /live HTTP/1.1\r\nHost: h\r\nBad Header Line\r\n\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 400);
  r = read_one("POST /l HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
               "zz\r\n");
  ASSERT_EQ(r.progress, Progress::failed);
  EXPECT_EQ(r.failure.status, 400);
}

} // namespace
} // namespace homectl::daemon
