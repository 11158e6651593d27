// Request limits of `homectl serve`: header and body size, slowloris, idle
// keep-alive, max_connections, malformed input, and no crash on garbage.
#include "support/daemon_process.hpp"

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace homectl::test {
namespace {

nlohmann::json limits_config() {
  return {{"server",
           {{"header_timeout", "1s"},
            {"idle_timeout", "2s"},
            {"max_header_size", "8KiB"},
            {"max_body_size", "64KiB"},
            {"max_connections", 8}}}};
}

class ServeLimits : public ::testing::Test {
protected:
  void SetUp() override {
    daemon = std::make_unique<DaemonProcess>(limits_config());
    ASSERT_TRUE(daemon->start()) << daemon->output();
  }
  std::unique_ptr<DaemonProcess> daemon;
};

void expect_problem(const std::optional<HttpResponse>& r, int status) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(r->body)["status"], status);
}

TEST_F(ServeLimits, OversizedHeaderIs431) {
  const auto r = request(daemon->port(), "GET", "/live", {{"X-Big", std::string(16 * 1024, 'a')}});
  expect_problem(r, 431);
}

TEST_F(ServeLimits, TwoMegabyteBodyIs413) {
  const auto r =
      request(daemon->port(), "POST", "/v1/sources/x/refresh", {}, std::string(2 << 20, 'b'));
  expect_problem(r, 413);
}

TEST_F(ServeLimits, MalformedRequestIs400) {
  RawConnection c(daemon->port());
  ASSERT_TRUE(c.send("GET /live HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n"));
  expect_problem(c.read_response(), 400);
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(ServeLimits, LimitsHoldForLaterRequestsOnAKeepAliveConnection) {
  // After the first request a connection parses what it has buffered before
  // reading more: the same limits and errors apply on that path.
  const std::string live = "GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n";
  {
    RawConnection c(daemon->port());
    ASSERT_TRUE(c.send(live));
    ASSERT_EQ(c.read_response()->status, 200);
    ASSERT_TRUE(c.send("GET /live HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n"));
    expect_problem(c.read_response(), 400);
    EXPECT_TRUE(c.wait_closed(5s));
  }
  {
    RawConnection c(daemon->port());
    ASSERT_TRUE(c.send(live));
    ASSERT_EQ(c.read_response()->status, 200);
    ASSERT_TRUE(c.send("GET /live HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                       std::string(16 * 1024, 'a') + "\r\n\r\n"));
    expect_problem(c.read_response(), 431);
  }
  {
    // A request with a body and one after it, in one packet.
    RawConnection c(daemon->port());
    ASSERT_TRUE(c.send(live +
                       "POST /v1/sources/x/refresh HTTP/1.1\r\nHost: localhost\r\n"
                       "Content-Length: 5\r\n\r\nhello" +
                       live));
    ASSERT_EQ(c.read_response()->status, 200);
    const auto refresh = c.read_response();
    ASSERT_TRUE(refresh);
    EXPECT_EQ(refresh->status, 404) << refresh->body; // no source "x"
    const auto last = c.read_response();
    ASSERT_TRUE(last);
    EXPECT_EQ(last->status, 200);
    EXPECT_EQ(last->body, "ok\n");
  }
}

TEST_F(ServeLimits, SlowlorisIsDisconnectedWhileOthersAreServed) {
  RawConnection slow(daemon->port());
  ASSERT_TRUE(slow.ok());
  const std::string text =
      "GET /live HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n";
  // One byte every 300 ms; the 1 s header timeout must cut it off long
  // before the whole header has been sent.
  std::size_t sent = 0;
  bool closed = false;
  for (char byte : text) {
    if (!slow.send(std::string_view(&byte, 1)) || slow.wait_closed(300ms)) {
      closed = true;
      break;
    }
    ++sent;
    // Another client is served normally meanwhile.
    const auto other = request(daemon->port(), "GET", "/live");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200);
  }
  EXPECT_TRUE(closed) << "slow client was never disconnected";
  EXPECT_LT(sent, text.size() / 2);
}

TEST_F(ServeLimits, IdleKeepAliveConnectionIsClosed) {
  RawConnection c(daemon->port());
  ASSERT_TRUE(c.send("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_TRUE(c.read_response());
  EXPECT_TRUE(c.wait_closed(10s));
}

TEST_F(ServeLimits, ExcessConnectionsGet503AtOnce) {
  std::vector<RawConnection> held;
  for (int i = 0; i < 8; ++i) {
    held.emplace_back(daemon->port());
    ASSERT_TRUE(held.back().ok());
    // Each connection is accepted and counted before the next one.
    ASSERT_TRUE(held.back().send("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    ASSERT_TRUE(held.back().read_response());
  }
  RawConnection extra(daemon->port());
  ASSERT_TRUE(extra.ok());
  const auto r = extra.read_response(5s);
  expect_problem(r, 503);
  EXPECT_EQ(r->header("Retry-After"), "1");
  EXPECT_TRUE(extra.wait_closed(5s));
  held.clear();
  // Capacity comes back once the held connections close.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    const auto again = request(daemon->port(), "GET", "/live");
    served = again && again->status == 200;
    if (!served) {
      std::this_thread::sleep_for(20ms);
    }
  }
  EXPECT_TRUE(served);
}

TEST_F(ServeLimits, RandomAndTruncatedRequestsNeverCrashIt) {
  std::mt19937 random(20261126);
  const std::vector<std::string> seeds = {
      "GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n",
      "POST /v1/sources/a/refresh HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
      "GET /v1/sources/%zz HTTP/1.1\r\nHost: localhost\r\n\r\n",
      "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "GET http://example/live?x=1 HTTP/1.1\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\n\r\n"};
  for (int i = 0; i < 2000; ++i) {
    std::string text = seeds[random() % seeds.size()];
    switch (random() % 4) {
    case 0: // truncated
      text.resize(random() % text.size());
      break;
    case 1: // a few bytes flipped
      for (int k = 0; k < 3; ++k) {
        text[random() % text.size()] = static_cast<char>(random() % 256);
      }
      break;
    case 2: // pure noise
      text.assign(random() % 300, '\0');
      for (auto& ch : text) {
        ch = static_cast<char>(random() % 256);
      }
      break;
    default: // valid, pipelined twice
      text += text;
      break;
    }
    RawConnection c(daemon->port());
    ASSERT_TRUE(c.ok()) << "connection refused after " << i << " requests: " << daemon->output();
    c.send(text);
    // Don't wait for answers to garbage that never completes; the server may keep it open.
    c.read_some(i % 50 == 0 ? 200ms : 1ms);
  }
  const auto r = request(daemon->port(), "GET", "/live");
  ASSERT_TRUE(r) << daemon->output();
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(daemon->wait_exit(0ms)) << daemon->output();
}

} // namespace
} // namespace homectl::test
