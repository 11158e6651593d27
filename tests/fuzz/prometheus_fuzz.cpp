// Fuzzes the Prometheus text exposition parser used by `homectl metrics`, and
// the histogram helpers it feeds: any text gives an Exposition or an Error.
#include "homectl/metrics/prometheus_text.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace homectl::metrics;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_prometheus_text(text);
  if (!parsed) {
    return 0;
  }
  for (const MetricFamily& family : parsed->families) {
    (void)parsed->find(family.name);
    for (const Sample& sample : family.samples) {
      (void)sample.label("le");
    }
    if (family.type != MetricType::histogram) {
      continue;
    }
    auto series = histogram_series(family);
    if (!series) {
      continue;
    }
    for (const HistogramSeries& one : *series) {
      for (double q : {0.0, 0.5, 0.99, 1.0}) {
        (void)histogram_quantile(q, one.buckets);
      }
      (void)bucket_delta(one.buckets, one.buckets);
    }
  }
  return 0;
}
