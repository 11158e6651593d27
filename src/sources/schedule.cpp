#include "homectl/sources/schedule.hpp"

#include <algorithm>

namespace homectl::sources {

Duration jittered_interval(Duration interval, double u) {
  u = std::clamp(u, 0.0, 1.0);
  const double factor = 0.9 + 0.2 * u;
  return std::max(Duration(1), Duration(static_cast<Duration::rep>(
                                   static_cast<double>(interval.count()) * factor)));
}

Duration startup_delay(std::size_t index, std::size_t count, Duration spread, double u) {
  if (count == 0 || spread.count() <= 0) {
    return Duration(0);
  }
  u = std::clamp(u, 0.0, 1.0);
  const double slice = static_cast<double>(spread.count()) / static_cast<double>(count);
  const double at = (static_cast<double>(std::min(index, count - 1)) + u) * slice;
  return std::min(Duration(static_cast<Duration::rep>(at)), spread - Duration(1));
}

} // namespace homectl::sources
