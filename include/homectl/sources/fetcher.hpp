#pragma once

#include "homectl/cache/entry.hpp"
#include "homectl/config/config.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// The seam between the cache/scheduler and the network: one refresh of one
// source. The real implementation (HttpFetcher) does DNS, TLS, retries with
// jitter inside one overall deadline and the outbound concurrency caps; tests
// use fakes. Breaker and per-source rate limit are applied by the caller.
namespace homectl::sources {

enum class FetchOutcome {
  ok,           // 2xx or exit 0 with a body within max_size (valid JSON under `pick`)
  not_modified, // 304 to a conditional request: the cached body is still current
  error,        // connect failure, TLS failure, non-2xx, body too large, bad JSON ...
  timeout,      // the overall deadline passed
  breaker_open, // not sent: the circuit breaker is open (set by the caller)
  rate_limited, // not sent: the per-source outbound rate limit is exhausted (set by the caller)
};

std::string_view to_string(FetchOutcome outcome);

// True for the outcomes that leave the source with a current value (ok, not_modified).
bool succeeded(FetchOutcome outcome);

struct FetchResult {
  FetchOutcome outcome = FetchOutcome::error;
  int status = 0;           // last upstream HTTP status, 0 when none was received
  std::string body;         // the (picked) body on ok
  std::string content_type; // upstream Content-Type on ok
  std::string error;        // human-readable reason when not ok, e.g. "connect: Connection refused"
  // Why a sent refresh failed, as a metric label (a string literal): connect,
  // tls, timeout, protocol, too_large, invalid_url, redirects, status_3xx,
  // status_4xx, status_5xx or invalid_body; for a command source also spawn
  // (it could not be started) or exit_status (non-zero exit or a signal);
  // empty on ok.
  std::string_view reason;
  std::chrono::milliseconds duration{0};
  int attempts = 0;
  std::optional<std::chrono::seconds> retry_after; // from a final 429/503 answer
  // ok, not_modified: the upstream's ETag / Last-Modified (the 304's own, if it sent any).
  cache::Validators validators;
  std::size_t received_bytes = 0; // body bytes read from the upstream, all attempts together
};

// Performs one refresh of a source (all attempts included). `known` holds the
// validators of the body the caller has: when the source revalidates and
// they are not empty, the request is conditional and may end not_modified.
class Fetcher {
public:
  virtual ~Fetcher() = default;
  virtual boost::asio::awaitable<FetchResult> fetch(const config::SourceConfig& source,
                                                    cache::Validators known) = 0;
};

} // namespace homectl::sources
