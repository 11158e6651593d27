#pragma once

#include "homectl/cache/single_flight.hpp"
#include "homectl/cache/store.hpp"
#include "homectl/cache/windows.hpp"
#include "homectl/metrics/registry.hpp"
#include "homectl/resilience/circuit_breaker.hpp"
#include "homectl/resilience/token_bucket.hpp"
#include "homectl/sources/history.hpp"
#include "homectl/sources/service.hpp"
#include "homectl/sources/values.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

// Per-source state of the Service (private to src/sources).
namespace homectl::sources {

// What readers on other threads may see of a source: an immutable snapshot
// the strand republishes after every change.
struct SourceStatus {
  std::optional<std::chrono::system_clock::time_point> last_success;
  std::optional<std::chrono::system_clock::time_point> last_error_at;
  std::string last_error;
  resilience::CircuitBreaker::State breaker = resilience::CircuitBreaker::State::closed;
  util::Clock::time_point breaker_open_until{};
  std::optional<std::chrono::system_clock::time_point> next_refresh;
  bool attempted = false;
  std::shared_ptr<const std::vector<HistoryEntry>> history;

  // The breaker as of `now`: an open breaker whose open period has passed is
  // half-open (its probe goes with the next attempt).
  resilience::CircuitBreaker::State breaker_at(util::Clock::time_point now) const {
    if (breaker == resilience::CircuitBreaker::State::open && now >= breaker_open_until) {
      return resilience::CircuitBreaker::State::half_open;
    }
    return breaker;
  }
};

// The `values` read from one entry's body.
struct ValueSet {
  std::string etag;                   // of the entry they were read from
  std::vector<ValueReading> readings; // in name order, one per configured value
};

struct SourceState {
  SourceState(config::SourceConfig source, resilience::CircuitBreaker::Random random,
              util::Clock::time_point now)
      : config(std::move(source)), windows(cache::Windows::from(config.policy)),
        slot(std::make_shared<cache::Slot>(config.name)),
        breaker(config.policy.breaker_failures, config.policy.breaker_open,
                config.policy.breaker_open * 10, std::move(random)) {
    if (config.rate_limit && config.rate_limit->count > 0) {
      // Capacity 1: a quota such as "60/h" is spread evenly, never spent in a burst.
      bucket.emplace(config.rate_limit->per_second(), 1.0, now);
    }
    status.store(std::make_shared<const SourceStatus>(current));
  }

  const config::SourceConfig config;
  const cache::Windows windows;
  const std::shared_ptr<cache::Slot> slot;

  // Read from any thread.
  std::atomic<bool> refresh_failing{false};   // the latest refresh failed
  std::atomic<bool> background_queued{false}; // a request-triggered refresh is pending/running
  std::atomic<std::shared_ptr<const SourceStatus>> status;
  std::atomic<std::shared_ptr<const ValueSet>> values; // null until a body was read
  metrics::Counter* lookups_hit = nullptr;
  metrics::Counter* lookups_stale = nullptr;
  metrics::Counter* lookups_miss = nullptr;

  // Strand only.
  resilience::CircuitBreaker breaker;
  std::optional<resilience::TokenBucket> bucket;
  History history;
  std::shared_ptr<cache::Flight<RefreshReport>> flight;
  std::unique_ptr<boost::asio::steady_timer> timer;
  // Another instance holds the refresh lock until about then: stale reads
  // wait for its result instead of refreshing themselves.
  util::Clock::time_point peer_refresh_until{};
  // After a failed refresh, stale reads start the next one no earlier than
  // this (see Service::read_backoff).
  util::Clock::time_point read_refresh_after{};
  SourceStatus current;
  // The breaker state last announced (breaker.changed).
  resilience::CircuitBreaker::State reported_breaker = resilience::CircuitBreaker::State::closed;
  bool removed = false;
  // The problem last logged for each value, so a lasting one is logged once.
  std::map<std::string, std::string, std::less<>> value_problems;

  // The scrape-time samples that read this state (Service::add_samples).
  // Last, so they are unregistered before anything they read goes away.
  std::vector<metrics::Registration> samples;
};

// The metric families the Service updates.
struct Service::Metrics {
  explicit Metrics(metrics::Registry& registry)
      : requests(registry.counter("homectl_source_requests_total", "Upstream refreshes by outcome.",
                                  {"source", "outcome"})),
        failures(registry.counter("homectl_source_failures_total",
                                  "Failed upstream refreshes by the cause of the last attempt.",
                                  {"source", "reason"})),
        duration(registry.histogram("homectl_source_request_duration_seconds",
                                    "Duration of upstream refreshes (all attempts).", {"source"})),
        lookups(registry.counter("homectl_cache_lookups_total",
                                 "Cache lookups of GET /v1/sources/{name} by result.",
                                 {"source", "result"})),
        bytes(registry.gauge("homectl_cache_bytes", "Bytes held by the source cache.")),
        entries(registry.gauge("homectl_cache_entries", "Entries held by the source cache.")),
        breaker(registry.sampled_gauge("homectl_breaker_state",
                                       "Circuit breaker state (0 closed, 1 half-open, 2 open).",
                                       {"source"})),
        last_success(registry.gauge("homectl_source_last_success_timestamp_seconds",
                                    "Unix time of the last successful refresh.", {"source"})),
        ttl(registry.gauge("homectl_source_ttl_seconds",
                           "How long a fetched value is fresh (the source's ttl).", {"source"})),
        stale_while_revalidate(registry.gauge(
            "homectl_source_stale_while_revalidate_seconds",
            "How long past its ttl a value is served while one refresh runs.", {"source"})),
        required(registry.gauge("homectl_source_required",
                                "1 when /ready needs the source to have a value, else 0.",
                                {"source"})),
        has_value(registry.sampled_gauge(
            "homectl_source_has_value",
            "1 while the source has a value it may serve (younger than ttl + stale_if_error).",
            {"source"})),
        refresh_failing(registry.sampled_gauge(
            "homectl_source_refresh_failing",
            "1 while the latest refresh of the source failed, else 0.", {"source"})),
        upstream_bytes(registry.counter("homectl_source_upstream_bytes_total",
                                        "Body bytes received from the upstream (all attempts).",
                                        {"source"})),
        value(registry.sampled_gauge(
            "homectl_source_value",
            "A number read from the source's body (`values`), while the value is servable.",
            {"source", "value"})),
        value_errors(
            registry.counter("homectl_source_value_errors_total",
                             "Bodies in which a configured value was missing or not a number.",
                             {"source", "value"})) {}

  metrics::Family<metrics::Counter>& requests;
  metrics::Family<metrics::Counter>& failures;
  metrics::Family<metrics::Histogram>& duration;
  metrics::Family<metrics::Counter>& lookups;
  metrics::Family<metrics::Gauge>& bytes;
  metrics::Family<metrics::Gauge>& entries;
  metrics::SampledFamily& breaker;
  metrics::Family<metrics::Gauge>& last_success;
  // Per-source gauges from the configuration, set when a source is (re)created.
  metrics::Family<metrics::Gauge>& ttl;
  metrics::Family<metrics::Gauge>& stale_while_revalidate;
  metrics::Family<metrics::Gauge>& required;
  // Per-source gauges that change with time, read at scrape time.
  metrics::SampledFamily& has_value;
  metrics::SampledFamily& refresh_failing;
  metrics::Family<metrics::Counter>& upstream_bytes;
  metrics::SampledFamily& value;
  metrics::Family<metrics::Counter>& value_errors;
};

} // namespace homectl::sources
