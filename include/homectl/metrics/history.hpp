#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The in-memory history: one reading per series per interval, kept in
// fixed-size rings for `capacity` intervals. Nothing is written to disk; a
// restart starts empty. Memory is allocated when a series first appears, is
// freed when its series is dropped, and never passes `max_bytes` (a series
// that would pass it is not kept). Thread-safe: one mutex, no I/O under it.
namespace homectl::metrics {

// A series: a name and its labels (sorted by label name), e.g.
// {"fetch_duration", {{"source", "weather"}}}.
struct SeriesId {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;

  // The value of label `label_name`, or "" when it has none.
  std::string_view label(std::string_view label_name) const;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  auto operator<=>(const SeriesId&) const = default;
};

// One interval's reading of one series. `ranged` series (source values) also
// keep the interval's minimum and maximum.
struct Reading {
  SeriesId id;
  double value = 0.0;
  bool ranged = false;
  double min = 0.0;
  double max = 0.0;
};

struct HistoryLimits {
  std::chrono::milliseconds interval{60'000};
  std::size_t capacity = 2880; // intervals kept per series
  std::size_t max_bytes = std::size_t{16} * 1024 * 1024;
};

// One point of an answer: the start of its step (Unix seconds) and the mean
// of the readings in it; nullopt when nothing was recorded in the whole step.
struct HistoryPoint {
  std::int64_t unix_s = 0;
  std::optional<double> value;
  std::optional<double> min; // ranged series only
  std::optional<double> max;
};

struct SeriesData {
  SeriesId id;
  bool ranged = false;
  std::int64_t step_s = 0;
  std::vector<HistoryPoint> points;
};

struct HistoryQuery {
  std::string name;
  std::map<std::string, std::string> labels; // every one must match
  std::chrono::milliseconds since{0};        // 0 = everything kept
  std::chrono::milliseconds step{0};         // 0 = one interval; rounded up to whole intervals
  std::size_t max_points = 100'000;          // over all series; the step grows to fit
};

class History {
public:
  explicit History(HistoryLimits limits);
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Records the interval that starts at `start` (a multiple of the interval
  // since the epoch; other times are rounded down). Series without a reading
  // get none (null) for it; intervals skipped since the last record become
  // null for every series. An interval older than the rings is ignored.
  void record(std::chrono::system_clock::time_point start, const std::vector<Reading>& readings);

  // Keeps only the series `keep` says yes to (e.g. sources removed on reload).
  template <typename Keep>
  void retain(Keep&& keep) {
    std::lock_guard lock(m_mutex);
    std::erase_if(m_series, [&](const auto& item) { return !keep(item.first); });
  }

  // Every series kept, in name and label order, and whether it is ranged.
  std::vector<std::pair<SeriesId, bool>> list() const;

  // The series called `query.name` whose labels match, over the last
  // `query.since` before `now` (whole intervals that have ended), one point
  // per step.
  std::vector<SeriesData> query(const HistoryQuery& query,
                                std::chrono::system_clock::time_point now) const;

  // Memory held by the rings and their bookkeeping.
  std::size_t bytes() const;
  // Series not kept because they would have passed max_bytes.
  std::uint64_t refused_series() const;

  const HistoryLimits& limits() const { return m_limits; }

private:
  struct Ring {
    bool ranged = false;
    std::unique_ptr<float[]> slots; // capacity values, then (ranged) mins, then maxes
  };
  std::size_t ring_bytes(const SeriesId& id, bool ranged) const;
  std::size_t bytes_locked() const;
  void clear_slots(std::int64_t from, std::int64_t to); // [from, to) in interval numbers
  void write(Ring& ring, std::int64_t index, const Reading& reading) const;

  HistoryLimits m_limits;
  mutable std::mutex m_mutex;
  std::map<SeriesId, Ring> m_series;
  std::int64_t m_next = -1; // the interval number after the newest recorded; -1 = none yet
  std::uint64_t m_refused = 0;
};

} // namespace homectl::metrics
