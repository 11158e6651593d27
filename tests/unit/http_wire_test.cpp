#include "homectl/http/wire.hpp"

#include <gtest/gtest.h>

namespace homectl::http {
namespace {

std::string without_date(std::string head) {
  const auto start = head.find("Date: ");
  const auto end = head.find("\r\n", start);
  head.erase(start, end + 2 - start);
  return head;
}

TEST(Wire, FormatsStatusHeadersAndLength) {
  auto r = Response::text(200, "ok\n");
  EXPECT_EQ(without_date(format_head(r, 3, true)),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 3\r\n\r\n");
  EXPECT_EQ(without_date(format_head(r, 3, false)),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 3\r\nConnection: close\r\n\r\n");
}

TEST(Wire, FormatIntoAReusedBufferReplacesItsContents) {
  std::string head = "left over from a much longer earlier response head";
  auto large = Response::text(404, std::string(300, 'x'));
  large.set_header("X-Long", std::string(200, 'v'));
  format_head_into(head, large, 300, true);
  EXPECT_EQ(without_date(head), without_date(format_head(large, 300, true)));
  const auto capacity = head.capacity();
  const auto small = Response::text(200, "ok\n");
  format_head_into(head, small, 3, false);
  EXPECT_EQ(without_date(head), without_date(format_head(small, 3, false)));
  EXPECT_EQ(head.capacity(), capacity) << "the buffer is reused, not reallocated";
}

TEST(Wire, DropsHeadersThatWouldSplitTheResponseOrFightTheFraming) {
  Response r;
  r.status = 304;
  r.headers = {{"X-Evil", "a\r\nSet-Cookie: x=1"},
               {"Bad Name", "v"},
               {"Content-Length", "99"},
               {"ETag", "\"abc\""}};
  EXPECT_EQ(without_date(format_head(r, 0, true, Framing::none)),
            "HTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\n\r\n");
}

TEST(Wire, ChunkedFramingAndChunks) {
  Response r;
  r.headers = {{"Content-Type", "text/event-stream"}};
  EXPECT_EQ(without_date(format_head(r, 0, false, Framing::chunked)),
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(format_chunk("data: x\n\n"), "9\r\ndata: x\n\n\r\n");
  EXPECT_EQ(format_chunk(std::string(26, 'a')).substr(0, 4), "1a\r\n");
  EXPECT_EQ(format_chunk({}), "0\r\n\r\n");
}

TEST(Wire, HttpDateIsImfFixdate) {
  EXPECT_EQ(http_date(std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))),
            "Fri, 15 Jan 2027 08:00:00 GMT");
}

TEST(Wire, HeaderValidation) {
  EXPECT_TRUE(is_valid_header("X-Ok", "fine value"));
  EXPECT_FALSE(is_valid_header("", "v"));
  EXPECT_FALSE(is_valid_header("X:Y", "v"));
  EXPECT_FALSE(is_valid_header("X", std::string("a\0b", 3)));
}

// Values are checked eight bytes at a time: a forbidden byte must be found at
// every position and length, and allowed bytes (tab, other controls, UTF-8)
// must never be mistaken for one.
TEST(Wire, HeaderValueCheckFindsCrLfNulAtEveryPosition) {
  for (std::size_t length = 1; length <= 40; ++length) {
    const std::string fine(length, 'a');
    EXPECT_TRUE(is_valid_header("X", fine)) << length;
    for (std::size_t at = 0; at < length; ++at) {
      for (const char bad : {'\r', '\n', '\0'}) {
        std::string value = fine;
        value[at] = bad;
        EXPECT_FALSE(is_valid_header("X", value)) << "length " << length << " at " << at;
      }
    }
  }
  EXPECT_TRUE(is_valid_header("X", "\t\x01\x0b\x0c\x0e\x1f tab and controls \xc3\xa9\xff\x80"));
  EXPECT_TRUE(is_valid_header("X", std::string(32, '\x0d' + 1)));
}

} // namespace
} // namespace homectl::http
