#pragma once

#include "homectl/util/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// A parser for the Prometheus text exposition format 0.0.4 (what /metrics
// serves), plus histogram helpers for the client side: bucket grouping and
// quantile estimation the way PromQL's histogram_quantile() does it.
namespace homectl::metrics {

// The declared type of a metric family (# TYPE); `untyped` when none was given.
enum class MetricType { counter, gauge, histogram, summary, untyped };

// The lower-case name used in # TYPE lines ("counter", ...).
std::string_view to_string(MetricType type);

// One label pair of a sample.
struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};

// One sample line. Labels are sorted by name, so two samples with the same
// label set compare equal however the exposition ordered them.
struct Sample {
  std::string name;
  std::vector<Label> labels;
  double value = 0.0;
  std::optional<std::int64_t> timestamp_ms;

  // The value of label `name`, or nullopt when the sample has no such label.
  std::optional<std::string> label(std::string_view label_name) const;
};

// A metric family: HELP, TYPE and every sample that belongs to it (for a
// histogram: the _bucket, _sum and _count samples).
struct MetricFamily {
  std::string name;
  MetricType type = MetricType::untyped;
  std::string help;
  std::vector<Sample> samples;
};

// A whole parsed /metrics answer, families in the order they first appeared.
struct Exposition {
  std::vector<MetricFamily> families;

  // The family called `name`, or nullptr.
  const MetricFamily* find(std::string_view name) const;
};

// Parses the text format. A malformed line gives an Error naming the line
// number and the problem, e.g. `line 7: label value for "route" is not terminated`.
Result<Exposition> parse_prometheus_text(std::string_view text);

// One cumulative histogram bucket: `count` observations were <= `upper_bound`.
struct Bucket {
  double upper_bound = 0.0;
  double count = 0.0;
};

// One histogram series: its labels (without `le`), buckets sorted by bound
// (the last one is +Inf when the exposition is well formed), sum and count.
struct HistogramSeries {
  std::vector<Label> labels;
  std::vector<Bucket> buckets;
  double sum = 0.0;
  double count = 0.0;

  // The value of label `name`, or nullopt.
  std::optional<std::string> label(std::string_view label_name) const;
};

// Groups the samples of a histogram family into one series per label set.
// A bucket without a parseable `le` label gives an Error.
Result<std::vector<HistogramSeries>> histogram_series(const MetricFamily& family);

// Estimates the q-quantile (0 <= q <= 1) from cumulative buckets by linear
// interpolation inside the bucket that holds the rank, as PromQL does. Returns
// nullopt when there are no observations or no +Inf bucket.
std::optional<double> histogram_quantile(double q, std::span<const Bucket> buckets);

// The value of counter `sample` minus the same series in `earlier` (the same
// family in an earlier snapshot); a reset (the value went down) or a series
// `earlier` lacks counts the whole later value.
double counter_delta(const Sample& sample, const MetricFamily* earlier);

// Subtracts an earlier snapshot's buckets from a later one (for rates over a
// window); bounds present only in `later` are kept as they are.
std::vector<Bucket> bucket_delta(std::span<const Bucket> later, std::span<const Bucket> earlier);

} // namespace homectl::metrics
