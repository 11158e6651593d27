#include "support/fake_upstream.hpp"
#include "support/fetch_runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace homectl::test {
namespace {

using namespace std::chrono_literals;
using sources::FetchOutcome;
using ::testing::HasSubstr;
using Kind = FakeResponse::Kind;

// A source with small, test-friendly timings and deterministic jitter.
config::SourceConfig source_for(const std::string& url) {
  config::SourceConfig s;
  s.name = "test";
  s.url = url;
  s.policy.timeout = 2000ms;
  s.policy.retries = 2;
  s.policy.retry_backoff = 10ms;
  return s;
}

sources::HttpFetcherOptions fixed_jitter() {
  sources::HttpFetcherOptions o;
  o.random = [] { return 0.5; };
  return o;
}

class FetchHttp : public ::testing::Test {
protected:
  FakeUpstream up;
  FetchRunner runner{fixed_jitter()};
};

TEST_F(FetchHttp, OkCarriesBodyStatusAndContentType) {
  FakeResponse r = FakeResponse::json(R"({"temp":21.5})");
  r.content_type = "application/json; charset=utf-8";
  up.on("/w", {r});
  auto result = runner.fetch(source_for(up.url("/w?lat=1")));
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, R"({"temp":21.5})");
  EXPECT_EQ(result.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(up.count("/w"), 1);
  EXPECT_EQ(up.requests("/w")[0].target, "/w?lat=1");
}

TEST_F(FetchHttp, ServerErrorsAreRetriedThenSucceed) {
  up.on("/w", {FakeResponse::status_only(503), FakeResponse::status_only(500),
               FakeResponse::json(R"({"ok":true})")});
  auto result = runner.fetch(source_for(up.url("/w")));
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(up.count("/w"), 3);
  EXPECT_EQ(result.body, R"({"ok":true})");
}

TEST_F(FetchHttp, RetriesAreBoundedByTheRetryCount) {
  up.on("/w", {FakeResponse::status_only(502)});
  auto result = runner.fetch(source_for(up.url("/w")));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.status, 502);
  EXPECT_EQ(result.error, "upstream status 502");
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(up.count("/w"), 3);
}

TEST_F(FetchHttp, ClientErrorsAreNotRetried) {
  up.on("/w", {FakeResponse::status_only(404)});
  auto result = runner.fetch(source_for(up.url("/w")));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.status, 404);
  EXPECT_EQ(result.error, "upstream status 404");
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(up.count("/w"), 1);
}

TEST_F(FetchHttp, TooManyRequestsWaitsForRetryAfter) {
  up.on("/w", {FakeResponse::with_header(429, "Retry-After", "1"), FakeResponse::json("{}")});
  auto source = source_for(up.url("/w"));
  source.policy.retries = 1;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
  EXPECT_EQ(result.attempts, 2);
  EXPECT_GE(result.duration, 1000ms) << "the retry waited for Retry-After, not the 5ms jitter";
}

TEST_F(FetchHttp, RetryAfterBeyondTheDeadlineEndsTheRefresh) {
  up.on("/w", {FakeResponse::with_header(429, "Retry-After", "120")});
  auto result = runner.fetch(source_for(up.url("/w")));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.status, 429);
  EXPECT_EQ(result.attempts, 1);
  ASSERT_TRUE(result.retry_after.has_value());
  EXPECT_EQ(*result.retry_after, 120s);
}

TEST_F(FetchHttp, HangAfterAcceptTimesOutWithinTheDeadline) {
  up.on("/w", {FakeResponse::of(Kind::hang)});
  auto source = source_for(up.url("/w"));
  source.policy.timeout = 300ms;
  source.policy.retries = 1;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::timeout);
  EXPECT_EQ(result.error, "read: timed out after 300ms");
  EXPECT_EQ(result.attempts, 2) << "timeouts are retried";
  EXPECT_GE(result.duration, 300ms);
  EXPECT_LT(result.duration, 5s) << "bounded by timeout × (retries + 1), with slack for a busy box";
}

TEST_F(FetchHttp, DripFeedBeyondTheDeadlineTimesOut) {
  FakeResponse r = FakeResponse::json(std::string(200, ' ') + "{}");
  r.kind = Kind::drip_feed;
  r.drip_interval = 50ms;
  up.on("/w", {r});
  auto source = source_for(up.url("/w"));
  source.policy.timeout = 300ms;
  source.policy.retries = 0;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::timeout);
  EXPECT_EQ(result.error, "read: timed out after 300ms");
  EXPECT_EQ(result.attempts, 1);
}

TEST_F(FetchHttp, ResetMidBodyIsAnErrorAndRetried) {
  up.on("/w", {FakeResponse::of(Kind::reset_mid_body)});
  auto source = source_for(up.url("/w"));
  source.policy.retries = 1;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_THAT(result.error, HasSubstr("read: "));
  EXPECT_TRUE(result.body.empty());
  EXPECT_EQ(result.attempts, 2);
}

TEST_F(FetchHttp, HugeStreamedBodyStopsAtTheCap) {
  FakeResponse r = FakeResponse::of(Kind::huge_body);
  r.huge_size = 256 * 1024 * 1024; // far more than the client may buffer
  up.on("/w", {r});
  auto result = runner.fetch(source_for(up.url("/w")));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.error, "body exceeds 1MiB");
  EXPECT_EQ(result.attempts, 1) << "a too-large body is not retried";
}

TEST_F(FetchHttp, DeclaredLengthOverTheCapFailsEarly) {
  up.on("/w", {FakeResponse::json(std::string(64 * 1024 + 1, 'x'))});
  auto source = source_for(up.url("/w"));
  source.policy.max_size = 64 * 1024;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.error, "body exceeds 64KiB");
}

TEST_F(FetchHttp, GarbageStatusLineIsAnError) {
  up.on("/w", {FakeResponse::of(Kind::garbage_status_line)});
  auto source = source_for(up.url("/w"));
  source.policy.retries = 0;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_THAT(result.error, HasSubstr("read: invalid HTTP response"));
  EXPECT_EQ(result.status, 0);
}

TEST_F(FetchHttp, ConnectionRefusedIsRetriedAndReported) {
  std::string url;
  {
    FakeUpstream gone;
    url = gone.url("/w");
  }
  auto result = runner.fetch(source_for(url));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.error, "connect: Connection refused");
  EXPECT_EQ(result.attempts, 3);
}

TEST_F(FetchHttp, InvalidUrlIsAnErrorWithoutSecrets) {
  auto result = runner.fetch(source_for("gopher://user:pw@host/x?key=s3cret"));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.error,
            "\"gopher://<redacted>@host/x?key=<redacted>\" is not an http or https URL (e.g. "
            "https://api.example.com/data)");
}

TEST_F(FetchHttp, PickCutsTheBody) {
  up.on("/w", {FakeResponse::json(R"({"current":{"t":3,"w":9},"daily":[1,2]})")});
  auto source = source_for(up.url("/w"));
  source.pick = {"/current/t", "/daily/1"};
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
  EXPECT_EQ(result.body, R"({"/current/t":3,"/daily/1":2})");
  EXPECT_EQ(result.content_type, "application/json");
}

TEST_F(FetchHttp, InvalidJsonWithPickIsAnErrorNotRetried) {
  up.on("/w", {FakeResponse::json("{\"current\": oops")});
  auto source = source_for(up.url("/w"));
  source.pick = {"/current"};
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.error, "pick: upstream body: invalid JSON at byte 13: syntax error while "
                          "parsing value - invalid literal; last read: '\"current\": o'");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.attempts, 1);
}

TEST_F(FetchHttp, PostSendsBodyHeadersAndBasicAuth) {
  up.on("/rpc", {FakeResponse::json(R"({"on":true})")});
  auto source = source_for(up.url("/rpc"));
  source.url = "http://admin:s%40cret@127.0.0.1:" + std::to_string(up.port()) + "/rpc";
  source.method = "POST";
  source.body = R"({"id":0})";
  source.headers = {{"Content-Type", "application/json"}, {"X-Api-Key", "k-123"}};
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
  auto requests = up.requests("/rpc");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, R"({"id":0})");
  EXPECT_EQ(requests[0].headers["content-type"], "application/json");
  EXPECT_EQ(requests[0].headers["x-api-key"], "k-123");
  EXPECT_EQ(requests[0].headers["content-length"], "8");
  EXPECT_EQ(requests[0].headers["authorization"], "Basic YWRtaW46c0BjcmV0");
  EXPECT_THAT(requests[0].headers["user-agent"], HasSubstr("homectl/"));
}

TEST_F(FetchHttp, RedirectsAreNotFollowedUnlessEnabled) {
  up.on("/old", {FakeResponse::with_header(302, "Location", "/new")});
  up.on("/new", {FakeResponse::json("{}")});
  auto result = runner.fetch(source_for(up.url("/old")));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.status, 302);
  EXPECT_EQ(result.error, "upstream status 302 (redirect not followed: follow_redirects is off)");
  EXPECT_EQ(up.count("/new"), 0);
}

TEST_F(FetchHttp, RedirectsAreFollowedWhenEnabledIncludingRelativeOnes) {
  up.on("/a/old", {FakeResponse::with_header(301, "Location", "new?x=1")});
  up.on("/a/new", {FakeResponse::with_header(307, "Location", up.url("/final"))});
  up.on("/final", {FakeResponse::json(R"({"here":1})")});
  auto source = source_for(up.url("/a/old"));
  source.policy.follow_redirects = true;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
  EXPECT_EQ(result.body, R"({"here":1})");
  EXPECT_EQ(up.requests("/a/new").at(0).target, "/a/new?x=1");
  EXPECT_EQ(up.count("/final"), 1);
}

TEST_F(FetchHttp, RedirectChainsStopAfterFive) {
  up.on("/loop", {FakeResponse::with_header(302, "Location", "/loop")});
  auto source = source_for(up.url("/loop"));
  source.policy.follow_redirects = true;
  auto result = runner.fetch(source);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.error, "more than 5 redirects");
  EXPECT_EQ(up.count("/loop"), 6) << "the first request and five redirects";
  EXPECT_EQ(result.attempts, 1) << "a redirect loop is not retried";
}

TEST_F(FetchHttp, KeepAliveConnectionsAreReusedForGets) {
  up.on("/w", {FakeResponse::json("{}")});
  auto source = source_for(up.url("/w"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(runner.fetch(source).outcome, FetchOutcome::ok);
  }
  EXPECT_EQ(up.count("/w"), 3);
  EXPECT_EQ(up.connections(), 1);
}

TEST_F(FetchHttp, PostsUseAFreshConnectionEachTime) {
  up.on("/w", {FakeResponse::json("{}")});
  auto source = source_for(up.url("/w"));
  source.method = "POST";
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(runner.fetch(source).outcome, FetchOutcome::ok);
  }
  EXPECT_EQ(up.connections(), 2);
  EXPECT_EQ(up.requests("/w")[0].headers["connection"], "close");
}

TEST_F(FetchHttp, AConnectionTheServerDroppedIsReplacedTransparently) {
  FakeResponse dropping = FakeResponse::json(R"({"n":1})");
  dropping.close_after = true;
  up.on("/w", {dropping});
  auto source = source_for(up.url("/w"));
  source.policy.retries = 0;
  auto first = runner.fetch(source);
  auto second = runner.fetch(source);
  EXPECT_EQ(first.outcome, FetchOutcome::ok) << first.error;
  EXPECT_EQ(second.outcome, FetchOutcome::ok) << second.error;
  EXPECT_EQ(second.attempts, 1) << "not a retry: the stale connection was replaced";
  EXPECT_EQ(up.count("/w"), 2);
  EXPECT_EQ(up.connections(), 2);
}

TEST(FetchConcurrency, PerHostCapLimitsRequestsInFlight) {
  FakeUpstream up;
  FakeResponse slow = FakeResponse::json("{}");
  slow.latency = 200ms;
  up.on("/slow", {slow});
  sources::HttpFetcherOptions options = fixed_jitter();
  options.max_per_host = 4;
  FetchRunner runner(options);
  std::vector<config::SourceConfig> many(12, source_for(up.url("/slow")));
  auto results = runner.fetch_all(many);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, FetchOutcome::ok) << r.error;
  }
  EXPECT_EQ(up.count("/slow"), 12);
  EXPECT_LE(up.max_in_flight(), 4);
  EXPECT_GE(up.max_in_flight(), 2) << "requests did overlap";
}

TEST(FetchConcurrency, GlobalCapSpansHosts) {
  FakeUpstream up;
  FakeResponse slow = FakeResponse::json("{}");
  slow.latency = 200ms;
  up.on("/slow", {slow});
  sources::HttpFetcherOptions options = fixed_jitter();
  options.max_concurrent = 2;
  FetchRunner runner(options);
  // 127.0.0.1 and localhost are different hosts to the per-host cap.
  std::vector<config::SourceConfig> many;
  for (int i = 0; i < 4; ++i) {
    many.push_back(source_for(up.url("/slow")));
    many.push_back(source_for("http://localhost:" + std::to_string(up.port()) + "/slow"));
  }
  auto results = runner.fetch_all(many);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, FetchOutcome::ok) << r.error;
  }
  EXPECT_EQ(up.count("/slow"), 8);
  EXPECT_LE(up.max_in_flight(), 2);
}

} // namespace
} // namespace homectl::test
