// The Service's per-source gauges: what alerting rules compare a source's age
// against (ttl, stale_while_revalidate), whether /ready needs it, and, read at
// scrape time rather than kept up to date on the request path, its breaker
// state, whether it has a servable value and whether its refreshes fail.
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/service.hpp"
#include "source_state.hpp"

#include <optional>

namespace homectl::sources {

namespace {

double seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

double flag(bool value) {
  return value ? 1.0 : 0.0;
}

bool servable_now(const SourceState& source, const util::Clock& clock) {
  const auto entry = source.slot->peek();
  return entry &&
         cache::servable_on_error(
             std::chrono::duration_cast<Duration>(clock.now() - entry->fetched), source.windows);
}

// A value as of now: none (no sample) unless the entry it was read from is
// still servable and held a number there.
std::optional<double> current_value(const SourceState& source, const util::Clock& clock,
                                    std::size_t index) {
  const auto values = source.values.load();
  if (!values || index >= values->readings.size() || !servable_now(source, clock)) {
    return std::nullopt;
  }
  return values->readings[index].number;
}

} // namespace

void Service::set_source_gauges(SourceState& state) {
  const std::string name = state.config.name;
  m_metrics->ttl.with({name}).set(seconds(state.windows.ttl));
  m_metrics->stale_while_revalidate.with({name}).set(seconds(state.windows.stale_while_revalidate));
  m_metrics->required.with({name}).set(flag(state.config.required));

  // The samples hold plain pointers: they are unregistered before the state
  // and the Service go (SourceState::samples, ~Service).
  const SourceState* source = &state;
  const util::Clock* clock = &m_clock;
  // A breaker's open period ends without an event; the gauge shows it at the
  // next scrape instead of at the next attempt.
  state.samples.push_back(m_metrics->breaker.add({name}, [source, clock] {
    return static_cast<double>(source->status.load()->breaker_at(clock->now()));
  }));
  state.samples.push_back(m_metrics->has_value.add(
      {name}, [source, clock] { return flag(servable_now(*source, *clock)); }));
  state.samples.push_back(m_metrics->refresh_failing.add(
      {name}, [source] { return flag(source->refresh_failing.load()); }));
  m_metrics->upstream_bytes.with({name});
  std::size_t index = 0;
  for (const auto& [value, spec] : state.config.values) {
    m_metrics->value_errors.with({name, value});
    state.samples.push_back(m_metrics->value.add(
        {name, value}, [source, clock, index] { return current_value(*source, *clock, index); }));
    ++index;
  }
}

void Service::remove_source_gauges(std::string_view name) {
  for (auto* family : {&m_metrics->last_success, &m_metrics->ttl,
                       &m_metrics->stale_while_revalidate, &m_metrics->required}) {
    family->remove({name});
  }
}

} // namespace homectl::sources
