#include "homectl/metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace homectl::metrics;

namespace {

const char* const k_exposition =
    R"(# HELP homectl_http_requests_total HTTP requests by route, method and code.
# TYPE homectl_http_requests_total counter
homectl_http_requests_total{route="/ready",method="GET",code="200"} 12
homectl_http_requests_total{code="503",method="GET",route="/ready"} 3 1700000000000
# A free comment
# HELP homectl_http_request_duration_seconds Request latency.\nSecond line \\ end
# TYPE homectl_http_request_duration_seconds histogram
homectl_http_request_duration_seconds_bucket{route="/ready",le="0.005"} 5
homectl_http_request_duration_seconds_bucket{route="/ready",le="0.01"} 10
homectl_http_request_duration_seconds_bucket{route="/ready",le="+Inf"} 15
homectl_http_request_duration_seconds_sum{route="/ready"} 0.12
homectl_http_request_duration_seconds_count{route="/ready"} 15

homectl_redis_up 1
weird{v="a \"quoted\" \\ back\nslash",} NaN
neg -Inf
plus +1.5e3
)";

} // namespace

TEST(PrometheusText, ParsesFamiliesHelpTypeAndSamples) {
  auto parsed = parse_prometheus_text(k_exposition);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->families.size(), 6U);

  const auto* requests = parsed->find("homectl_http_requests_total");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->type, MetricType::counter);
  EXPECT_EQ(requests->help, "HTTP requests by route, method and code.");
  ASSERT_EQ(requests->samples.size(), 2U);
  EXPECT_EQ(requests->samples[1].labels.size(), 3U);
  // Labels come back sorted by name whatever order the exposition used.
  EXPECT_EQ(requests->samples[1].labels[0].name, "code");
  EXPECT_EQ(requests->samples[1].labels[2].name, "route");
  EXPECT_EQ(requests->samples[1].label("code"), "503");
  EXPECT_EQ(requests->samples[1].timestamp_ms, 1700000000000);
  EXPECT_FALSE(requests->samples[0].timestamp_ms);
  EXPECT_DOUBLE_EQ(requests->samples[0].value, 12.0);

  const auto* latency = parsed->find("homectl_http_request_duration_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->type, MetricType::histogram);
  EXPECT_EQ(latency->help, "Request latency.\nSecond line \\ end");
  EXPECT_EQ(latency->samples.size(), 5U);

  const auto* weird = parsed->find("weird");
  ASSERT_NE(weird, nullptr);
  EXPECT_EQ(weird->type, MetricType::untyped);
  EXPECT_EQ(weird->samples[0].label("v"), "a \"quoted\" \\ back\nslash");
  EXPECT_TRUE(std::isnan(weird->samples[0].value));
  EXPECT_EQ(parsed->find("neg")->samples[0].value, -INFINITY);
  EXPECT_DOUBLE_EQ(parsed->find("plus")->samples[0].value, 1500.0);
  EXPECT_EQ(parsed->find("missing"), nullptr);
}

TEST(PrometheusText, GroupsHistogramSeries) {
  auto parsed = parse_prometheus_text(k_exposition);
  ASSERT_TRUE(parsed);
  auto series = histogram_series(*parsed->find("homectl_http_request_duration_seconds"));
  ASSERT_TRUE(series) << series.error().message;
  ASSERT_EQ(series->size(), 1U);
  const auto& s = series->front();
  EXPECT_EQ(s.label("route"), "/ready");
  EXPECT_FALSE(s.label("le"));
  ASSERT_EQ(s.buckets.size(), 3U);
  EXPECT_DOUBLE_EQ(s.buckets[0].upper_bound, 0.005);
  EXPECT_TRUE(std::isinf(s.buckets[2].upper_bound));
  EXPECT_DOUBLE_EQ(s.sum, 0.12);
  EXPECT_DOUBLE_EQ(s.count, 15.0);
}

TEST(PrometheusText, AcceptsEmptyInputAndCrLf) {
  auto empty = parse_prometheus_text("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->families.empty());
  auto crlf = parse_prometheus_text("a 1\r\nb{x=\"y\"} 2\r\n");
  ASSERT_TRUE(crlf) << crlf.error().message;
  EXPECT_EQ(crlf->families.size(), 2U);
}

struct Malformed {
  const char* text;
  const char* message;
};

class PrometheusTextMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(PrometheusTextMalformed, GivesLineNumberedError) {
  auto parsed = parse_prometheus_text(GetParam().text);
  ASSERT_FALSE(parsed) << "accepted: " << GetParam().text;
  EXPECT_EQ(parsed.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PrometheusTextMalformed,
    testing::Values(
        Malformed{"a 1\nb{x=\"y} 2\n", "line 2: label value for \"x\" is not terminated"},
        Malformed{"a{x=y} 1", "line 1: label value for \"x\" is not quoted"},
        Malformed{"a{x=\"\\t\"} 1", "line 1: invalid escape \"\\t\" in label value for \"x\""},
        Malformed{"a{x=\"1\",x=\"2\"} 1", "line 1: label \"x\" appears twice in \"a\""},
        Malformed{"a{x=\"1\" y=\"2\"} 1", "line 1: expected ',' or '}' after label \"x\""},
        Malformed{"a{1x=\"1\"} 1", "line 1: expected a label name in \"a\""},
        Malformed{"a", "line 1: sample \"a\" has no value"},
        Malformed{"a abc", "line 1: value \"abc\" of \"a\" is not a number"},
        Malformed{"a 1 12x", "line 1: timestamp \"12x\" of \"a\" is not an integer"},
        Malformed{"a 1 2 3", "line 1: unexpected \"3\" after the sample \"a\""},
        Malformed{"<html>", "line 1: expected a metric name, found \"<html>\""},
        Malformed{"# TYPE a countr\n", "line 1: unknown metric type \"countr\" for \"a\" (expected "
                                       "counter, gauge, histogram, summary or untyped)"},
        Malformed{"a 1\n# TYPE a gauge", "line 2: TYPE line for \"a\" after its samples"},
        Malformed{"# TYPE a gauge\n# TYPE a gauge", "line 2: second TYPE line for \"a\""},
        Malformed{"# HELP a x\n# HELP a y", "line 2: second HELP line for \"a\""},
        Malformed{"# TYPE h histogram\nh_bucket 1",
                  "line 2: histogram bucket \"h_bucket\" has no \"le\" label"},
        Malformed{"# TYPE h histogram\nh_bucket{le=\"x\"} 1",
                  "line 2: histogram bucket \"h_bucket\" has le=\"x\", which is not a number"},
        Malformed{"# TYPE h histogram\nh 1",
                  "line 2: histogram \"h\" has a bare sample (expected _bucket, _sum or _count)"},
        Malformed{"# TYPE", "line 1: TYPE line without a metric name"}));

TEST(HistogramQuantile, InterpolatesInsideTheBucket) {
  // 10 observations <= 0.1, 20 more <= 0.5 (30), 10 more <= 1 (40), none above.
  const std::vector<Bucket> buckets{{0.1, 10}, {0.5, 30}, {1.0, 40}, {INFINITY, 40}};
  // p50: rank 20 lies in (0.1, 0.5] at 10/20 of the bucket: 0.1 + 0.4 * 0.5 = 0.3.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, buckets), 0.3);
  // p95: rank 38 in (0.5, 1] at 8/10: 0.5 + 0.5 * 0.8 = 0.9.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.95, buckets), 0.9);
  // p99: rank 39.6 → 0.5 + 0.5 * 0.96 = 0.98.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.99, buckets), 0.98);
  // p25: rank 10 is exactly the first bucket's count → its upper bound 0.1.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.25, buckets), 0.1);
  // The first bucket interpolates from 0: rank 5 of 10 → 0.05.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.125, buckets), 0.05);
}

TEST(HistogramQuantile, RankInInfBucketGivesHighestFiniteBound) {
  const std::vector<Bucket> buckets{{0.1, 5}, {1.0, 8}, {INFINITY, 10}};
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.99, buckets), 1.0);
}

TEST(HistogramQuantile, NoObservationsOrNoInfBucketGivesNothing) {
  const std::vector<Bucket> empty{{0.1, 0}, {INFINITY, 0}};
  EXPECT_FALSE(histogram_quantile(0.5, empty));
  const std::vector<Bucket> no_inf{{0.1, 3}, {1.0, 5}};
  EXPECT_FALSE(histogram_quantile(0.5, no_inf));
  EXPECT_FALSE(histogram_quantile(0.5, std::vector<Bucket>{}));
}

TEST(HistogramQuantile, DeltaOfTwoSnapshotsGivesTheWindow) {
  const std::vector<Bucket> before{{0.1, 10}, {1.0, 20}, {INFINITY, 20}};
  const std::vector<Bucket> after{{0.1, 10}, {1.0, 30}, {INFINITY, 30}};
  auto window = bucket_delta(after, before);
  ASSERT_EQ(window.size(), 3U);
  EXPECT_DOUBLE_EQ(window[0].count, 0.0);
  EXPECT_DOUBLE_EQ(window[1].count, 10.0);
  // All new observations were in (0.1, 1]: the median is halfway.
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, window), 0.55);
  // A reset (counts went down) makes the later snapshot the whole window.
  auto reset = bucket_delta(before, after);
  EXPECT_DOUBLE_EQ(reset[1].count, 20.0);
}
