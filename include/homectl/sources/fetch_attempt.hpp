#pragma once

#include "homectl/config/config.hpp"
#include "homectl/http/client.hpp"
#include "homectl/resilience/retry.hpp"
#include "homectl/sources/fetcher.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// The decisions of one refresh, apart from its I/O: what an upstream answer
// comes to, and what a refresh reports once its last attempt is known.
// HttpFetcher does the waiting, the permits and the requests around them.
namespace homectl::sources {

// What one attempt came to, in the terms the retry policy and FetchResult use.
struct Attempt {
  bool success = false;
  bool not_modified = false; // success: a 304 to a conditional request
  resilience::AttemptFailure failure = resilience::AttemptFailure::none;
  int status = 0;
  std::string error;
  std::string_view reason; // FetchResult::reason (a string literal)
  std::optional<std::chrono::seconds> retry_after;
  std::string body; // the picked body on success
  std::string content_type;
  cache::Validators validators; // success: the answer's ETag / Last-Modified
  std::size_t received_bytes = 0;
};

// Whether a request carried validators (If-None-Match / If-Modified-Since).
enum class Conditional { no, yes };

// The longest validator kept; a longer ETag or Last-Modified is ignored.
inline constexpr std::size_t k_max_validator = 1024;

// The validators the answer to a conditional request would be checked with,
// or none when the source does not revalidate.
cache::Validators validators_to_send(const config::SourceConfig& source,
                                     const cache::Validators& known);

// Classifies one answer (or client failure) of `source`'s upstream: a 2xx
// body through `pick` is a success; a bad body under `pick` is a permanent
// failure (invalid_body); a 304 is a success (not modified) only when the
// request was conditional, else a permanent failure (protocol); other
// statuses and client errors fail with the reason the metrics use,
// Retry-After read from a 429 or 503 at `now`.
Attempt classify(http::ClientResponse response, const config::SourceConfig& source,
                 std::chrono::system_clock::time_point now,
                 Conditional conditional = Conditional::no);

// The client's failure kind as the retry policy sees it.
resilience::AttemptFailure to_attempt_failure(http::ClientError error);

// Fills `result` (outcome, status, body or error) from the last attempt.
void conclude(FetchResult& result, Attempt last);

// The budget of one refresh: timeout × (retries + 1). Backoff waits come out
// of it, so a refresh never takes longer than this.
std::chrono::milliseconds overall_deadline(const config::FetchPolicy& policy);

// How long to back off after the failed attempt `last` before another one, or
// nullopt to stop: after `retries_done` retries with `remaining` time left.
std::optional<std::chrono::milliseconds> retry_delay(const Attempt& last, int retries_done,
                                                     const config::FetchPolicy& policy,
                                                     std::chrono::milliseconds remaining,
                                                     const resilience::UniformRandom& random);

} // namespace homectl::sources
