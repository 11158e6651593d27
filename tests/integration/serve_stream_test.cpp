// Server-Sent Event plumbing of the session, driven in-process: a streaming
// route on a real loopback listener, read by a raw client.
#include "support/daemon_process.hpp"

#include "homectl/daemon/listener.hpp"
#include "homectl/daemon/server_core.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <thread>

namespace homectl::test {
namespace {

namespace asio = boost::asio;

class InProcessServer {
public:
  InProcessServer() : m_core(std::make_shared<daemon::ServerCore>(config::Config{}, m_clock)) {
    m_core->router.add(
        {.method = http::Method::get,
         .pattern = "/v1/events",
         .handler = [](const http::Request&,
                       const http::RouteParams&) -> asio::awaitable<http::Response> {
           http::Response response;
           response.headers.push_back({"Content-Type", "text/event-stream"});
           response.stream = [](http::EventStream& events) -> asio::awaitable<void> {
             asio::steady_timer timer(co_await asio::this_coro::executor);
             for (int i = 0; !events.closing(); ++i) {
               if (!co_await events.send("event: tick\ndata: " + std::to_string(i) + "\n\n")) {
                 co_return;
               }
               timer.expires_after(std::chrono::milliseconds(10));
               co_await timer.async_wait(asio::use_awaitable);
             }
           };
           co_return response;
         }});
    auto acceptor = daemon::open_listener(m_io.get_executor(), {"127.0.0.1", 0});
    if (!acceptor) {
      throw std::runtime_error(acceptor.error().message);
    }
    m_acceptor.emplace(std::move(*acceptor));
    m_port = m_acceptor->local_endpoint().port();
    asio::co_spawn(m_io, daemon::accept_connections(m_io, *m_acceptor, m_core), asio::detached);
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~InProcessServer() {
    m_io.stop();
    m_thread.join();
  }
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  std::uint16_t port() const { return m_port; }
  daemon::ServerCore& core() { return *m_core; }

private:
  util::SystemClock m_clock;
  asio::io_context m_io;
  std::shared_ptr<daemon::ServerCore> m_core;
  std::optional<asio::ip::tcp::acceptor> m_acceptor;
  std::uint16_t m_port = 0;
  std::thread m_thread;
};

// Reads from `c` until `text` holds `needle` or the deadline passes.
bool read_until(RawConnection& c, std::string& text, std::string_view needle,
                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (text.find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    text += c.read_some(100ms);
  }
  return true;
}

TEST(ServeStream, SendsChunkedEventsAndEndsThemOnDrain) {
  InProcessServer server;
  RawConnection c(server.port());
  ASSERT_TRUE(c.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::string text;
  ASSERT_TRUE(read_until(c, text, "data: 2\n\n", 5s)) << text;
  EXPECT_TRUE(text.starts_with("HTTP/1.1 200 OK\r\n")) << text;
  EXPECT_NE(text.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(text.find("Cache-Control: no-cache\r\n"), std::string::npos);
  EXPECT_NE(text.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(text.find("event: tick\ndata: 0\n\n\r\n"), std::string::npos);
  EXPECT_EQ(server.core().state.streams.load(), 1);

  server.core().state.start_draining();
  ASSERT_TRUE(read_until(c, text, "\r\n0\r\n\r\n", 5s)) << "no last chunk after drain";
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST(ServeStream, ClientLeavingEndsTheStream) {
  InProcessServer server;
  {
    RawConnection c(server.port());
    ASSERT_TRUE(c.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    std::string text;
    ASSERT_TRUE(read_until(c, text, "data: 1\n\n", 5s)) << text;
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server.core().state.streams.load() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server.core().state.streams.load(), 0);
}

TEST(ServeThreads, ManyClientsOnFourThreadsAreAllServed) {
  DaemonProcess daemon(nlohmann::json{{"server", {{"threads", 4}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      RawConnection c(daemon.port());
      for (int i = 0; i < 200; ++i) {
        if (!c.send("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n")) {
          return;
        }
        if (const auto r = c.read_response(); r && r->status == 200) {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 8 * 200);
  // Every answer is counted (the start-up probe was the first); the count is
  // recorded just after the answer is written, so poll briefly.
  const std::string counted =
      "homectl_http_requests_total{route=\"/live\",method=\"GET\",code=\"200\"} 1601";
  bool found = false;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!found && std::chrono::steady_clock::now() < deadline) {
    const auto metrics = request(daemon.port(), "GET", "/metrics");
    found = metrics && metrics->body.find(counted) != std::string::npos;
    if (!found) {
      std::this_thread::sleep_for(20ms);
    }
  }
  EXPECT_TRUE(found);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(10s), 0) << daemon.output();
}

} // namespace
} // namespace homectl::test
