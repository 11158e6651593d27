// Conditional refreshes and `values` end to end: the real `homectl serve`
// against a real web server that honours If-Modified-Since (Python's
// http.server serving a file), and a scripted upstream for ETags and values.
#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/observe.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace homectl::test {
namespace {

using nlohmann::json;
using testing::TempDir;

// `python3 -m http.server` on a free loopback port, serving `dir`, its
// request log in `log`. Stopped at destruction.
class StaticServer {
public:
  StaticServer(const std::filesystem::path& dir, const std::filesystem::path& log)
      : m_port(free_port()) {
    const std::string port = std::to_string(m_port);
    const std::string directory = dir.string();
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    m_pid = ::fork();
    if (m_pid == 0) {
      const int null_fd = ::open("/dev/null", O_WRONLY);
      ::dup2(null_fd, 1);
      ::dup2(log_fd, 2);
      ::execlp("python3", "python3", "-u", "-m", "http.server", "--bind", "127.0.0.1",
               "--directory", directory.c_str(), port.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(log_fd);
  }
  ~StaticServer() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGTERM);
      int status = 0;
      ::waitpid(m_pid, &status, 0);
    }
  }
  StaticServer(const StaticServer&) = delete;
  StaticServer& operator=(const StaticServer&) = delete;

  // True once it answers (false when python3 is missing or it died).
  bool ready() const {
    return poll_until(
        [&] {
          const auto r = request(m_port, "GET", "/missing", {}, {}, 500ms);
          return r && r->status == 404;
        },
        10s);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }

private:
  std::uint16_t m_port;
  pid_t m_pid = -1;
};

bool have_python3() {
  return std::system("python3 -c 'import http.server' >/dev/null 2>&1") == 0;
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(SourcesRevalidate, AnUnchangedFileIsRevalidatedWith304s) {
  if (!have_python3()) {
    GTEST_SKIP() << "python3 with http.server is not installed";
  }
  TempDir dir;
  std::filesystem::create_directory(dir / "www");
  const std::string body = R"({"temperature": 21.5, "pad": ")" + std::string(20000, 'x') + "\"}";
  testing::write_file(dir / "www" / "data.json", body);
  // An mtime safely in the past: If-Modified-Since has one-second resolution.
  std::filesystem::last_write_time(dir / "www" / "data.json",
                                   std::filesystem::file_time_type::clock::now() - 1h);
  StaticServer upstream(dir / "www", dir / "upstream.log");
  ASSERT_TRUE(upstream.ready()) << testing::read_file(dir / "upstream.log");

  DaemonProcess daemon(json{{"sources",
                             {{"file",
                               {{"url", upstream.url("/data.json")},
                                {"ttl", "1s"},
                                {"refresh", "1s"},
                                {"timeout", "2s"},
                                {"retries", 0},
                                {"values", {{"temperature", "/temperature"}}}}}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  RawConnection events(daemon.port());
  ASSERT_TRUE(events.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n"));

  auto first = request(daemon.port(), "GET", "/v1/sources/file");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const auto etag = first->header("ETag");
  ASSERT_TRUE(poll_until(
      [&] {
        return scrape(daemon, "homectl_source_requests_total",
                      {{"source", "file"}, {"outcome", "not_modified"}})
                   .value_or(0) >= 3;
      },
      15s))
      << daemon.output();

  const auto log = testing::read_file(dir / "upstream.log");
  EXPECT_GE(count_of(log, "\" 304 -"), 3) << log;
  EXPECT_EQ(count_of(log, "\" 200 -"), 1) << log;
  const auto again = request(daemon.port(), "GET", "/v1/sources/file");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, body);
  EXPECT_EQ(again->header("ETag"), etag);
  EXPECT_EQ(
      scrape(daemon, "homectl_source_requests_total", {{"source", "file"}, {"outcome", "ok"}}), 1);
  // The body arrived once; the 304s carried none.
  EXPECT_EQ(scrape(daemon, "homectl_source_upstream_bytes_total", {{"source", "file"}}),
            static_cast<double>(body.size()));
  EXPECT_EQ(scrape(daemon, "homectl_source_value", {{"source", "file"}, {"value", "temperature"}}),
            21.5);
  std::string stream;
  for (int i = 0; i < 5; ++i) {
    stream += events.read_some(100ms);
  }
  EXPECT_EQ(count_of(stream, "event: source.updated"), 1) << stream;

  // A changed file is downloaded again, with a new ETag for clients and a new value.
  const std::string changed = R"({"temperature": 19})";
  testing::write_file(dir / "www" / "data.json", changed);
  ASSERT_TRUE(poll_until(
      [&] {
        const auto r = request(daemon.port(), "GET", "/v1/sources/file");
        return r && r->body == changed;
      },
      15s));
  EXPECT_NE(request(daemon.port(), "GET", "/v1/sources/file")->header("ETag"), etag);
  EXPECT_EQ(scrape(daemon, "homectl_source_value", {{"source", "file"}, {"value", "temperature"}}),
            19);
}

TEST(SourcesRevalidate, TheUpstreamsETagIsSentBackAndRevalidateOffSendsNothing) {
  FakeUpstream up;
  const auto with_etag = FakeResponse::with_header(200, "ETag", "\"v1\"");
  up.on("/e", {with_etag, FakeResponse::with_header(304, "ETag", "\"v1\"")});
  up.on("/off", {with_etag});
  DaemonProcess daemon(json{
      {"sources",
       {{"e", {{"url", up.url("/e")}, {"ttl", "1m"}, {"refresh", "off"}, {"retries", 0}}},
        {"off",
         {{"url", up.url("/off")}, {"ttl", "1m"}, {"refresh", "off"}, {"revalidate", false}}}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  for (const std::string name : {"e", "off"}) {
    for (int i = 0; i < 2; ++i) {
      const auto r = request(daemon.port(), "POST", "/v1/sources/" + name + "/refresh?wait=5s");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
      EXPECT_EQ(json::parse(r->body)["outcome"], i == 0 || name == "off" ? "ok" : "not_modified");
    }
  }
  const auto revalidated = up.requests("/e");
  ASSERT_EQ(revalidated.size(), 2U);
  EXPECT_FALSE(revalidated[0].headers.contains("if-none-match"));
  EXPECT_EQ(revalidated[1].headers.at("if-none-match"), "\"v1\"");
  for (const auto& r : up.requests("/off")) {
    EXPECT_FALSE(r.headers.contains("if-none-match"));
  }
  EXPECT_EQ(scrape(daemon, "homectl_source_requests_total",
                   {{"source", "e"}, {"outcome", "not_modified"}}),
            1);
}

TEST(SourcesRevalidate, A304ToAPlainRequestIsAProtocolFailure) {
  FakeUpstream up;
  up.on("/odd", {FakeResponse::status_only(304)});
  DaemonProcess daemon(
      json{{"sources", {{"odd", {{"url", up.url("/odd")}, {"refresh", "off"}, {"retries", 0}}}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  const auto r = request(daemon.port(), "GET", "/v1/sources/odd");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->body;
  EXPECT_EQ(
      scrape(daemon, "homectl_source_failures_total", {{"source", "odd"}, {"reason", "protocol"}}),
      1);
}

TEST(SourcesRevalidate, ASecondInstanceRevalidatesWithTheValidatorsFromRedis) {
  HOMECTL_REQUIRE_REDIS_SERVER();
  RedisServer redis;
  FakeUpstream up;
  up.on("/s", {FakeResponse::with_header(200, "ETag", "\"v7\""),
               FakeResponse::with_header(304, "ETag", "\"v7\"")});
  const json config{
      {"redis", {{"url", redis.url()}, {"prefix", "hc:"}}},
      {"sources", {{"s", {{"url", up.url("/s")}, {"ttl", "1m"}, {"refresh", "off"}}}}}};
  DaemonProcess first(config);
  ASSERT_TRUE(first.start()) << first.output();
  ASSERT_EQ(request(first.port(), "GET", "/v1/sources/s")->status, 200);

  DaemonProcess second(config);
  ASSERT_TRUE(second.start()) << second.output();
  // Until its command connection is up, the second instance cannot see the
  // shared entry and would fetch (and get the upstream's next answer, a 304).
  ASSERT_TRUE(second.wait_for_output(R"("role":"command")", 10s)) << second.output();
  ASSERT_EQ(request(second.port(), "GET", "/v1/sources/s")->status, 200) << second.output();
  ASSERT_EQ(up.count("/s"), 1) << "the second instance took the shared entry";
  const auto r = request(second.port(), "POST", "/v1/sources/s/refresh?wait=5s");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["outcome"], "not_modified");
  const auto seen = up.requests("/s");
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].headers.at("if-none-match"), "\"v7\"");
}

TEST(SourcesValues, ExportedListedAndCountedWhenNotNumbers) {
  FakeUpstream up;
  up.on("/v", {FakeResponse::json(R"({"t": 20.5, "on": true, "s": "7", "name": "x"})"),
               FakeResponse::json(R"({"t": 22, "on": false, "s": "8", "name": "x"})")});
  DaemonProcess daemon(
      json{{"sources",
            {{"v",
              {{"url", up.url("/v")},
               {"refresh", "off"},
               {"values",
                {{"t", "/t"}, {"on", "/on"}, {"s", "/s"}, {"name", "/name"}, {"gone", "/x"}}}}}}}});
  ASSERT_TRUE(daemon.start()) << daemon.output();
  ASSERT_EQ(request(daemon.port(), "GET", "/v1/sources/v")->status, 200);
  const auto value = [&](const std::string& name) {
    return scrape(daemon, "homectl_source_value", {{"source", "v"}, {"value", name}});
  };
  EXPECT_EQ(value("t"), 20.5);
  EXPECT_EQ(value("on"), 1);
  EXPECT_EQ(value("s"), 7);
  EXPECT_FALSE(value("name"));
  EXPECT_EQ(
      scrape(daemon, "homectl_source_value_errors_total", {{"source", "v"}, {"value", "name"}}), 1);
  const auto list = json::parse(request(daemon.port(), "GET", "/v1/sources")->body);
  EXPECT_EQ(list["sources"][0]["values"], (json{{"t", 20.5}, {"on", 1}, {"s", 7}}));

  ASSERT_EQ(request(daemon.port(), "POST", "/v1/sources/v/refresh?wait=5s")->status, 200);
  EXPECT_EQ(value("t"), 22);
  EXPECT_EQ(value("on"), 0);
  EXPECT_EQ(
      scrape(daemon, "homectl_source_value_errors_total", {{"source", "v"}, {"value", "gone"}}), 2);
  // One warn line per value and cause, not one per body.
  ASSERT_TRUE(poll_until(
      [&] { return log_lines(daemon.output(), "source value skipped").size() >= 2; }, 5s));
  EXPECT_EQ(log_lines(daemon.output(), "source value skipped", {{"value", "gone"}}).size(), 1U);
}

} // namespace
} // namespace homectl::test
