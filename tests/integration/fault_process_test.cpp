// Fault injection on the process of the real `homectl serve`: stop and reload
// signals while clients are busy, a log nobody can write, and a descriptor
// limit the clients exhaust. The daemon must answer every request it took,
// stay up, say what happened, and come back when the pressure ends.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/process_probe.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

namespace homectl::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view k_body = R"({"kwh":3.25})";

json source(const FakeUpstream& upstream, const std::string& path) {
  return {{"url", upstream.url(path)},
          {"ttl", "1h"},
          {"refresh", "off"},
          {"timeout", "5s"},
          {"retries", 0}};
}

// What the clients of a load run saw.
struct LoadTally {
  std::atomic<int> ok{0};        // complete 200 answers with the expected body
  std::atomic<int> closing{0};   // ... of which said "Connection: close"
  std::atomic<int> refused{0};   // a new connection refused or reset unanswered (listener closed)
  std::atomic<int> dropped{0};   // a reused keep-alive connection closed before any answer byte
  std::atomic<int> wrong{0};     // a complete answer that was not 200 with the body
  std::atomic<int> broken{0};    // part of an answer, then nothing: must never happen
  std::atomic<int> no_answer{0}; // connection open, no answer in time: must never happen
  std::mutex mutex;
  std::vector<std::string> problems; // the first few wrong/broken answers, for the message

  void note(std::string problem) {
    std::lock_guard lock(mutex);
    if (problems.size() < 5) {
      problems.push_back(std::move(problem));
    }
  }
  std::string summary() {
    std::lock_guard lock(mutex);
    std::string text = "ok=" + std::to_string(ok) + " closing=" + std::to_string(closing) +
                       " refused=" + std::to_string(refused) +
                       " dropped=" + std::to_string(dropped) + " wrong=" + std::to_string(wrong) +
                       " broken=" + std::to_string(broken) +
                       " no_answer=" + std::to_string(no_answer);
    for (const auto& p : problems) {
      text += "\n  " + p;
    }
    return text;
  }
};

// A keep-alive client asking for `target` over and over until `stop` is set or
// the daemon refuses a new connection. Each answer is classified in `tally`.
void keep_asking(std::uint16_t port, const std::string& target, const std::atomic<bool>& stop,
                 LoadTally& tally) {
  const std::string text = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  std::optional<RawConnection> connection;
  bool reused = false;
  while (!stop.load()) {
    if (!connection) {
      connection.emplace(port);
      reused = false;
      if (!connection->ok()) {
        ++tally.refused;
        return;
      }
    }
    if (!connection->send(text)) {
      // The daemon closed this keep-alive connection between two requests,
      // or closed its listener with this connection still queued.
      ++(reused ? tally.dropped : tally.refused);
      connection.reset();
      continue;
    }
    const auto r = connection->read_response(10s);
    if (!r) {
      const auto partial = connection->read_some(0ms);
      if (!partial.empty()) {
        ++tally.broken;
        tally.note("partial answer: " + partial.substr(0, 80));
      } else if (connection->wait_closed(0ms)) {
        ++(reused ? tally.dropped : tally.refused);
      } else {
        ++tally.no_answer;
      }
      connection.reset();
      continue;
    }
    if (r->status == 200 && r->body == k_body) {
      ++tally.ok;
    } else {
      ++tally.wrong;
      tally.note(std::to_string(r->status) + " " + r->body.substr(0, 200));
    }
    reused = true;
    if (r->header("Connection") == "close") {
      ++tally.closing;
      connection.reset();
    }
  }
}

TEST(FaultProcess, SigtermDuringLoadAnswersEveryRequestTakenAndExitsZero) {
  FakeUpstream upstream;
  upstream.on("/energy", {FakeResponse::json(std::string(k_body))});
  FakeResponse slow = FakeResponse::json(R"({"slow":true})");
  slow.latency = 1500ms;
  upstream.on("/slow", {slow});
  DaemonProcess daemon(json{
      {"server", {{"drain_timeout", "5s"}}},
      {"sources", {{"energy", source(upstream, "/energy")}, {"slow", source(upstream, "/slow")}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto first = request(daemon.port(), "GET", "/v1/sources/energy");
  ASSERT_TRUE(first && first->status == 200) << daemon.output();

  LoadTally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] { keep_asking(daemon.port(), "/v1/sources/energy", stop, tally); });
  }
  // One request is certainly in flight when the signal arrives: its source
  // is being fetched from an upstream that takes 1.5 s.
  std::optional<HttpResponse> slow_answer;
  std::thread slow_client(
      [&] { slow_answer = request(daemon.port(), "GET", "/v1/sources/slow", {}, {}, 10s); });
  ASSERT_TRUE(poll_until([&] { return upstream.count("/slow") == 1; }, 5s));
  ASSERT_TRUE(poll_until([&] { return tally.ok.load() > 200; }, 10s)) << tally.summary();

  const auto signalled = Clock::now();
  daemon.signal(SIGTERM);
  const auto status = daemon.wait_exit(15s);
  const auto took = Clock::now() - signalled;
  stop = true;
  for (auto& client : clients) {
    client.join();
  }
  slow_client.join();

  ASSERT_TRUE(status) << "still running 15 s after SIGTERM\n" << daemon.output();
  EXPECT_EQ(*status, 0) << daemon.output();
  EXPECT_LT(took, 5s + 3s) << "took longer than server.drain_timeout";
  ASSERT_TRUE(slow_answer) << "the request in flight got no complete answer\n" << daemon.output();
  EXPECT_EQ(slow_answer->status, 200);
  EXPECT_EQ(slow_answer->body, R"({"slow":true})");
  EXPECT_EQ(slow_answer->header("Connection"), "close");
  // Every request the daemon took got a complete answer; the rest were
  // refused or found their idle keep-alive connection closed.
  EXPECT_EQ(tally.broken.load(), 0) << tally.summary();
  EXPECT_EQ(tally.no_answer.load(), 0) << tally.summary();
  EXPECT_EQ(tally.wrong.load(), 0) << tally.summary();
  EXPECT_GT(tally.closing.load(), 0) << "no answer announced the close\n" << tally.summary();
  std::cout << "load during SIGTERM: " << tally.summary() << "\n";

  const auto out = daemon.output();
  EXPECT_NE(out.find("\"msg\":\"stop signal received: draining\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"msg\":\"draining\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"msg\":\"stopped\""), std::string::npos) << out;
  EXPECT_EQ(out.find("drain timeout reached"), std::string::npos) << out;
}

TEST(FaultProcess, RepeatedSighupDuringLoadLosesNoRequestAndRejectsABadConfig) {
  constexpr int k_reloads = 20;
  FakeUpstream upstream;
  upstream.on("/energy", {FakeResponse::json(std::string(k_body))});
  upstream.on("/extra", {FakeResponse::json(R"({"extra":true})")});
  json config = {{"sources", {{"energy", source(upstream, "/energy")}}}};
  DaemonProcess daemon(config);
  // Rewritten files keep the address, so no reload asks for a restart.
  config["server"]["listen"] = "127.0.0.1:" + std::to_string(daemon.port());
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto first = request(daemon.port(), "GET", "/v1/sources/energy");
  ASSERT_TRUE(first && first->status == 200) << daemon.output();

  LoadTally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] { keep_asking(daemon.port(), "/v1/sources/energy", stop, tally); });
  }
  auto diagnostics = [&](int token) {
    const auto r = request(daemon.port(), "GET", "/diagnostics",
                           {{"Authorization", "Bearer token-" + std::to_string(token)}});
    return r ? r->status : 0;
  };
  // Each reload adds a source and changes the API token; both must be in
  // force once the daemon says the configuration was reloaded.
  for (int i = 1; i <= k_reloads; ++i) {
    const auto name = "extra" + std::to_string(i);
    config["sources"][name] = source(upstream, "/extra");
    config["server"]["api_token"] = "token-" + std::to_string(i);
    daemon.write_config(config);
    daemon.signal(SIGHUP);
    ASSERT_TRUE(poll_until(
        [&] {
          return occurrences(daemon.output(), "\"msg\":\"configuration reloaded\"") ==
                 static_cast<std::size_t>(i);
        },
        5s))
        << "reload " << i << "\n"
        << daemon.output();
    const auto added = request(daemon.port(), "GET", "/v1/sources/" + name);
    ASSERT_TRUE(added);
    EXPECT_EQ(added->status, 200) << name << ": " << added->body;
    EXPECT_EQ(diagnostics(i), 200);
    EXPECT_EQ(diagnostics(i - 1), 401);
  }

  // A broken file is rejected with its problem named; the running
  // configuration keeps serving, the sources it added included.
  daemon.write_config_text(R"({"sources": {"energy": {"url": "ftp://nowhere", "ttl": "soon"}}})");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_output("reload rejected: keeping the running configuration", 5s))
      << daemon.output();
  const auto out = daemon.output();
  EXPECT_NE(out.find("sources.energy.ttl"), std::string::npos) << out;
  EXPECT_NE(out.find(R"(sources.energy.ttl: \"soon\" is not a duration)"), std::string::npos)
      << out;
  const auto kept = request(daemon.port(), "GET", "/v1/sources/extra" + std::to_string(k_reloads));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->status, 200);
  EXPECT_EQ(diagnostics(k_reloads), 200);
  EXPECT_EQ(out.find("take effect only after a restart"), std::string::npos) << out;

  // A burst of signals while busy: they may coalesce, none may hurt.
  for (int i = 0; i < 5; ++i) {
    daemon.signal(SIGHUP);
  }
  ASSERT_TRUE(poll_until(
      [&] {
        return occurrences(daemon.output(), "reload rejected") >= 2 &&
               occurrences(daemon.output(), "\"msg\":\"reloading configuration\"") ==
                   occurrences(daemon.output(), "reload rejected") + k_reloads;
      },
      10s))
      << daemon.output();

  stop = true;
  for (auto& client : clients) {
    client.join();
  }
  std::cout << "load during " << k_reloads << " reloads: " << tally.summary() << "\n";
  EXPECT_GT(tally.ok.load(), 0);
  EXPECT_EQ(tally.wrong.load(), 0) << tally.summary();
  EXPECT_EQ(tally.broken.load(), 0) << tally.summary();
  EXPECT_EQ(tally.no_answer.load(), 0) << tally.summary();
  EXPECT_EQ(tally.dropped.load(), 0) << tally.summary();
  EXPECT_EQ(tally.refused.load(), 0) << tally.summary();
  EXPECT_FALSE(daemon.wait_exit(0ms));
}

// Runs a daemon whose stdout cannot be written and checks that it serves,
// counts the lost log records and still stops cleanly.
void serves_with_unwritable_log(DaemonProcess::Stdout target) {
  FakeUpstream upstream;
  upstream.on("/energy", {FakeResponse::json(std::string(k_body))});
  // Every request is access-logged, so every request tries to write.
  DaemonProcess daemon(
      json{{"log", {{"access", "all"}}}, {"sources", {{"energy", source(upstream, "/energy")}}}});
  daemon.set_stdout(target);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  for (int i = 0; i < 200; ++i) {
    const auto r = request(daemon.port(), "GET", i % 2 == 0 ? "/v1/sources/energy" : "/nowhere");
    ASSERT_TRUE(r) << "request " << i << "\n" << daemon.output();
    ASSERT_EQ(r->status, i % 2 == 0 ? 200 : 404);
  }
  const auto health = request(daemon.port(), "GET", "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  // The log writer thread counts failed writes as it gets to them.
  std::string page;
  EXPECT_TRUE(poll_until(
      [&] {
        const auto metrics = request(daemon.port(), "GET", "/metrics");
        page = metrics ? metrics->body : "";
        return metric_value(page, "homectl_log_records_dropped_total").value_or(0) >= 200;
      },
      5s))
      << page;
  EXPECT_FALSE(daemon.wait_exit(0ms)) << daemon.output();
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(10s), 0) << daemon.output();
}

TEST(FaultProcess, LogToAFullDiskDoesNotStopService) {
  serves_with_unwritable_log(DaemonProcess::Stdout::dev_full);
}

TEST(FaultProcess, LogToAClosedPipeDoesNotKillTheDaemon) {
  serves_with_unwritable_log(DaemonProcess::Stdout::closed_pipe);
}

TEST(FaultProcess, OutOfDescriptorsIsSurvivedLoggedOnceAndServiceResumes) {
  constexpr int k_fd_limit = 256;
  constexpr int k_clients = 400;
  DaemonProcess daemon(json{
      {"server", {{"header_timeout", "60s"}, {"idle_timeout", "60s"}, {"max_connections", 1000}}}});
  daemon.set_fd_limit(k_fd_limit);
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const int baseline = open_fds(daemon.pid()).value_or(-1);
  ASSERT_GT(baseline, 0);
  ASSERT_LT(baseline, 64);

  // A monitoring connection opened before the flood keeps working throughout.
  RawConnection monitor(daemon.port());
  ASSERT_TRUE(monitor.send("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_TRUE(monitor.read_response());

  // More clients than the daemon has descriptors: the kernel queues the rest.
  std::vector<RawConnection> flood;
  for (int i = 0; i < k_clients; ++i) {
    flood.emplace_back(daemon.port());
    ASSERT_TRUE(flood.back().ok()) << "connect " << i;
    flood.back().send("GET /live HTTP/1.1\r\nHost: localhost\r\n\r\n");
  }
  ASSERT_TRUE(daemon.wait_for_output("cannot accept connections", 10s)) << daemon.output();
  EXPECT_NE(daemon.output().find("Too many open files"), std::string::npos) << daemon.output();
  EXPECT_GE(open_fds(daemon.pid()).value_or(0), k_fd_limit - 2);

  // While out of descriptors it waits instead of spinning on accept.
  const auto cpu_before = cpu_seconds(daemon.pid()).value_or(0);
  const auto wall_before = Clock::now();
  std::this_thread::sleep_for(2s); // a measuring window, not a synchronisation
  const auto cpu_used = cpu_seconds(daemon.pid()).value_or(0) - cpu_before;
  const double wall = std::chrono::duration<double>(Clock::now() - wall_before).count();
  EXPECT_LT(cpu_used, 0.5 * wall) << "CPU " << cpu_used << " s in " << wall << " s";

  // Connections it already has are still served, and /metrics tells the story.
  ASSERT_TRUE(monitor.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  const auto metrics = monitor.read_response();
  ASSERT_TRUE(metrics) << daemon.output();
  EXPECT_EQ(metrics->status, 200);
  EXPECT_GT(metric_value(metrics->body, "homectl_http_accept_errors_total").value_or(0), 0)
      << metrics->body;
  // One line for the whole burst, however many accepts failed.
  EXPECT_EQ(occurrences(daemon.output(), "cannot accept connections"), 1u) << daemon.output();

  // Once clients go away it accepts again, the queued ones included.
  flood.clear();
  EXPECT_TRUE(poll_until(
      [&] {
        const auto r = request(daemon.port(), "GET", "/live", {}, {}, 2s);
        return r && r->status == 200;
      },
      15s))
      << daemon.output();
  ASSERT_TRUE(daemon.wait_for_output("accepting connections again", 5s)) << daemon.output();
  EXPECT_EQ(occurrences(daemon.output(), "cannot accept connections"), 1u);
  EXPECT_TRUE(poll_until([&] { return open_fds(daemon.pid()).value_or(999) <= baseline + 1; }, 15s))
      << "descriptors: " << open_fds(daemon.pid()).value_or(-1) << " now, " << baseline
      << " before";
  EXPECT_FALSE(daemon.wait_exit(0ms));
}

} // namespace
} // namespace homectl::test
