// A log reader that stops reading: `homectl serve > fifo` with nobody
// reading the FIFO and every request access-logged. The daemon must go on
// answering at once, drop the log records it cannot hand on, count them, and
// say how many it lost once the reader is back.
#include "support/daemon_process.hpp"
#include "support/observe.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <sstream>
#include <thread>

namespace homectl::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Reads whatever is in the (non-blocking) FIFO now.
void read_available(int fd, std::string& into) {
  char buf[65536];
  for (auto n = ::read(fd, buf, sizeof buf); n > 0; n = ::read(fd, buf, sizeof buf)) {
    into.append(buf, static_cast<std::size_t>(n));
  }
}

// The keep-alive clients' view: answers, failures and the slowest answer.
struct Tally {
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  std::atomic<int> over_100ms{0};
  std::mutex mutex;
  Clock::duration slowest{};

  void note(Clock::duration took) {
    if (took > std::chrono::milliseconds(100)) {
      ++over_100ms;
    }
    std::lock_guard lock(mutex);
    slowest = std::max(slowest, took);
  }
  double slowest_ms() {
    std::lock_guard lock(mutex);
    return std::chrono::duration<double, std::milli>(slowest).count();
  }
};

// `count` GET /live requests on one keep-alive connection, each timed.
void ask_live(std::uint16_t port, int count, Tally& tally) {
  const std::string text = "GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n";
  RawConnection connection(port);
  for (int i = 0; i < count; ++i) {
    const auto started = Clock::now();
    // A generous bound: a daemon that waits for its log never answers.
    const auto r = connection.send(text) ? connection.read_response(2s) : std::nullopt;
    if (!r || r->status != 200) {
      ++tally.failed;
      return;
    }
    tally.note(Clock::now() - started);
    ++tally.answered;
  }
}

TEST(HostileLog, AStdoutNobodyReadsCostsLogRecordsNotAnswers) {
  constexpr int k_requests = 10000;
  constexpr int k_connections = 4;
  DaemonProcess daemon(json{{"log", {{"access", "all"}}}});
  const auto fifo = daemon.dir() + "/stdout.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Held open for reading (so the daemon can open it) and not read until the
  // load is over.
  const int held = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(held, 0);
  daemon.set_stdout_path(fifo);
  ASSERT_TRUE(daemon.start()) << daemon.output();

  Tally tally;
  const auto started = Clock::now();
  std::vector<std::thread> clients;
  for (int i = 0; i < k_connections; ++i) {
    clients.emplace_back([&] { ask_live(daemon.port(), k_requests / k_connections, tally); });
  }
  for (auto& client : clients) {
    client.join();
  }
  const double took_s = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << k_requests << " requests to /live in " << took_s
            << " s with the log reader stalled; slowest answer " << tally.slowest_ms() << " ms, "
            << tally.over_100ms.load() << " over 100 ms\n";
  EXPECT_EQ(tally.failed.load(), 0) << daemon.output();
  EXPECT_EQ(tally.answered.load(), k_requests);
  EXPECT_LT(tally.slowest_ms(), 1000.0);

  // The reader really was stalled: the pipe is full (up to the unused tails
  // of its pages, each too short for the next line).
  int waiting = 0;
  ASSERT_EQ(::ioctl(held, FIONREAD, &waiting), 0);
  const int capacity = ::fcntl(held, F_GETPIPE_SZ);
  std::cout << "bytes waiting in the FIFO: " << waiting << " of " << capacity << "\n";
  EXPECT_GT(waiting, capacity / 4 * 3);

  const auto metrics = request(daemon.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics) << daemon.output();
  const auto dropped = metric_value(metrics->body, "homectl_log_records_dropped_total");
  ASSERT_TRUE(dropped) << metrics->body;
  EXPECT_GT(*dropped, 0);
  EXPECT_NE(metrics->body.find("# HELP homectl_log_records_dropped_total "), std::string::npos);

  // The reader comes back: everything queued comes out, then one line says
  // how many records were lost.
  std::string text;
  const auto deadline = Clock::now() + 20s;
  while (text.find("\"msg\":\"log records dropped\"") == std::string::npos &&
         Clock::now() < deadline) {
    read_available(held, text);
    std::this_thread::sleep_for(1ms);
  }
  daemon.signal(SIGTERM);
  std::optional<int> status;
  while (!status && Clock::now() < deadline + 10s) {
    read_available(held, text);
    status = daemon.wait_exit(5ms);
  }
  read_available(held, text);
  ::close(held);
  ASSERT_EQ(status, 0) << daemon.output();

  int requests_logged = 0;
  std::vector<json> notes;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto record = json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << "a torn or invalid line: " << line;
    if (record["msg"] == "request") {
      ++requests_logged;
    } else if (record["msg"] == "log records dropped") {
      notes.push_back(record);
    }
  }
  ASSERT_EQ(notes.size(), 1U) << text.substr(text.size() > 4000 ? text.size() - 4000 : 0);
  EXPECT_EQ(notes[0]["level"], "warn");
  const auto lost = notes[0]["count"].get<long long>();
  std::cout << "records written " << requests_logged << ", lost " << lost << ", metric " << *dropped
            << "\n";
  EXPECT_GE(static_cast<double>(lost), *dropped) << "the note counts every lost record";
  EXPECT_GE(requests_logged + lost, k_requests) << "every request was logged or counted as lost";
  EXPECT_NE(text.find("\"msg\":\"stopped\""), std::string::npos)
      << "the shutdown lines came out after the drops";
}

} // namespace
} // namespace homectl::test
