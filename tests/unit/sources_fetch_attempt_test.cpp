#include "homectl/sources/fetch_attempt.hpp"

#include <gtest/gtest.h>

namespace homectl::sources {
namespace {

using namespace std::chrono_literals;

const auto k_now = std::chrono::system_clock::time_point(1'800'000'000s);

http::ClientResponse answer(int status, std::string body = "{}",
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  for (auto& [name, value] : headers) {
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  return r;
}

config::SourceConfig picking(std::vector<std::string> pick = {}) {
  config::SourceConfig source;
  source.name = "s";
  source.pick = std::move(pick);
  return source;
}

TEST(FetchAttemptClassify, A2xxIsASuccessWithItsBodyAndType) {
  const auto plain =
      classify(answer(200, "hello", {{"Content-Type", "text/plain"}}), picking(), k_now);
  EXPECT_TRUE(plain.success);
  EXPECT_EQ(plain.body, "hello");
  EXPECT_EQ(plain.content_type, "text/plain");
  EXPECT_EQ(classify(answer(204, ""), picking(), k_now).content_type, "application/octet-stream");

  const auto picked = classify(answer(200, R"({"a":{"b":1},"c":2})"), picking({"/a/b"}), k_now);
  EXPECT_TRUE(picked.success);
  EXPECT_EQ(picked.content_type, "application/json");
  EXPECT_EQ(picked.body, R"({"/a/b":1})");
}

TEST(FetchAttemptClassify, ABadBodyUnderPickIsAPermanentInvalidBody) {
  const auto bad = classify(answer(200, "not json"), picking({"/a"}), k_now);
  EXPECT_FALSE(bad.success);
  EXPECT_EQ(bad.failure, resilience::AttemptFailure::permanent);
  EXPECT_EQ(bad.reason, "invalid_body");
  EXPECT_EQ(bad.status, 200);
}

TEST(FetchAttemptClassify, StatusesFailWithTheirMetricReason) {
  EXPECT_EQ(classify(answer(503), picking(), k_now).reason, "status_5xx");
  EXPECT_EQ(classify(answer(404), picking(), k_now).reason, "status_4xx");
  const auto redirect = classify(answer(302), picking(), k_now);
  EXPECT_EQ(redirect.reason, "status_3xx");
  EXPECT_EQ(redirect.error, "upstream status 302 (redirect not followed: follow_redirects is off)");
  const auto limited = classify(answer(429, "", {{"Retry-After", "7"}}), picking(), k_now);
  EXPECT_EQ(limited.retry_after, 7s);
  EXPECT_EQ(classify(answer(500, "", {{"Retry-After", "7"}}), picking(), k_now).retry_after,
            std::nullopt)
      << "Retry-After counts only on 429 and 503";
}

TEST(FetchAttemptClassify, ClientFailuresKeepTheirKindAndMessage) {
  http::ClientResponse failed;
  failed.error = http::ClientError::too_large;
  failed.message = "the answer exceeds 64KiB";
  const auto a = classify(failed, picking(), k_now);
  EXPECT_EQ(a.failure, resilience::AttemptFailure::too_large);
  EXPECT_EQ(a.reason, "too_large");
  EXPECT_EQ(a.error, "the answer exceeds 64KiB");
}

TEST(FetchAttemptConclude, ReportsTheLastAttempt) {
  FetchResult ok;
  Attempt good;
  good.success = true;
  good.status = 200;
  good.body = "b";
  good.content_type = "t";
  conclude(ok, good);
  EXPECT_EQ(ok.outcome, FetchOutcome::ok);
  EXPECT_EQ(ok.body, "b");
  EXPECT_TRUE(ok.reason.empty());

  FetchResult timed_out;
  Attempt slow;
  slow.failure = resilience::AttemptFailure::timeout;
  slow.reason = "timeout";
  slow.error = "read: timed out after 1s";
  conclude(timed_out, slow);
  EXPECT_EQ(timed_out.outcome, FetchOutcome::timeout);
  EXPECT_EQ(timed_out.reason, "timeout");
  EXPECT_EQ(timed_out.error, "read: timed out after 1s");
}

TEST(FetchAttemptClassify, A2xxKeepsTheUpstreamValidatorsWithinBounds) {
  const auto ok = classify(
      answer(200, "{}", {{"ETag", "W/\"v1\""}, {"Last-Modified", "Wed, 02 Dec 2026 10:00:00 GMT"}}),
      picking(), k_now);
  EXPECT_EQ(ok.validators.etag, "W/\"v1\"");
  EXPECT_EQ(ok.validators.last_modified, "Wed, 02 Dec 2026 10:00:00 GMT");
  EXPECT_EQ(ok.received_bytes, 2U);
  const auto huge =
      classify(answer(200, "{}", {{"ETag", "\"" + std::string(k_max_validator, 'a') + "\""}}),
               picking(), k_now);
  EXPECT_TRUE(huge.success);
  EXPECT_TRUE(huge.validators.empty());
}

TEST(FetchAttemptClassify, A304IsNotModifiedOnlyForAConditionalRequest) {
  const auto renewed =
      classify(answer(304, "", {{"ETag", "\"v2\""}}), picking(), k_now, Conditional::yes);
  EXPECT_TRUE(renewed.success);
  EXPECT_TRUE(renewed.not_modified);
  EXPECT_EQ(renewed.validators.etag, "\"v2\"");
  FetchResult result;
  conclude(result, renewed);
  EXPECT_EQ(result.outcome, FetchOutcome::not_modified);
  EXPECT_TRUE(succeeded(result.outcome));
  EXPECT_EQ(to_string(result.outcome), "not_modified");

  const auto unasked = classify(answer(304, ""), picking(), k_now, Conditional::no);
  EXPECT_FALSE(unasked.success);
  EXPECT_EQ(unasked.reason, "protocol");
  EXPECT_EQ(unasked.failure, resilience::AttemptFailure::permanent);
  EXPECT_EQ(unasked.error, "upstream answered 304 Not Modified to a request without validators");
}

TEST(FetchAttemptClassify, OnlyARevalidatingSourceSendsValidators) {
  const cache::Validators known{"\"v1\"", ""};
  auto source = picking();
  EXPECT_EQ(validators_to_send(source, known), known);
  source.policy.revalidate = false;
  EXPECT_TRUE(validators_to_send(source, known).empty());
}

} // namespace
} // namespace homectl::sources
