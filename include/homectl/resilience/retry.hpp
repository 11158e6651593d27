#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

// Pure retry policy for outbound requests: which failures are worth another
// attempt, how long to back off (full jitter), and how to read Retry-After.
// No I/O and no clock of its own, so every number is unit-testable.
namespace homectl::resilience {

using Duration = std::chrono::milliseconds;

// Returns a uniform number in [0, 1); injected so tests are deterministic.
using UniformRandom = std::function<double()>;

// A process-wide uniform [0, 1) source for production use (thread-safe).
UniformRandom default_random();

// Full-jitter backoff before retry number `retry` (0 for the first retry):
// floor(u · min(cap, base · 2^retry)) with u drawn from `random`.
Duration full_jitter_backoff(int retry, Duration base, Duration cap, const UniformRandom& random);

// Why an attempt did not produce a usable answer.
enum class AttemptFailure {
  none,      // an HTTP answer arrived (look at the status)
  connect,   // DNS or TCP connect failed
  timeout,   // the attempt's deadline passed
  tls,       // TLS handshake or certificate verification failed
  protocol,  // malformed answer, reset mid-body, ...
  too_large, // the body exceeded the size cap
  permanent, // anything else another attempt cannot fix (bad URL, redirect loop, bad JSON)
};

// True for statuses worth retrying: 429 and every 5xx.
bool is_retryable_status(int status);

// True when another attempt may help: connect failures, timeouts, broken
// connections and retryable statuses. TLS failures, size-cap violations and
// other 4xx are permanent for this refresh.
bool is_retryable(AttemptFailure failure, int status);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", also RFC 850 and asctime forms) relative
// to `now`. A date in the past gives 0 s. nullopt for anything else.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// Inputs for one retry decision.
struct RetryState {
  int retries_done = 0; // retries already made (0 after the first attempt)
  int max_retries = 0;  // the source's `retries`
  AttemptFailure failure = AttemptFailure::none;
  int status = 0;                                  // HTTP status when failure == none
  std::optional<std::chrono::seconds> retry_after; // from the answer, if any
  Duration remaining{0};                           // time left in the overall deadline
};

// How long to wait before the next attempt, or nullopt to stop. The delay is
// the full-jitter backoff, raised to Retry-After when the server sent one; a
// retry whose delay would use up the remaining time is not made.
std::optional<Duration> next_retry_delay(const RetryState& state, Duration base, Duration cap,
                                         const UniformRandom& random);

} // namespace homectl::resilience
