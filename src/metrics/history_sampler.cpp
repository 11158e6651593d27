#include "homectl/metrics/history_sampler.hpp"

#include <algorithm>
#include <cmath>

namespace homectl::metrics {
namespace {

constexpr std::string_view k_read_route = "/v1/sources/{name}";

// Counter increases since `earlier`, summed per value of label `by` ("" = all in one).
std::map<std::string, double, std::less<>> deltas(const Exposition& later,
                                                  const Exposition& earlier,
                                                  std::string_view family, std::string_view by) {
  std::map<std::string, double, std::less<>> out;
  const auto* f = later.find(family);
  if (f == nullptr) {
    return out;
  }
  const auto* old = earlier.find(family);
  for (const auto& s : f->samples) {
    if (s.name != f->name) {
      continue;
    }
    out[by.empty() ? std::string{} : s.label(by).value_or("")] += counter_delta(s, old);
  }
  return out;
}

SeriesId source_series(std::string_view name, const std::string& source) {
  return SeriesId{std::string(name), {{"source", source}}};
}

void add(std::vector<Reading>& out, SeriesId id, double value) {
  if (std::isfinite(value)) {
    out.push_back(Reading{std::move(id), value, false, 0.0, 0.0});
  }
}

// Each series of histogram `family` in `later` with the same series in
// `earlier` (null when it is new). A malformed family gives nothing.
struct HistogramPair {
  HistogramSeries now;
  const HistogramSeries* before = nullptr;
};
class HistogramPairs {
public:
  HistogramPairs(const Exposition& later, const Exposition& earlier, std::string_view family) {
    // m_pairs points into m_before: never copied or moved.
    const auto* f = later.find(family);
    if (f == nullptr) {
      return;
    }
    auto now = histogram_series(*f);
    if (!now) {
      return;
    }
    if (const auto* o = earlier.find(family)) {
      if (auto before = histogram_series(*o)) {
        m_before = std::move(before).value();
      }
    }
    for (auto& s : *now) {
      HistogramPair pair{std::move(s), nullptr};
      for (const auto& b : m_before) {
        if (b.labels == pair.now.labels) {
          pair.before = &b;
        }
      }
      m_pairs.push_back(std::move(pair));
    }
  }
  HistogramPairs(const HistogramPairs&) = delete;
  HistogramPairs& operator=(const HistogramPairs&) = delete;
  auto begin() const { return m_pairs.begin(); }
  auto end() const { return m_pairs.end(); }

private:
  std::vector<HistogramSeries> m_before;
  std::vector<HistogramPair> m_pairs;
};

// Requests, 5xx answers, p95 of source reads and the cache hit ratio.
void sample_server(const Exposition& later, const Exposition& earlier, double window_s,
                   std::vector<Reading>& out) {
  double requests = 0.0;
  double errors = 0.0;
  if (const auto* f = later.find("homectl_http_requests_total")) {
    const auto* old = earlier.find(f->name);
    for (const auto& s : f->samples) {
      const double delta = counter_delta(s, old);
      requests += delta;
      if (s.label("code").value_or("").starts_with('5')) {
        errors += delta;
      }
    }
  }
  add(out, SeriesId{"requests", {}}, requests / window_s);
  add(out, SeriesId{"errors", {}}, errors / window_s);

  for (const auto& [now, before] :
       HistogramPairs(later, earlier, "homectl_http_request_duration_seconds")) {
    if (now.label("route") != k_read_route) {
      continue;
    }
    const auto buckets = before ? bucket_delta(now.buckets, before->buckets) : now.buckets;
    if (const auto p95 = histogram_quantile(0.95, buckets)) {
      add(out, SeriesId{"latency_p95", {}}, *p95);
    }
  }

  const auto lookups = deltas(later, earlier, "homectl_cache_lookups_total", "result");
  double total = 0.0;
  for (const auto& [result, count] : lookups) {
    total += count;
  }
  if (total > 0) {
    const auto hits = lookups.find("hit");
    add(out, SeriesId{"cache_hit_ratio", {}}, hits == lookups.end() ? 0.0 : hits->second / total);
  }
}

// The mean refresh duration per source over the interval.
std::map<std::string, double, std::less<>> mean_durations(const Exposition& later,
                                                          const Exposition& earlier) {
  std::map<std::string, double, std::less<>> out;
  for (const auto& [now, before] :
       HistogramPairs(later, earlier, "homectl_source_request_duration_seconds")) {
    double sum = now.sum;
    double count = now.count;
    if (before != nullptr && before->count <= now.count) {
      sum -= before->sum;
      count -= before->count;
    }
    if (count > 0) {
      out[now.label("source").value_or("")] = sum / count;
    }
  }
  return out;
}

void sample_sources(const Exposition& later, const Exposition& earlier, double window_s,
                    double now_unix_s, const SourceValues& sources,
                    const ValueExtremes::Ranges& extremes, std::vector<Reading>& out) {
  const auto fetches = deltas(later, earlier, "homectl_source_requests_total", "source");
  const auto failures = deltas(later, earlier, "homectl_source_failures_total", "source");
  const auto durations = mean_durations(later, earlier);
  std::map<std::string, double, std::less<>> last_success;
  if (const auto* f = later.find("homectl_source_last_success_timestamp_seconds")) {
    for (const auto& s : f->samples) {
      last_success[s.label("source").value_or("")] = s.value;
    }
  }
  std::map<std::pair<std::string, std::string>, double> values;
  if (const auto* f = later.find("homectl_source_value")) {
    for (const auto& s : f->samples) {
      values[{s.label("source").value_or(""), s.label("value").value_or("")}] = s.value;
    }
  }
  for (const auto& [source_name, value_names] : sources) {
    const std::string& source = source_name; // a lambda may not capture a structured binding
    const auto count = [&](const auto& table) {
      const auto it = table.find(source);
      return it == table.end() ? 0.0 : it->second;
    };
    add(out, source_series("fetches", source), count(fetches) / window_s);
    add(out, source_series("failures", source), count(failures) / window_s);
    if (const auto it = durations.find(source); it != durations.end()) {
      add(out, source_series("fetch_duration", source), it->second);
    }
    if (const auto it = last_success.find(source); it != last_success.end() && it->second > 0) {
      add(out, source_series("age", source), std::max(0.0, now_unix_s - it->second));
    }
    for (const auto& name : value_names) {
      const auto it = values.find({source, name});
      if (it == values.end() || !std::isfinite(it->second)) {
        continue;
      }
      Reading reading{SeriesId{"value", {{"source", source}, {"value", name}}}, it->second, true,
                      it->second, it->second};
      if (const auto range = extremes.find({source, name}); range != extremes.end()) {
        reading.min = std::min(reading.min, range->second.min);
        reading.max = std::max(reading.max, range->second.max);
      }
      out.push_back(std::move(reading));
    }
  }
}

} // namespace

const std::vector<SeriesKind>& series_kinds() {
  static const std::vector<SeriesKind> kinds{
      {"requests", "1/s", "HTTP requests answered per second", false},
      {"errors", "1/s", "5xx answers per second", false},
      {"latency_p95", "s", "95th percentile latency of GET /v1/sources/{name}", false},
      {"cache_hit_ratio", "ratio", "share of source reads answered fresh from memory", false},
      {"fetches", "1/s", "upstream refreshes per second", true},
      {"failures", "1/s", "failed upstream refreshes per second", true},
      {"fetch_duration", "s", "mean duration of the refreshes that ended in the interval", true},
      {"age", "s", "age of the last good value at the end of the interval", true},
      {"value", "", "a number from the source's values; min and max over the interval", true},
  };
  return kinds;
}

const SeriesKind* find_series_kind(std::string_view name) {
  for (const auto& kind : series_kinds()) {
    if (kind.name == name) {
      return &kind;
    }
  }
  return nullptr;
}

void ValueExtremes::note(std::string_view source, std::string_view value, double number) {
  if (!std::isfinite(number)) {
    return;
  }
  std::lock_guard lock(m_mutex);
  auto [it, added] =
      m_ranges.try_emplace({std::string(source), std::string(value)}, Range{number, number});
  if (!added) {
    it->second.min = std::min(it->second.min, number);
    it->second.max = std::max(it->second.max, number);
  }
}

ValueExtremes::Ranges ValueExtremes::take() {
  std::lock_guard lock(m_mutex);
  return std::exchange(m_ranges, {});
}

std::vector<Reading> sample_interval(const Exposition& later, const Exposition& earlier,
                                     double window_s, double now_unix_s,
                                     const SourceValues& sources,
                                     const ValueExtremes::Ranges& extremes) {
  std::vector<Reading> out;
  if (!(window_s > 0)) {
    return out;
  }
  sample_server(later, earlier, window_s, out);
  sample_sources(later, earlier, window_s, now_unix_s, sources, extremes, out);
  return out;
}

} // namespace homectl::metrics
