#pragma once

#include <chrono>
#include <cstddef>

// Pure timing rules of the refresh scheduler, apart from timers so they can be
// tested with injected randomness.
namespace homectl::sources {

using Duration = std::chrono::milliseconds;

// The wait until the next scheduled refresh: interval × U(0.9, 1.1), where `u`
// is uniform in [0, 1). Keeps sources from refreshing in lock-step.
Duration jittered_interval(Duration interval, double u);

// The wait before the first refresh of the `index`-th of `count` sources that
// start empty: each gets its own slice of [0, spread), jittered inside it, so a
// start with many sources neither stampedes nor keeps /ready red for long.
Duration startup_delay(std::size_t index, std::size_t count, Duration spread, double u);

} // namespace homectl::sources
