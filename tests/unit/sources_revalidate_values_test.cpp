// The Service's side of conditional refreshes (a 304 renews the entry) and of
// `values` (read from each new body, exported while servable).
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/service.hpp"
#include "sources_fakes.hpp"

#include <gtest/gtest.h>

namespace homectl::sources {
namespace {

using namespace std::chrono_literals;
using testing::FakeFetcher;
using testing::make_source;

FetchResult with_validators(FetchResult result, std::string etag, std::string last_modified = {}) {
  result.validators = {std::move(etag), std::move(last_modified)};
  result.received_bytes = result.body.size();
  return result;
}

FetchResult not_modified(std::string etag = {}) {
  FetchResult r;
  r.outcome = FetchOutcome::not_modified;
  r.status = 304;
  r.validators.etag = std::move(etag);
  r.attempts = 1;
  return r;
}

TEST(SourcesRevalidate, A304RenewsTheEntryWithoutAnEventOrANewBody) {
  testing::ServiceFixture f;
  std::vector<Event> events;
  f.service.events().subscribe([&](const Event& e) { events.push_back(e); });
  f.fetcher.script.push_back(
      with_validators(FakeFetcher::ok(R"({"t":1})"), "\"up1\"", "Wed, 02 Dec 2026 10:00:00 GMT"));
  const auto first = f.refresh();
  ASSERT_EQ(first.outcome, FetchOutcome::ok);
  EXPECT_TRUE(f.fetcher.last_known.empty());
  const auto body = first.entry->body;
  ASSERT_EQ(events.size(), 1U);

  f.clock.advance(90s); // stale
  f.fetcher.script.push_back(not_modified());
  const auto renewed = f.refresh();
  EXPECT_EQ(renewed.outcome, FetchOutcome::not_modified);
  EXPECT_FALSE(renewed.changed);
  EXPECT_EQ(f.fetcher.last_known.etag, "\"up1\"");
  EXPECT_EQ(f.fetcher.last_known.last_modified, "Wed, 02 Dec 2026 10:00:00 GMT");
  ASSERT_TRUE(renewed.entry);
  EXPECT_EQ(renewed.entry->body, body); // the same bytes, not a copy
  EXPECT_EQ(renewed.entry->etag, first.entry->etag);
  EXPECT_EQ(renewed.entry->validators.etag, "\"up1\"");
  EXPECT_EQ(events.size(), 1U); // no source.updated

  const auto lookup = f.get();
  EXPECT_EQ(lookup.kind, LookupKind::hit); // fresh again: the age restarted
  EXPECT_EQ(lookup.age, 0ms);
  EXPECT_EQ(f.metric(R"(homectl_source_requests_total{source="weather",outcome="not_modified"})"),
            1);
  EXPECT_EQ(f.metric(R"(homectl_source_upstream_bytes_total{source="weather"})"), 7);

  // A 304 with a new ETag keeps the body but revalidates with the new one next time.
  f.clock.advance(90s);
  f.fetcher.script.push_back(not_modified("\"up2\""));
  EXPECT_EQ(f.refresh().entry->validators.etag, "\"up2\"");
  f.clock.advance(90s);
  f.refresh();
  EXPECT_EQ(f.fetcher.last_known.etag, "\"up2\"");
  EXPECT_EQ(f.fetcher.last_known.last_modified, "Wed, 02 Dec 2026 10:00:00 GMT");
}

TEST(SourcesRevalidate, A304WithNothingCachedIsAFailedRefresh) {
  testing::ServiceFixture f;
  f.fetcher.script.push_back(not_modified());
  const auto report = f.refresh();
  EXPECT_EQ(report.outcome, FetchOutcome::error);
  EXPECT_EQ(f.metric(R"(homectl_source_failures_total{source="weather",reason="protocol"})"), 1);
}

TEST(SourcesRevalidate, TheContentTypeSettingOverridesTheUpstreams) {
  auto source = make_source();
  source.content_type = "application/geo+json";
  testing::ServiceFixture f({source});
  EXPECT_EQ(f.refresh().entry->content_type, "application/geo+json");
}

config::SourceConfig with_values() {
  auto source = make_source();
  source.values = {{"temperature", "/t"}, {"label", "/name"}, {"is_day", "/day"}};
  return source;
}

TEST(SourcesValues, ExportedWhileServableAndListed) {
  testing::ServiceFixture f({with_values()});
  const std::string temperature = R"(homectl_source_value{source="weather",value="temperature"})";
  const std::string label_errors =
      R"(homectl_source_value_errors_total{source="weather",value="label"})";
  EXPECT_EQ(f.metric(temperature), -1); // nothing fetched yet
  EXPECT_EQ(f.metric(label_errors), 0);

  f.fetcher.fallback = FakeFetcher::ok(R"({"t": 21.5, "name": "Berlin", "day": true})");
  f.refresh();
  EXPECT_EQ(f.metric(temperature), 21.5);
  EXPECT_EQ(f.metric(R"(homectl_source_value{source="weather",value="is_day"})"), 1);
  EXPECT_EQ(f.metric(R"(homectl_source_value{source="weather",value="label"})"), -1);
  EXPECT_EQ(f.metric(label_errors), 1);
  const auto views = f.service.sources();
  ASSERT_EQ(views.size(), 1U);
  EXPECT_EQ(views[0].values, (std::map<std::string, double>{{"is_day", 1}, {"temperature", 21.5}}));

  // An unchanged body (a 304) is not read again; a new one is.
  f.clock.advance(90s);
  f.fetcher.script.push_back(not_modified());
  f.refresh();
  EXPECT_EQ(f.metric(label_errors), 1);
  f.clock.advance(90s);
  f.fetcher.fallback = FakeFetcher::ok(R"({"t": "19", "name": "Berlin", "day": false})");
  f.refresh();
  EXPECT_EQ(f.metric(temperature), 19);
  EXPECT_EQ(f.metric(label_errors), 2);

  // Past ttl + stale_if_error the value is no longer exported or listed.
  f.clock.advance(3700s);
  EXPECT_EQ(f.metric(temperature), -1);
  EXPECT_TRUE(f.service.sources()[0].values.empty());
}

TEST(SourcesValues, ACommandSourceIsListedByItsProgramOnly) {
  auto source = make_source("disk");
  source.url.clear();
  source.command = {"/usr/sbin/smartctl", "-j", "--token=secret"};
  source.env = {{"TOKEN", "secret"}};
  testing::ServiceFixture f({source});
  const auto views = f.service.sources();
  ASSERT_EQ(views.size(), 1U);
  EXPECT_EQ(views[0].program, "/usr/sbin/smartctl");
  EXPECT_TRUE(views[0].url.empty());
}

} // namespace
} // namespace homectl::sources
