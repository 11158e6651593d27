#include "homectl/sources/service.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/format.hpp"
#include "homectl/sources/schedule.hpp"
#include "homectl/util/url.hpp"
#include "source_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>

namespace homectl::sources {
namespace asio = boost::asio;

namespace {

Duration age_of(const cache::Entry& entry, util::Clock::time_point now) {
  return std::chrono::duration_cast<Duration>(now - entry.fetched);
}

// How long a request waits for a fetch before giving up: with a stale copy to
// fall back on, one attempt's timeout; without, the whole refresh budget.
Duration waiter_deadline(const config::FetchPolicy& policy, bool have_stale) {
  if (have_stale) {
    return policy.timeout;
  }
  return policy.timeout * (std::max(policy.retries, 0) + 1) + Duration(1000);
}

} // namespace

Service::Service(const asio::any_io_executor& executor, const config::Config& config,
                 Fetcher& fetcher, metrics::Registry& metrics, const util::Clock& clock,
                 Random random, ServiceOptions options)
    : m_strand(asio::make_strand(executor)), m_fetcher(fetcher), m_clock(clock),
      m_random(std::move(random)), m_options(std::move(options)),
      m_metrics(std::make_unique<Metrics>(metrics)), m_store(config.cache.max_size) {
  if (!m_random) {
    m_random = [] { return 0.5; };
  }
  m_table.store(std::make_shared<const Table>());
  // Nothing runs on the strand yet, so the first configuration is applied inline.
  apply_config(config);
}

Service::~Service() {
  // The owner stops the io_context before destroying the Service, so nothing
  // runs on the strand any more; just make sure nothing new is scheduled.
  m_stopped = true;
  // The samples read the clock: none may run once the Service is gone, even
  // for a state an unfinished fetch still holds.
  for (const auto& [name, state] : *m_table.load()) {
    state->samples.clear();
  }
}

std::shared_ptr<SourceState> Service::make_state(const config::SourceConfig& source) {
  auto state = std::make_shared<SourceState>(source, m_random, m_clock.now());
  state->timer = std::make_unique<asio::steady_timer>(m_strand);
  state->lookups_hit = &m_metrics->lookups.with({source.name, "hit"});
  state->lookups_stale = &m_metrics->lookups.with({source.name, "stale"});
  state->lookups_miss = &m_metrics->lookups.with({source.name, "miss"});
  set_source_gauges(*state);
  return state;
}

void Service::apply_config(const config::Config& config) {
  const auto old = m_table.load();
  auto table = std::make_shared<Table>();
  std::vector<std::shared_ptr<SourceState>> added;
  for (const auto& source : config.sources) {
    const auto it = old->find(source.name);
    if (it != old->end() && it->second->config == source) {
      table->emplace(source.name, it->second);
      continue;
    }
    if (it != old->end()) {
      // The replaced state's samples go first: one series per source.
      it->second->samples.clear();
    }
    auto state = make_state(source);
    m_store.attach(state->slot);
    table->emplace(source.name, state);
    added.push_back(std::move(state));
  }
  std::vector<std::string> gone;
  for (const auto& [name, state] : *old) {
    const auto it = table->find(name);
    if (it != table->end() && it->second == state) {
      continue;
    }
    state->removed = true;
    state->samples.clear();
    state->timer->cancel();
    m_store.detach(state->slot);
    if (it == table->end()) {
      gone.push_back(name);
    }
  }
  for (const auto& name : m_store.set_max_bytes(config.cache.max_size)) {
    log::info("cache entry evicted", {{"source", name}, {"reason", "cache.max_size"}});
  }
  m_table.store(std::move(table));
  for (const auto& name : gone) {
    remove_source_gauges(name);
  }
  update_cache_gauges();
  if (m_started.load() && !m_stopped.load()) {
    start_scheduler(added);
  }
}

void Service::reconfigure(const config::Config& config) {
  asio::dispatch(m_strand, [this, config] { apply_config(config); });
}

void Service::start() {
  if (m_started.exchange(true)) {
    return;
  }
  asio::dispatch(m_strand, [this] {
    std::vector<std::shared_ptr<SourceState>> all;
    for (const auto& [name, state] : *m_table.load()) {
      all.push_back(state);
    }
    start_scheduler(all);
  });
}

void Service::stop() {
  if (m_stopped.exchange(true)) {
    return;
  }
  asio::dispatch(m_strand, [table = m_table.load()] {
    for (const auto& [name, state] : *table) {
      state->timer->cancel();
    }
  });
}

void Service::start_scheduler(const std::vector<std::shared_ptr<SourceState>>& states) {
  const auto now = m_clock.now();
  std::vector<std::shared_ptr<SourceState>> empty;
  for (const auto& state : states) {
    if (!state->config.policy.refresh) {
      continue; // "off": on demand only, never prefetched
    }
    const auto entry = state->slot->peek();
    if (entry && age_of(*entry, now) < state->windows.servable_until()) {
      asio::co_spawn(
          m_strand,
          schedule_loop(state, jittered_interval(*state->config.policy.refresh, m_random())),
          asio::detached);
    } else {
      empty.push_back(state);
    }
  }
  for (std::size_t i = 0; i < empty.size(); ++i) {
    const auto delay = startup_delay(i, empty.size(), m_options.startup_spread, m_random());
    asio::co_spawn(m_strand, schedule_loop(empty[i], delay), asio::detached);
  }
}

asio::awaitable<void> Service::schedule_loop(std::shared_ptr<SourceState> state, Duration first) {
  Duration delay = first;
  while (!state->removed && !m_stopped.load()) {
    state->timer->expires_after(delay);
    state->current.next_refresh =
        m_clock.wall() + std::chrono::duration_cast<std::chrono::system_clock::duration>(delay);
    publish_status(*state);
    const auto [ec] = co_await state->timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || state->removed || m_stopped.load()) {
      break;
    }
    auto flight = ensure_flight(state, RefreshCause::schedule);
    // No deadline of our own: the fetch is bounded by the Fetcher's budget.
    co_await flight->wait(std::chrono::hours(24));
    delay = jittered_interval(*state->config.policy.refresh, m_random());
  }
  state->current.next_refresh.reset();
  publish_status(*state);
}

std::shared_ptr<SourceState> Service::find(std::string_view name) const {
  const auto table = m_table.load(std::memory_order_acquire);
  const auto it = table->find(name);
  return it == table->end() ? nullptr : it->second;
}

std::optional<Lookup> Service::serve_from_memory(SourceState& state) {
  const auto entry = m_store.use(*state.slot);
  if (!entry) {
    return std::nullopt;
  }
  const auto age = age_of(*entry, m_clock.now());
  const auto freshness = cache::classify(age, state.windows, state.refresh_failing.load());
  Lookup lookup;
  lookup.entry = entry;
  lookup.age = age;
  lookup.ttl = state.windows.ttl;
  lookup.freshness = freshness;
  switch (freshness) {
  case cache::Freshness::fresh:
    state.lookups_hit->inc();
    lookup.kind = LookupKind::hit;
    return lookup;
  case cache::Freshness::stale_while_revalidate:
  case cache::Freshness::stale_if_error:
    state.lookups_stale->inc();
    lookup.kind = LookupKind::stale;
    return lookup;
  case cache::Freshness::must_revalidate:
  case cache::Freshness::expired:
    break;
  }
  return std::nullopt;
}

asio::awaitable<Lookup> Service::get(std::string name) {
  auto state = find(name);
  if (!state) {
    co_return Lookup{};
  }
  if (auto lookup = serve_from_memory(*state)) {
    if (lookup->kind == LookupKind::stale) {
      trigger_background(state);
    }
    co_return std::move(*lookup);
  }
  co_return co_await asio::co_spawn(m_strand, forward(std::move(state)), asio::use_awaitable);
}

void Service::trigger_background(const std::shared_ptr<SourceState>& state) {
  // One flag per source, so a flood of stale reads posts one refresh, not thousands.
  if (state->background_queued.exchange(true)) {
    return;
  }
  asio::post(m_strand, [this, state] {
    const auto now = m_clock.now();
    // While another instance holds the refresh lock, its result is awaited
    // (event or lock expiry) instead of asking the lock again on every read.
    const bool blocked = state->removed ||
                         state->breaker.state(now) == resilience::CircuitBreaker::State::open ||
                         (state->bucket && state->bucket->available(now) < 1.0) ||
                         now < state->peer_refresh_until || now < state->read_refresh_after;
    if (blocked && !state->flight) {
      // Stale reads must not fill the history with refused attempts.
      state->background_queued = false;
      return;
    }
    ensure_flight(state, RefreshCause::revalidate);
  });
}

asio::awaitable<Lookup> Service::forward(std::shared_ptr<SourceState> state) {
  // A fetch may have finished while this request hopped onto the strand.
  if (auto lookup = serve_from_memory(*state)) {
    if (lookup->kind == LookupKind::stale) {
      trigger_background(state);
    }
    co_return std::move(*lookup);
  }
  state->lookups_miss->inc();
  const auto stale = state->slot->peek();
  const bool joined = state->flight != nullptr;
  auto flight = ensure_flight(state, RefreshCause::miss);
  const auto report =
      co_await flight->wait(waiter_deadline(state->config.policy, stale != nullptr));

  Lookup lookup;
  lookup.ttl = state->windows.ttl;
  const auto now = m_clock.now();
  if (report && report->outcome == FetchOutcome::ok && report->entry) {
    lookup.kind = joined ? LookupKind::collapsed : LookupKind::stored;
    lookup.entry = report->entry;
    lookup.age = age_of(*lookup.entry, now);
    lookup.replaced_stale = stale != nullptr;
    co_return lookup;
  }
  if (stale && cache::servable_on_error(age_of(*stale, now), state->windows)) {
    lookup.kind = LookupKind::stale;
    lookup.entry = stale;
    lookup.age = age_of(*stale, now);
    lookup.freshness = cache::Freshness::stale_if_error;
    co_return lookup;
  }
  lookup.kind = LookupKind::unavailable;
  if (!report) {
    lookup.waited = waiter_deadline(state->config.policy, false);
    co_return lookup;
  }
  lookup.failure = report->outcome;
  lookup.error = report->error;
  lookup.retry_after = report->retry_after;
  co_return lookup;
}

asio::awaitable<Service::Trigger> Service::refresh(std::string name, std::optional<Duration> wait) {
  auto state = find(name);
  if (!state) {
    co_return Trigger{};
  }
  co_return co_await asio::co_spawn(m_strand, refresh_on_strand(std::move(state), wait),
                                    asio::use_awaitable);
}

asio::awaitable<Service::Trigger> Service::refresh_on_strand(std::shared_ptr<SourceState> state,
                                                             std::optional<Duration> wait) {
  Trigger trigger;
  trigger.known = true;
  auto flight = ensure_flight(state, RefreshCause::manual);
  if (wait) {
    trigger.report = co_await flight->wait(*wait);
  }
  co_return trigger;
}

std::vector<SourceView> Service::sources() const {
  std::vector<SourceView> views;
  const auto now = m_clock.now();
  for (const auto& [name, state] : *m_table.load()) {
    const auto status = state->status.load();
    const auto entry = state->slot->peek();
    const bool failing = state->refresh_failing.load();
    SourceView view;
    view.name = name;
    if (state->config.command.empty()) {
      view.url = util::redact_url(state->config.url);
    } else {
      view.program = state->config.command.front();
    }
    view.ttl = state->windows.ttl;
    view.refresh = state->config.policy.refresh;
    view.required = state->config.required;
    view.attempted = status->attempted;
    view.last_success = status->last_success;
    view.last_error_at = status->last_error_at;
    view.last_error = status->last_error;
    view.breaker = status->breaker_at(now);
    view.next_refresh = status->next_refresh;
    if (entry) {
      view.age = age_of(*entry, now);
      view.etag = entry->etag;
      view.servable = cache::servable_on_error(*view.age, state->windows);
      view.state = *view.age < view.ttl ? "fresh" : (failing ? "error" : "stale");
      if (const auto values = state->values.load(); values && view.servable) {
        for (const auto& reading : values->readings) {
          if (reading.number) {
            view.values.emplace(reading.name, *reading.number);
          }
        }
      }
    } else {
      view.state = failing ? "error" : "empty";
    }
    views.push_back(std::move(view));
  }
  return views;
}

std::optional<std::vector<HistoryEntry>> Service::history(std::string_view name) const {
  const auto state = find(name);
  if (!state) {
    return std::nullopt;
  }
  const auto status = state->status.load();
  return status->history ? *status->history : std::vector<HistoryEntry>{};
}

std::vector<health::Check> Service::health_checks() const {
  std::vector<health::Check> checks;
  for (const auto& view : sources()) {
    health::Check check;
    check.key = "source:" + view.name;
    check.component_type = "component";
    if (view.age) {
      check.observed_value = whole_seconds(*view.age);
      check.observed_unit = "s";
    }
    check.extra = {{"state", view.state},
                   {"breaker", resilience::to_string(view.breaker)},
                   {"required", view.required}};
    if (!view.servable) {
      const bool waiting = !view.attempted;
      if (view.required) {
        check.status = health::Status::fail;
        check.output = waiting ? "required source has no value yet"
                               : "required source has nothing servable: " + view.last_error;
      } else if (!waiting) {
        check.status = health::Status::warn;
        check.output = "nothing servable: " + view.last_error;
      }
    } else if (view.breaker != resilience::CircuitBreaker::State::closed) {
      check.status = health::Status::warn;
      check.output = "circuit breaker " + std::string(resilience::to_string(view.breaker));
    } else if (view.state == "error") {
      check.status = health::Status::warn;
      check.output = "refresh failing, serving stale: " + view.last_error;
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

void Service::update_cache_gauges() {
  m_metrics->bytes.get().set(static_cast<double>(m_store.bytes()));
  m_metrics->entries.get().set(static_cast<double>(m_store.entries()));
}

} // namespace homectl::sources
