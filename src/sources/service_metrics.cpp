// The Service's per-source gauges: what alerting rules compare a source's age
// against (ttl, stale_while_revalidate), whether /ready needs it, and, set
// before every render rather than on the request path, its breaker state,
// whether it has a servable value and whether its refreshes fail.
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

void Service::set_source_gauges(const SourceState& state) {
  const std::string_view name = state.config.name;
  m_metrics->breaker.with({name}).set(0);
  m_metrics->ttl.with({name}).set(seconds(state.windows.ttl));
  m_metrics->stale_while_revalidate.with({name}).set(seconds(state.windows.stale_while_revalidate));
  m_metrics->required.with({name}).set(flag(state.config.required));
}

void Service::remove_source_gauges(std::string_view name) {
  for (auto* family : {&m_metrics->breaker, &m_metrics->last_success, &m_metrics->ttl,
                       &m_metrics->stale_while_revalidate, &m_metrics->required,
                       &m_metrics->has_value, &m_metrics->refresh_failing}) {
    family->remove({name});
  }
}

void Service::update_collected_gauges() const {
  const auto now = m_clock.now();
  for (const auto& [name, state] : *m_table.load()) {
    // A breaker's open period ends without an event; the gauge shows it at
    // the next scrape instead of at the next attempt.
    m_metrics->breaker.with({name}).set(static_cast<double>(state->status.load()->breaker_at(now)));
    const auto entry = state->slot->peek();
    const bool servable =
        entry && cache::servable_on_error(
                     std::chrono::duration_cast<Duration>(now - entry->fetched), state->windows);
    m_metrics->has_value.with({name}).set(flag(servable));
    m_metrics->refresh_failing.with({name}).set(flag(state->refresh_failing.load()));
  }
}

} // namespace homectl::sources
