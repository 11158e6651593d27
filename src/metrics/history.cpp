#include "homectl/metrics/history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace homectl::metrics {
namespace {

constexpr float k_null = std::numeric_limits<float>::quiet_NaN();

std::int64_t interval_number(std::chrono::system_clock::time_point t,
                             std::chrono::milliseconds interval) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return ms >= 0 ? ms / interval.count() : 0;
}

bool matches(const SeriesId& id, const HistoryQuery& query) {
  if (id.name != query.name) {
    return false;
  }
  return std::all_of(query.labels.begin(), query.labels.end(),
                     [&](const auto& label) { return id.label(label.first) == label.second; });
}

// Mean, min and max of the non-null readings of one step.
struct Accumulator {
  double sum = 0.0;
  std::size_t count = 0;
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();

  void add(float value, float low, float high) {
    if (std::isnan(value)) {
      return;
    }
    sum += value;
    ++count;
    min = std::min(min, std::isnan(low) ? value : low);
    max = std::max(max, std::isnan(high) ? value : high);
  }
  HistoryPoint point(std::int64_t unix_s, bool ranged) const {
    HistoryPoint p{unix_s, std::nullopt, std::nullopt, std::nullopt};
    if (count > 0) {
      p.value = sum / static_cast<double>(count);
      if (ranged) {
        p.min = min;
        p.max = max;
      }
    }
    return p;
  }
};

} // namespace

std::string_view SeriesId::label(std::string_view label_name) const {
  for (const auto& [key, value] : labels) {
    if (key == label_name) {
      return value;
    }
  }
  return {};
}

History::History(HistoryLimits limits) : m_limits(limits) {
  m_limits.interval = std::max(m_limits.interval, std::chrono::milliseconds{1});
  m_limits.capacity = std::max<std::size_t>(m_limits.capacity, 1);
}

std::size_t History::ring_bytes(const SeriesId& id, bool ranged) const {
  std::size_t bytes = sizeof(Ring) + sizeof(SeriesId) + id.name.capacity() + 64; // map node
  for (const auto& [name, value] : id.labels) {
    bytes += 2 * sizeof(std::string) + name.capacity() + value.capacity();
  }
  return bytes + m_limits.capacity * (ranged ? 3 : 1) * sizeof(float);
}

std::size_t History::bytes_locked() const {
  std::size_t total = sizeof(History);
  for (const auto& [id, ring] : m_series) {
    total += ring_bytes(id, ring.ranged);
  }
  return total;
}

std::size_t History::bytes() const {
  std::lock_guard lock(m_mutex);
  return bytes_locked();
}

std::uint64_t History::refused_series() const {
  std::lock_guard lock(m_mutex);
  return m_refused;
}

void History::clear_slots(std::int64_t from, std::int64_t to) {
  const auto capacity = static_cast<std::int64_t>(m_limits.capacity);
  if (capacity == 0) {
    return;
  }
  if (to - from >= capacity) {
    from = to - capacity; // every slot is cleared once
  }
  for (auto& [id, ring] : m_series) {
    const int columns = ring.ranged ? 3 : 1;
    for (std::int64_t i = from; i < to; ++i) {
      const auto slot = static_cast<std::size_t>(i % capacity);
      for (int c = 0; c < columns; ++c) {
        ring.slots[static_cast<std::size_t>(c) * m_limits.capacity + slot] = k_null;
      }
    }
  }
}

void History::write(Ring& ring, std::int64_t index, const Reading& reading) const {
  const auto slot = static_cast<std::size_t>(index % static_cast<std::int64_t>(m_limits.capacity));
  ring.slots[slot] = static_cast<float>(reading.value);
  if (ring.ranged) {
    ring.slots[m_limits.capacity + slot] =
        static_cast<float>(reading.ranged ? reading.min : reading.value);
    ring.slots[2 * m_limits.capacity + slot] =
        static_cast<float>(reading.ranged ? reading.max : reading.value);
  }
}

void History::record(std::chrono::system_clock::time_point start,
                     const std::vector<Reading>& readings) {
  const auto index = interval_number(start, m_limits.interval);
  std::lock_guard lock(m_mutex);
  const auto capacity = static_cast<std::int64_t>(m_limits.capacity);
  if (m_next < 0) {
    m_next = index + 1;
  } else if (index >= m_next) {
    clear_slots(m_next, index + 1);
    m_next = index + 1;
  } else if (index < m_next - capacity) {
    return; // older than anything kept
  }
  std::size_t total = bytes_locked();
  for (const auto& reading : readings) {
    auto it = m_series.find(reading.id);
    if (it == m_series.end()) {
      const auto cost = ring_bytes(reading.id, reading.ranged);
      if (total + cost > m_limits.max_bytes) {
        ++m_refused;
        continue;
      }
      total += cost;
      const std::size_t size = m_limits.capacity * (reading.ranged ? 3 : 1);
      Ring ring{reading.ranged, std::make_unique<float[]>(size)};
      std::fill_n(ring.slots.get(), size, k_null);
      it = m_series.emplace(reading.id, std::move(ring)).first;
    }
    write(it->second, index, reading);
  }
}

std::vector<std::pair<SeriesId, bool>> History::list() const {
  std::lock_guard lock(m_mutex);
  std::vector<std::pair<SeriesId, bool>> out;
  out.reserve(m_series.size());
  for (const auto& [id, ring] : m_series) {
    out.emplace_back(id, ring.ranged);
  }
  return out;
}

std::vector<SeriesData> History::query(const HistoryQuery& query,
                                       std::chrono::system_clock::time_point now) const {
  const auto interval_ms = m_limits.interval.count();
  const auto capacity = static_cast<std::int64_t>(m_limits.capacity);
  // Whole intervals that have ended: [first, end).
  const std::int64_t end = interval_number(now, m_limits.interval);
  std::int64_t span = capacity;
  if (query.since.count() > 0) {
    span = std::min(
        span, std::max<std::int64_t>(1, (query.since.count() + interval_ms - 1) / interval_ms));
  }
  const std::int64_t first = end - span;
  std::int64_t step =
      std::max<std::int64_t>(1, (query.step.count() + interval_ms - 1) / interval_ms);

  std::lock_guard lock(m_mutex);
  std::vector<const std::pair<const SeriesId, Ring>*> chosen;
  for (const auto& item : m_series) {
    if (matches(item.first, query)) {
      chosen.push_back(&item);
    }
  }
  // Grow the step until the answer fits max_points.
  const auto points_at = [&](std::int64_t s) {
    const std::int64_t from = first / s * s;
    return static_cast<std::size_t>((end - from + s - 1) / s) * chosen.size();
  };
  while (!chosen.empty() && points_at(step) > std::max<std::size_t>(query.max_points, 1) &&
         step < span) {
    step = std::min(span, step * 2);
  }
  // Steps are aligned to multiples of the step since the epoch, so the same
  // step always covers the same intervals.
  const std::int64_t first_step = first / step * step;
  const std::int64_t oldest_kept = m_next < 0 ? end : m_next - capacity;
  std::vector<SeriesData> out;
  out.reserve(chosen.size());
  for (const auto* item : chosen) {
    const auto& ring = item->second;
    SeriesData data{item->first, ring.ranged, step * interval_ms / 1000, {}};
    data.points.reserve(static_cast<std::size_t>((end - first_step + step - 1) / step));
    for (std::int64_t s = first_step; s < end; s += step) {
      Accumulator acc;
      const std::int64_t from = std::max({s, first, oldest_kept});
      const std::int64_t to = std::min({s + step, end, m_next < 0 ? end : m_next});
      for (std::int64_t i = from; i < to; ++i) {
        const auto slot = static_cast<std::size_t>(i % capacity);
        acc.add(ring.slots[slot], ring.ranged ? ring.slots[m_limits.capacity + slot] : k_null,
                ring.ranged ? ring.slots[2 * m_limits.capacity + slot] : k_null);
      }
      data.points.push_back(acc.point(s * interval_ms / 1000, ring.ranged));
    }
    out.push_back(std::move(data));
  }
  return out;
}

} // namespace homectl::metrics
