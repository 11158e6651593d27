#include "support/fake_upstream.hpp"
#include "support/fetch_runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace homectl::test {
namespace {

using namespace std::chrono_literals;
using sources::FetchOutcome;
using ::testing::HasSubstr;

class FetchTls : public ::testing::Test {
protected:
  void SetUp() override {
    if (auto why = FakeUpstream::tls_unavailable()) {
      GTEST_SKIP() << "TLS fake upstream unavailable: " << *why;
    }
    up = std::make_unique<FakeUpstream>(FakeUpstream::Options{.tls = true});
    up->on("/w", {FakeResponse::json(R"({"secure":true})")});
  }

  config::SourceConfig source(const std::string& url) {
    config::SourceConfig s;
    s.name = "tls";
    s.url = url;
    s.policy.timeout = 3000ms;
    s.policy.retries = 2;
    s.policy.retry_backoff = 10ms;
    return s;
  }

  std::unique_ptr<FakeUpstream> up;
  FetchRunner runner;
};

TEST_F(FetchTls, UnknownCaFailsVerificationAndIsNotRetried) {
  auto result = runner.fetch(source(up->url("/w")));
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_THAT(result.error, HasSubstr("tls: certificate verify failed"));
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(up->count("/w"), 0);
}

TEST_F(FetchTls, CaFileMakesTheCertificateTrusted) {
  auto s = source(up->url("/w"));
  s.ca_file = up->ca_file();
  auto result = runner.fetch(s);
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
  EXPECT_EQ(result.body, R"({"secure":true})");
}

TEST_F(FetchTls, HostNameIsVerifiedAndSentAsSni) {
  auto s = source("https://localhost:" + std::to_string(up->port()) + "/w");
  s.ca_file = up->ca_file();
  auto result = runner.fetch(s);
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
}

TEST_F(FetchTls, WrongCaFileFails) {
  auto s = source(up->url("/w"));
  s.ca_file = up->other_ca_file();
  auto result = runner.fetch(s);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_THAT(result.error, HasSubstr("tls: certificate verify failed"));
}

TEST_F(FetchTls, MissingCaFileIsReportedByPath) {
  auto s = source(up->url("/w"));
  s.ca_file = "/nonexistent/homectl-ca.pem";
  auto result = runner.fetch(s);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_THAT(result.error, HasSubstr("tls: ca_file \"/nonexistent/homectl-ca.pem\": cannot load"));
}

TEST_F(FetchTls, CertificateForAnotherHostFails) {
  FakeUpstream wrong(FakeUpstream::Options{.tls = true, .wrong_host = true});
  wrong.on("/w", {FakeResponse::json("{}")});
  auto s = source(wrong.url("/w"));
  s.ca_file = wrong.ca_file();
  auto result = runner.fetch(s);
  EXPECT_EQ(result.outcome, FetchOutcome::error);
  EXPECT_EQ(result.error,
            "tls: certificate verify failed: the certificate does not match host \"127.0.0.1\"");
  s.policy.tls_verify = false;
  EXPECT_EQ(runner.fetch(s).outcome, FetchOutcome::ok) << "tls_verify: false skips the name check";
}

TEST_F(FetchTls, VerificationCanBeTurnedOff) {
  auto s = source(up->url("/w"));
  s.policy.tls_verify = false;
  auto result = runner.fetch(s);
  EXPECT_EQ(result.outcome, FetchOutcome::ok) << result.error;
}

} // namespace
} // namespace homectl::test
