#include "support/process.hpp"
#include "support/recording_server.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace homectl::testing;
using namespace std::chrono_literals;

namespace {

const char* const k_pass = R"({"status":"pass","checks":{"eventloop:lag":[{"status":"pass"}]}})";
const char* const k_warn =
    R"({"status":"warn","checks":{"redis:connection":[{"status":"warn","output":"connection refused"}]}})";
const char* const k_fail =
    R"({"status":"fail","checks":{"sources:plug":[{"status":"fail","output":"timed out"}]}})";

Reply health(int status, const char* body) {
  return Reply{status, body, "application/health+json", {}, 0ms};
}

// A port nobody listens on: bind, read the port, close.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class CheckReady : public ::testing::Test {
protected:
  ProcessResult check(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"check-ready", "--url", server.url(), "--timeout", "500ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_homectl(args, {{"HOMECTL_URL", ""}, {"HOMECTL_TOKEN", ""}});
  }
  RecordingServer server;
};

} // namespace

TEST_F(CheckReady, PassIsSilentAndExitsZero) {
  server.reply("GET", "/ready", health(200, k_pass));
  auto r = check();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(server.requests_to("/ready").size(), 1U);
  EXPECT_EQ(server.requests_to("/ready")[0].header("Authorization"), "");
}

TEST_F(CheckReady, VerbosePrintsOneNagiosLineWithPerfdata) {
  server.reply("GET", "/ready", health(200, k_pass));
  auto r = check({"-v"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.starts_with("HOMECTL OK - ready | latency=")) << r.out;
  EXPECT_TRUE(r.out.ends_with("s\n")) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST_F(CheckReady, WarnExitsOneAndNamesTheCheck) {
  server.reply("GET", "/ready", health(200, k_warn));
  auto r = check();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with("HOMECTL WARNING - ready with warnings: redis:connection warn "
                                "(connection refused) | latency="))
      << r.err;
}

TEST_F(CheckReady, FailExitsTwoAndNamesTheCheck) {
  server.reply("GET", "/ready", health(503, k_fail));
  auto r = check();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("HOMECTL CRITICAL - not ready: sources:plug fail (timed out)"))
      << r.err;
}

TEST_F(CheckReady, JsonPrintsTheDaemonsReport) {
  server.reply("GET", "/ready", health(503, k_fail));
  auto r = check({"--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, std::string(k_fail) + "\n");
}

TEST_F(CheckReady, GarbageAnswerIsUnknown) {
  server.reply("GET", "/ready", Reply{200, "<html>hello</html>", "text/html", {}, 0ms});
  auto r = check();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("HOMECTL UNKNOWN - unparseable answer from " + server.url() +
                       "/ready: the answer is not JSON"),
            std::string::npos)
      << r.err;
}

TEST_F(CheckReady, UnexpectedStatusIsUnknown) {
  server.reply("GET", "/ready", Reply{404, "nope", "text/plain", {}, 0ms});
  auto r = check();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("unexpected HTTP status 404"), std::string::npos) << r.err;
}

TEST_F(CheckReady, SlowAnswerTimesOutAsUnknown) {
  auto slow = health(200, k_pass);
  slow.delay = 1500ms;
  server.reply("GET", "/ready", slow);
  auto r = check();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("HOMECTL UNKNOWN - timeout: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("within 500ms"), std::string::npos) << r.err;
}

TEST_F(CheckReady, ClosedPortIsUnknown) {
  auto r =
      run_homectl({"check-ready", "--url", "http://127.0.0.1:" + std::to_string(closed_port())});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("HOMECTL UNKNOWN - unreachable: "), std::string::npos) << r.err;
}

TEST_F(CheckReady, SendsTheTokenFromTheEnvironment) {
  server.reply("GET", "/ready", health(200, k_pass));
  auto r = run_homectl({"check-ready", "--url", server.url()}, {{"HOMECTL_TOKEN", "s3cret"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.requests_to("/ready").at(0).header("Authorization"), "Bearer s3cret");
}

TEST_F(CheckReady, UsageErrorsExitThree) {
  EXPECT_EQ(run_homectl({"check-ready", "--no-such-flag"}).exit_code, 3);
  auto bad_timeout = run_homectl({"check-ready", "--timeout", "soon"});
  EXPECT_EQ(bad_timeout.exit_code, 3);
  EXPECT_NE(bad_timeout.err.find("--timeout: \"soon\" is not a duration"), std::string::npos);
  auto bad_url = run_homectl({"check-ready", "--url", "ftp://x"});
  EXPECT_EQ(bad_url.exit_code, 3);
  EXPECT_NE(bad_url.err.find("only http:// and https:// URLs are supported"), std::string::npos);
}
