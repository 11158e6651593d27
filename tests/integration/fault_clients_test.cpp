// Fault injection from the client side against the real `homectl serve`:
// thousands of idle connections, many slowloris clients at once, clients that
// never read their answers, and binary garbage on many sockets. Each time the
// daemon must keep serving everyone else, log what happened without a log
// storm, and show it in /metrics.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/process_probe.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <sstream>
#include <thread>

namespace homectl::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view k_live = "GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n";

// How often `needle` occurs in `text`.
// A daemon with two cached sources on a fake upstream: "small" (a few bytes)
// and "big" (2 MiB), both fetched once and then served from memory.
class FaultClients : public ::testing::Test {
protected:
  static constexpr std::size_t k_big_size = std::size_t{2} << 20;

  void start(json server) {
    upstream.on("/small", {FakeResponse::json(R"({"temperature":21.5})")});
    upstream.on("/big",
                {FakeResponse::json("{\"blob\":\"" + std::string(k_big_size, 'x') + "\"}")});
    const json policy = {{"ttl", "1h"}, {"refresh", "off"}, {"timeout", "5s"}, {"retries", 0}};
    json small = policy;
    small["url"] = upstream.url("/small");
    json big = policy;
    big["url"] = upstream.url("/big");
    big["max_size"] = "8MiB";
    daemon = std::make_unique<DaemonProcess>(
        json{{"server", std::move(server)}, {"sources", {{"small", small}, {"big", big}}}});
    ASSERT_TRUE(daemon->start()) << daemon->output();
    // Fill the cache, so every later answer is a plain hit.
    const auto warm = request(daemon->port(), "GET", "/v1/sources/small");
    ASSERT_TRUE(warm && warm->status == 200) << daemon->output();
  }

  // One request for the small source on a new connection; true when it is answered 200 in time.
  bool served() const {
    const auto r = request(daemon->port(), "GET", "/v1/sources/small", {}, {}, 5s);
    return r && r->status == 200 && r->body == R"({"temperature":21.5})";
  }

  std::string metrics() const {
    const auto r = request(daemon->port(), "GET", "/metrics");
    return r && r->status == 200 ? r->body : std::string();
  }
  double metric(std::string_view name,
                const std::vector<std::pair<std::string, std::string>>& labels = {}) const {
    return metric_value(metrics(), name, labels).value_or(-1);
  }
  int daemon_fds() const { return open_fds(daemon->pid()).value_or(-1); }

  FakeUpstream upstream;
  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(FaultClients, TwoThousandIdleConnectionsDoNotStopServiceAndAreClosedWhenIdle) {
  constexpr int k_idle = 2000;
  // Both ends need a descriptor per connection: the child inherits this limit.
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_max < 2200) {
    GTEST_SKIP() << "needs an open-file limit of at least 2200 (hard limit is " << limit.rlim_max
                 << "; raise it with ulimit -Hn)";
  }
  start({{"idle_timeout", "6s"}, {"header_timeout", "6s"}, {"max_connections", 4096}});
  const int baseline = daemon_fds();
  ASSERT_GT(baseline, 0);

  // Each connection asks once, gets its answer and then stays open, quiet.
  std::vector<RawConnection> idle;
  idle.reserve(k_idle);
  for (int i = 0; i < k_idle; ++i) {
    idle.emplace_back(daemon->port());
    ASSERT_TRUE(idle.back().ok()) << "connection " << i << " failed";
    ASSERT_TRUE(idle.back().send(k_live));
  }
  for (auto& connection : idle) {
    const auto r = connection.read_response(10s);
    ASSERT_TRUE(r) << daemon->output();
    ASSERT_EQ(r->status, 200);
  }
  const auto opened = Clock::now();
  // (Give or take the warm-up connection, which may be closing meanwhile.)
  EXPECT_GE(daemon_fds(), baseline + k_idle - 1);
  // The /metrics request's own connection is open too.
  EXPECT_GE(metric("homectl_http_connections"), k_idle + 1);

  // New clients are served as usual while the idle ones are held open.
  auto slowest = Clock::duration::zero();
  for (int i = 0; i < 50; ++i) {
    const auto begin = Clock::now();
    ASSERT_TRUE(served()) << "request " << i << " with " << k_idle << " idle connections open";
    slowest = std::max(slowest, Clock::now() - begin);
  }
  std::cout << "slowest of 50 requests beside " << k_idle
            << " idle connections: " << std::chrono::duration<double, std::milli>(slowest).count()
            << " ms\n";
  EXPECT_LT(Clock::now() - opened, 6s) << "the idle timeout may have closed connections already";

  // server.idle_timeout closes every one of them.
  int closed = 0;
  const auto deadline = Clock::now() + 30s;
  for (auto& connection : idle) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    closed += connection.wait_closed(std::max(left, 0ms)) ? 1 : 0;
  }
  EXPECT_EQ(closed, k_idle);
  idle.clear();
  EXPECT_TRUE(poll_until([&] { return daemon_fds() <= baseline; }, 10s))
      << "descriptors: " << daemon_fds() << " now, " << baseline << " before";

  const auto page = metrics();
  EXPECT_GE(
      metric_value(page, "homectl_http_connection_timeouts_total", {{"phase", "idle"}}).value_or(0),
      k_idle);
  EXPECT_GE(metric_value(page, "homectl_http_connections_accepted_total").value_or(0), k_idle);
  EXPECT_EQ(metric_value(page, "homectl_http_connections"), 1);
  EXPECT_EQ(metric_value(page, "homectl_http_connections_refused_total"), 0);
  // Idle keep-alive connections closing is routine: no line per connection.
  EXPECT_LT(occurrences(daemon->output(), "\n"), 50u) << daemon->output();
  EXPECT_FALSE(daemon->wait_exit(0ms));
}

TEST_F(FaultClients, ManySlowlorisClientsAreCutOffWhileOthersAreServed) {
  constexpr int k_slow = 300;
  start({{"header_timeout", "2s"}, {"idle_timeout", "30s"}, {"max_connections", 1000}});
  const int baseline = daemon_fds();

  std::vector<RawConnection> slow;
  for (int i = 0; i < k_slow; ++i) {
    slow.emplace_back(daemon->port());
    ASSERT_TRUE(slow.back().ok());
  }
  // Every slow client sends one more header byte every 100 ms; the header
  // never completes. A real client is served between the rounds.
  const std::string header = "GET /live HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
  std::vector<bool> cut_off(k_slow, false);
  int open = k_slow;
  int served_ok = 0;
  int rounds = 0;
  const auto deadline = Clock::now() + 20s;
  while (open > 0 && Clock::now() < deadline) {
    const char byte = rounds < static_cast<int>(header.size()) ? header[rounds] : 'a';
    ++rounds;
    for (int i = 0; i < k_slow; ++i) {
      if (cut_off[i]) {
        continue;
      }
      if (!slow[i].send(std::string_view(&byte, 1)) || slow[i].wait_closed(0ms)) {
        cut_off[i] = true;
        --open;
      }
    }
    ASSERT_TRUE(served()) << "a normal request failed beside " << open << " slowloris clients";
    ++served_ok;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(open, 0) << "slowloris clients still connected after " << rounds << " rounds";
  EXPECT_GT(served_ok, 5);
  slow.clear();
  EXPECT_TRUE(poll_until([&] { return daemon_fds() <= baseline; }, 10s))
      << "descriptors: " << daemon_fds() << " now, " << baseline << " before";

  EXPECT_GE(metric("homectl_http_connection_timeouts_total", {{"phase", "header"}}), k_slow);
  // One paced line says what happened, not one line per client.
  ASSERT_TRUE(daemon->wait_for_output("\"msg\":\"slow client disconnected\"", 5s))
      << daemon->output();
  const auto out = daemon->output();
  EXPECT_NE(out.find("\"phase\":\"header\""), std::string::npos) << out;
  EXPECT_LE(occurrences(out, "slow client disconnected"), 6u) << out;
  EXPECT_FALSE(daemon->wait_exit(0ms));
}

TEST_F(FaultClients, ClientThatNeverReadsIsDroppedByTheWriteDeadline) {
  constexpr int k_readers = 4;
  constexpr int k_pipelined = 50;
  start({{"header_timeout", "5s"}, {"idle_timeout", "30s"}, {"write_timeout", "2s"}});
  const auto big = request(daemon->port(), "GET", "/v1/sources/big", {}, {}, 10s);
  ASSERT_TRUE(big) << daemon->output();
  ASSERT_EQ(big->status, 200) << big->body;
  ASSERT_GT(big->body.size(), k_big_size);
  const auto rss_before = rss_kib(daemon->pid()).value_or(0);
  ASSERT_GT(rss_before, 0);

  // Each asks for the 2 MiB answer 50 times in one go and reads nothing: the
  // socket buffers fill after a few answers and the daemon's write stalls.
  std::string pipelined;
  for (int i = 0; i < k_pipelined; ++i) {
    pipelined += "GET /v1/sources/big HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }
  std::vector<RawConnection> stalled;
  for (int i = 0; i < k_readers; ++i) {
    stalled.emplace_back(daemon->port());
    ASSERT_TRUE(stalled.back().ok());
    ASSERT_TRUE(stalled.back().send(pipelined));
  }

  // Meanwhile everyone else is served, and memory stays put: the body is
  // shared and at most one answer per connection is being written.
  std::int64_t rss_peak = rss_before;
  int served_ok = 0;
  const bool dropped = poll_until(
      [&] {
        EXPECT_TRUE(served());
        ++served_ok;
        rss_peak = std::max(rss_peak, rss_kib(daemon->pid()).value_or(0));
        return metric("homectl_http_connection_timeouts_total", {{"phase", "write"}}) >= k_readers;
      },
      30s);
  EXPECT_TRUE(dropped) << daemon->output();
  EXPECT_GT(served_ok, 5);
  std::cout << "RSS " << rss_before << " KiB before, peak " << rss_peak << " KiB with " << k_readers
            << " stalled readers\n";
  // Queuing the unread answers would take 4 x 50 x 2 MiB. Under
  // AddressSanitizer freed memory stays resident in its quarantine, so RSS
  // says nothing about what the daemon holds on to.
  if (!daemon_is_sanitized()) {
    EXPECT_LT(rss_peak - rss_before, 64 * 1024) << "memory grew with unread answers (KiB)";
  }

  // The stalled clients find their connections closed after the answers that fit.
  for (auto& connection : stalled) {
    EXPECT_TRUE(connection.wait_closed(10s));
  }
  EXPECT_TRUE(poll_until([&] { return metric("homectl_http_connections") == 1; }, 10s));
  ASSERT_TRUE(daemon->wait_for_output("\"phase\":\"write\"", 5s)) << daemon->output();
  EXPECT_FALSE(daemon->wait_exit(0ms));
}

// Sums the samples of `name` whose labels contain every one of `labels`.
double sum_series(const std::string& page, std::string_view name,
                  std::initializer_list<std::string_view> labels) {
  double total = 0;
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with(std::string(name) + "{")) {
      continue;
    }
    const auto labels_end = line.find('}');
    const auto label_text = line.substr(0, labels_end);
    if (std::all_of(labels.begin(), labels.end(), [&](std::string_view label) {
          return label_text.find(label) != std::string::npos;
        })) {
      total += std::stod(line.substr(labels_end + 2));
    }
  }
  return total;
}

TEST_F(FaultClients, SlowButSteadyReaderGetsEveryAnswerPastTheWriteTimeout) {
  // 8 pipelined 2 MiB answers read at 4 MB/s take 4 s, twice the write
  // timeout; the client keeps taking data, so it is served. (The daemon sees
  // progress whenever the kernel frees half of its send buffer, a few MB at
  // most: every half second or so at this rate.)
  constexpr int k_answers = 8;
  constexpr double k_bytes_per_second = 4e6;
  start({{"write_timeout", "2s"}, {"idle_timeout", "30s"}});
  const auto big = request(daemon->port(), "GET", "/v1/sources/big", {}, {}, 10s);
  ASSERT_TRUE(big && big->status == 200) << daemon->output();
  const double timeouts_before =
      metric("homectl_http_connection_timeouts_total", {{"phase", "write"}});

  RawConnection reader(daemon->port());
  ASSERT_TRUE(reader.ok());
  std::string pipelined;
  for (int i = 0; i < k_answers; ++i) {
    pipelined += "GET /v1/sources/big HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }
  ASSERT_TRUE(reader.send(pipelined));
  std::string received;
  const auto started = Clock::now();
  const auto deadline = started + 60s;
  while (received.size() < k_answers * big->body.size() && Clock::now() < deadline) {
    const auto chunk = reader.read_some(5s);
    if (chunk.empty()) {
      break; // closed, or nothing for 5 s
    }
    received += chunk;
    std::this_thread::sleep_until(
        started + std::chrono::microseconds(static_cast<long long>(
                      static_cast<double>(received.size()) / k_bytes_per_second * 1e6)));
  }
  const auto took = Clock::now() - started;
  EXPECT_EQ(occurrences(received, "HTTP/1.1 200 OK"), static_cast<std::size_t>(k_answers));
  EXPECT_GE(received.size(), k_answers * big->body.size()) << "answers cut short";
  EXPECT_GT(took, 2s) << "the transfer must outlast the write timeout to prove anything";
  EXPECT_EQ(metric("homectl_http_connection_timeouts_total", {{"phase", "write"}}), timeouts_before)
      << daemon->output();
}

TEST_F(FaultClients, RandomBytesOnManySocketsAtOnce) {
  constexpr int k_threads = 8;
  constexpr int k_batches = 10;
  constexpr int k_batch = 25; // sockets open at once per thread
  start({{"header_timeout", "2s"}, {"idle_timeout", "5s"}, {"max_connections", 1000}});
  const int baseline = daemon_fds();

  std::atomic<int> refused{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> attackers;
  for (int t = 0; t < k_threads; ++t) {
    attackers.emplace_back([&, t] {
      std::mt19937 random(20261126 + t);
      for (int batch = 0; batch < k_batches; ++batch) {
        std::vector<RawConnection> sockets;
        for (int i = 0; i < k_batch; ++i) {
          sockets.emplace_back(daemon->port());
          if (!sockets.back().ok()) {
            ++refused;
            continue;
          }
          // Noise, sometimes behind a plausible request line.
          std::string noise(1 + random() % 2048, '\0');
          for (auto& ch : noise) {
            ch = static_cast<char>(random() % 256);
          }
          if (random() % 3 == 0) {
            noise = "GET /v1/sources/small HTTP/1.1\r\n" + noise;
          }
          sockets.back().send(noise);
        }
        for (auto& socket : sockets) {
          socket.read_some(5ms);
        }
      }
    });
  }
  // A well-behaved client is served the whole time.
  int served_ok = 0;
  int attempts = 0;
  std::thread client([&] {
    while (!done.load()) {
      ++attempts;
      served_ok += served() ? 1 : 0;
      std::this_thread::sleep_for(10ms);
    }
  });
  for (auto& attacker : attackers) {
    attacker.join();
  }
  done = true;
  client.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(served_ok, attempts);
  EXPECT_GT(attempts, 0);

  EXPECT_TRUE(served()) << daemon->output();
  // Garbage is answered 400 (or cut off by the header timeout) and every
  // socket is closed again.
  EXPECT_TRUE(poll_until([&] { return metric("homectl_http_connections") == 1; }, 15s));
  EXPECT_TRUE(poll_until([&] { return daemon_fds() <= baseline; }, 10s))
      << "descriptors: " << daemon_fds() << " now, " << baseline << " before";
  const auto page = metrics();
  EXPECT_GT(
      sum_series(page, "homectl_http_requests_total", {"route=\"unmatched\"", "code=\"400\""}), 0)
      << page;
  EXPECT_GE(metric_value(page, "homectl_http_connections_accepted_total").value_or(0),
            k_threads * k_batches * k_batch);
  EXPECT_TRUE(daemon->wait_for_output("\"status\":400", 5s));
  EXPECT_FALSE(daemon->wait_exit(0ms));
}

} // namespace
} // namespace homectl::test
