// The Service's per-source gauges: what alerting rules compare a source's age
// against (ttl, stale_while_revalidate), whether /ready needs it, and, read at
// scrape time rather than kept up to date on the request path, its breaker
// state, whether it has a servable value and whether its refreshes fail.
#include "homectl/metrics/registry.hpp"
#include "homectl/sources/service.hpp"
#include "source_state.hpp"

namespace homectl::sources {

namespace {

double seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

double flag(bool value) {
  return value ? 1.0 : 0.0;
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
  state.samples.push_back(m_metrics->has_value.add({name}, [source, clock] {
    const auto entry = source->slot->peek();
    return flag(entry && cache::servable_on_error(
                             std::chrono::duration_cast<Duration>(clock->now() - entry->fetched),
                             source->windows));
  }));
  state.samples.push_back(m_metrics->refresh_failing.add(
      {name}, [source] { return flag(source->refresh_failing.load()); }));
}

void Service::remove_source_gauges(std::string_view name) {
  for (auto* family : {&m_metrics->last_success, &m_metrics->ttl,
                       &m_metrics->stale_while_revalidate, &m_metrics->required}) {
    family->remove({name});
  }
}

} // namespace homectl::sources
