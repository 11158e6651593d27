#pragma once

#include "homectl/metrics/history.hpp"
#include "homectl/metrics/prometheus_text.hpp"

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

// What the history records each interval, worked out from two snapshots of
// the daemon's own registry taken one interval apart (no HTTP scrape).
namespace homectl::metrics {

// A series the history may hold: its name, unit and what it means.
struct SeriesKind {
  std::string_view name;
  std::string_view unit; // "1/s", "s", "ratio", "" (a source value's own unit)
  std::string_view help;
  bool per_source = false;
};

// Every kind of series, in listing order.
const std::vector<SeriesKind>& series_kinds();
const SeriesKind* find_series_kind(std::string_view name);

// The sources being recorded and the names of their values.
using SourceValues = std::map<std::string, std::vector<std::string>, std::less<>>;

// The lowest and highest value each source value took since the last take():
// the Service notes every value it reads, so the history's min and max see
// values that changed more than once within an interval. Thread-safe.
class ValueExtremes {
public:
  void note(std::string_view source, std::string_view value, double number);
  struct Range {
    double min = 0.0;
    double max = 0.0;
  };
  using Ranges = std::map<std::pair<std::string, std::string>, Range>;
  Ranges take();

private:
  std::mutex m_mutex;
  Ranges m_ranges;
};

// The readings of the interval between `earlier` and `later` (`window_s`
// seconds), at `now_unix_s`: requests and 5xx answers per second, p95 latency
// of GET /v1/sources/{name}, the cache hit ratio; per source the refreshes and
// failures per second, their mean duration, the value's age and each value
// (the last one read, with `extremes` widening its min and max). A reading
// that has no meaning for the interval (no requests, no refresh, no value) is
// left out, and the history records it as null.
std::vector<Reading> sample_interval(const Exposition& later, const Exposition& earlier,
                                     double window_s, double now_unix_s,
                                     const SourceValues& sources,
                                     const ValueExtremes::Ranges& extremes);

} // namespace homectl::metrics
