// The refresh path of the Service: single-flight, rate limit, breaker, the
// fetch itself, storing the result and the events. Everything here runs on
// the Service's strand.
#include "homectl/log/logger.hpp"
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/format.hpp"
#include "homectl/sources/service.hpp"
#include "homectl/sources/shared_store.hpp"
#include "source_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cmath>
#include <exception>

namespace homectl::sources {
namespace asio = boost::asio;

namespace {

// What a refresh may revalidate: the upstream's validators of the body we
// hold, if we hold one.
cache::Validators known_validators(const std::shared_ptr<const cache::Entry>& entry) {
  return entry ? entry->validators : cache::Validators{};
}

std::chrono::seconds ceil_seconds(Duration d) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(d));
}

// How long stale reads leave a failing upstream alone before they start
// another refresh: retry_backoff, doubled for each further consecutive
// failure, at most breaker_open. Without it every read after a failure would
// start the next refresh at once, and only the breaker would limit the rate.
// Misses (nothing servable) and scheduled refreshes are not held back.
util::Clock::duration read_backoff(const SourceState& state) {
  const auto& policy = state.config.policy;
  const auto cap = std::chrono::duration_cast<util::Clock::duration>(policy.breaker_open);
  auto delay = std::chrono::duration_cast<util::Clock::duration>(policy.retry_backoff);
  for (int i = 1; i < state.breaker.consecutive_failures() && delay < cap; ++i) {
    delay *= 2;
  }
  return std::min(delay, cap);
}

} // namespace

std::shared_ptr<cache::Flight<RefreshReport>>
Service::ensure_flight(const std::shared_ptr<SourceState>& state, RefreshCause cause) {
  if (state->flight) {
    return state->flight;
  }
  auto flight = std::make_shared<cache::Flight<RefreshReport>>(m_strand);
  state->flight = flight;
  // co_spawn may run the refresh inline up to its first suspension (or to the
  // end, with a fetcher that answers at once), so hand back our own reference.
  asio::co_spawn(m_strand, run_flight(state, flight, cause), asio::detached);
  return flight;
}

asio::awaitable<void> Service::run_flight(std::shared_ptr<SourceState> state,
                                          std::shared_ptr<cache::Flight<RefreshReport>> flight,
                                          RefreshCause cause) {
  RefreshReport report;
  try {
    report = co_await perform(*state, cause);
  } catch (const std::exception& e) {
    report.outcome = FetchOutcome::error;
    report.error = std::string("internal error: ") + e.what();
    log::error("source refresh failed unexpectedly",
               {{"source", state->config.name}, {"error", e.what()}});
  }
  if (state->flight == flight) {
    state->flight.reset();
  }
  state->background_queued = false;
  flight->complete(std::move(report));
}

asio::awaitable<std::optional<RefreshReport>> Service::adopt_shared(SourceState& state) {
  auto* store = m_options.shared_store;
  auto shared = co_await store->load(state.config.name, state.config.policy.max_size);
  if (!shared) {
    co_return std::nullopt;
  }
  const auto age = std::chrono::duration_cast<Duration>(m_clock.wall() - shared->fetched_wall);
  if (age < Duration(0) || age >= state.windows.ttl) {
    co_return std::nullopt;
  }
  // Another instance fetched it recently: take it instead of asking upstream.
  auto entry =
      cache::make_entry(std::move(shared->body), std::move(shared->content_type), shared->status,
                        m_clock.now() - age, shared->fetched_wall, std::move(shared->validators));
  RefreshReport report;
  report.outcome = FetchOutcome::ok;
  report.status = entry->status;
  store_entry(state, entry, report);
  co_return report;
}

void Service::adopt_remote(std::string name, std::string etag) {
  auto state = find(name);
  if (!state || m_options.shared_store == nullptr || m_stopped.load()) {
    return;
  }
  asio::co_spawn(m_strand, adopt_remote_on_strand(std::move(state), std::move(etag)),
                 [name](const std::exception_ptr& error) {
                   if (error) {
                     log::warn("adopting a shared entry failed", {{"source", name}});
                   }
                 });
}

asio::awaitable<void> Service::adopt_remote_on_strand(std::shared_ptr<SourceState> state,
                                                      std::string etag) {
  const auto current = state->slot->peek();
  // Our own announcement echoed back, or a refresh of ours is already running.
  if (state->removed || state->flight || (current && current->etag == etag)) {
    co_return;
  }
  co_await adopt_shared(*state);
}

asio::awaitable<std::optional<RefreshReport>>
Service::coordinate(SourceState& state, RefreshCause cause, bool& locked) {
  locked = false;
  auto* store = m_options.shared_store;
  // Only an explicit refresh insists on the upstream; every other refresh
  // first takes what another instance fetched recently.
  if (store == nullptr || state.removed || cause == RefreshCause::manual) {
    co_return std::nullopt;
  }
  if (auto adopted = co_await adopt_shared(state)) {
    co_return adopted;
  }
  // A waiting client is not made to wait for another instance's fetch too.
  if (cause == RefreshCause::miss) {
    co_return std::nullopt;
  }
  const auto budget = state.config.policy.timeout * (state.config.policy.retries + 1);
  if (!co_await store->try_lock(state.config.name, budget)) {
    // Another instance is fetching it right now; its result arrives via the
    // store, and should that fetch die, the lock expires after `budget`.
    state.peer_refresh_until = m_clock.now() + budget;
    RefreshReport report;
    report.outcome = FetchOutcome::ok;
    report.entry = state.slot->peek();
    co_return report;
  }
  // The previous holder may have stored its entry between our look and our lock.
  if (auto adopted = co_await adopt_shared(state)) {
    co_await store->unlock(state.config.name);
    co_return adopted;
  }
  locked = true;
  co_return std::nullopt;
}

std::optional<RefreshReport> Service::gate(SourceState& state, util::Clock::time_point now) {
  RefreshReport report;
  report.entry = state.slot->peek();
  if (state.bucket && !state.bucket->try_take(now)) {
    report.outcome = FetchOutcome::rate_limited;
    report.error = "outbound rate limit reached";
    report.retry_after = ceil_seconds(state.bucket->wait_time(now));
    return report;
  }
  if (!state.breaker.allow(now)) {
    report.outcome = FetchOutcome::breaker_open;
    report.error = "circuit breaker open";
    report.retry_after = ceil_seconds(state.breaker.retry_after(now));
    return report;
  }
  note_breaker(state); // an elapsed open period has just become half-open
  return std::nullopt;
}

std::shared_ptr<const cache::Entry> Service::entry_from(const SourceState& state,
                                                        FetchResult& result) {
  const auto now = m_clock.now();
  const auto wall = m_clock.wall();
  if (result.outcome == FetchOutcome::not_modified) {
    // The body we have is current: the same bytes and ETag, fresh again.
    return cache::renew_entry(*state.slot->peek(), now, wall, result.validators);
  }
  std::string content_type = !state.config.content_type.empty() ? state.config.content_type
                             : result.content_type.empty()      ? "application/octet-stream"
                                                                : std::move(result.content_type);
  return cache::make_entry(std::move(result.body), std::move(content_type), result.status, now,
                           wall, std::move(result.validators));
}

asio::awaitable<void> Service::apply_success(SourceState& state, FetchResult& result,
                                             RefreshReport& report) {
  auto* store = m_options.shared_store;
  state.breaker.on_success();
  note_breaker(state);
  auto entry = entry_from(state, result);
  const bool share = store != nullptr && !state.removed;
  store_entry(state, entry, report, share ? Reach::local : Reach::everywhere);
  if (!share) {
    co_return;
  }
  StoredEntry shared{*entry->body,  entry->content_type, entry->etag,
                     entry->status, entry->fetched_wall, entry->validators};
  co_await store->store(state.config.name, std::move(shared), state.windows.servable_until());
  // Announced to other instances only now that the entry is in the store:
  // one that reacts to the event must find it there.
  if (report.changed) {
    emit("source.updated", state, entry->etag, {}, Reach::shared);
  }
}

void Service::apply_failure(SourceState& state, const FetchResult& result) {
  const auto now = m_clock.now();
  if (result.outcome != FetchOutcome::breaker_open &&
      result.outcome != FetchOutcome::rate_limited) {
    state.breaker.on_failure(now);
  }
  note_breaker(state);
  state.refresh_failing = true;
  state.read_refresh_after = now + read_backoff(state);
  if (!result.reason.empty()) {
    m_metrics->failures.with({state.config.name, std::string(result.reason)}).inc();
  }
  state.current.last_error =
      result.error.empty() ? std::string(to_string(result.outcome)) : result.error;
  state.current.last_error_at = m_clock.wall();
  const auto current = state.slot->peek();
  emit("source.failed", state, current ? current->etag : std::string(),
       std::string(to_string(result.outcome)));
  log::warn("source refresh failed", {{"source", state.config.name},
                                      {"outcome", to_string(result.outcome)},
                                      {"reason", result.reason},
                                      {"status", result.status},
                                      {"error", result.error},
                                      {"attempts", result.attempts},
                                      {"duration_ms", result.duration.count()}});
}

asio::awaitable<RefreshReport> Service::perform(SourceState& state, RefreshCause cause) {
  bool locked = false;
  if (auto answered = co_await coordinate(state, cause, locked)) {
    co_return std::move(*answered);
  }
  const auto start = m_clock.now();
  const auto start_wall = m_clock.wall();
  if (auto refused = gate(state, start)) {
    record(state, *refused, start_wall, false);
    if (locked) {
      co_await m_options.shared_store->unlock(state.config.name);
    }
    co_return std::move(*refused);
  }
  RefreshReport report;
  report.entry = state.slot->peek();
  FetchResult result;
  auto known = known_validators(report.entry);
  try {
    result = co_await m_fetcher.fetch(state.config, std::move(known));
  } catch (const std::exception& e) {
    result.outcome = FetchOutcome::error;
    result.error = e.what();
  }
  if (result.outcome == FetchOutcome::not_modified && !state.slot->peek()) {
    // The entry went (evicted) while the request was out: nothing to renew.
    result.outcome = FetchOutcome::error;
    result.reason = "protocol";
    result.error = "upstream answered 304 Not Modified, but the cached body is gone";
  }
  m_metrics->upstream_bytes.with({state.config.name})
      .inc(static_cast<double>(result.received_bytes));
  report.outcome = result.outcome;
  report.status = result.status;
  report.duration = result.duration;
  report.error = result.error;
  report.retry_after = result.retry_after;
  if (succeeded(result.outcome)) {
    co_await apply_success(state, result, report);
  } else {
    apply_failure(state, result);
  }
  record(state, report, start_wall, true);
  if (locked) {
    co_await m_options.shared_store->unlock(state.config.name);
  }
  co_return report;
}

void Service::store_entry(SourceState& state, const std::shared_ptr<const cache::Entry>& entry,
                          RefreshReport& report, Reach reach) {
  const auto old = state.slot->peek();
  report.changed = !old || old->etag != entry->etag;
  report.entry = entry;
  state.refresh_failing = false;
  state.current.last_success = entry->fetched_wall;
  if (state.removed) {
    return;
  }
  for (const auto& name : m_store.put(state.slot, entry)) {
    log::info("cache entry evicted", {{"source", name}, {"reason", "cache.max_size"}});
  }
  update_cache_gauges();
  read_values_of(state, *entry);
  m_metrics->last_success.with({state.config.name})
      .set(std::chrono::duration<double>(entry->fetched_wall.time_since_epoch()).count());
  if (report.changed) {
    emit("source.updated", state, entry->etag, {}, reach);
  }
}

void Service::read_values_of(SourceState& state, const cache::Entry& entry) {
  if (state.config.values.empty()) {
    return;
  }
  if (const auto current = state.values.load(); current && current->etag == entry.etag) {
    return; // the same body (a 304, or our own entry back from the shared store)
  }
  auto values = std::make_shared<ValueSet>();
  values->etag = entry.etag;
  values->readings = read_values(*entry.body, state.config.values);
  for (const auto& reading : values->readings) {
    auto& logged = state.value_problems[reading.name];
    if (!reading.problem.empty()) {
      m_metrics->value_errors.with({state.config.name, reading.name}).inc();
    } else if (reading.number && m_options.on_value) {
      m_options.on_value(state.config.name, reading.name, *reading.number);
    }
    if (reading.problem != logged) {
      if (!reading.problem.empty()) {
        log::warn(
            "source value skipped",
            {{"source", state.config.name}, {"value", reading.name}, {"problem", reading.problem}});
      }
      logged = reading.problem;
    }
  }
  state.values.store(std::move(values));
}

void Service::record(SourceState& state, const RefreshReport& report,
                     std::chrono::system_clock::time_point at, bool sent) {
  state.current.attempted = true;
  state.history.push(
      HistoryEntry{at, std::chrono::duration<double, std::milli>(report.duration).count(),
                   report.status, report.outcome, report.error});
  m_metrics->requests.with({state.config.name, to_string(report.outcome)}).inc();
  if (sent) {
    m_metrics->duration.with({state.config.name})
        .observe(std::chrono::duration<double>(report.duration).count());
  }
  publish_status(state);
}

void Service::note_breaker(SourceState& state) {
  const auto before = state.reported_breaker;
  const auto after = state.breaker.state(m_clock.now());
  if (after == before) {
    return;
  }
  state.reported_breaker = after;
  const auto current = state.slot->peek();
  emit("breaker.changed", state, current ? current->etag : std::string(),
       std::string(resilience::to_string(after)));
  log::info("circuit breaker changed", {{"source", state.config.name},
                                        {"from", resilience::to_string(before)},
                                        {"to", resilience::to_string(after)}});
  publish_status(state);
}

void Service::emit(std::string type, const SourceState& state, std::string etag, std::string detail,
                   Reach reach) {
  if (state.removed) {
    return;
  }
  Event event{std::move(type), state.config.name, std::move(etag), format_rfc3339(m_clock.wall()),
              std::move(detail)};
  if (reach != Reach::shared) {
    m_events.publish(event);
  }
  if (reach != Reach::local && m_options.shared_store) {
    m_options.shared_store->publish(event);
  }
}

void Service::publish_status(SourceState& state) {
  const auto now = m_clock.now();
  state.current.breaker = state.breaker.state(now);
  state.current.breaker_open_until = state.breaker.open_until();
  state.current.history =
      std::make_shared<const std::vector<HistoryEntry>>(state.history.entries());
  state.status.store(std::make_shared<const SourceStatus>(state.current));
}

} // namespace homectl::sources
