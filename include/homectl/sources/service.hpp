#pragma once

#include "homectl/cache/entry.hpp"
#include "homectl/cache/single_flight.hpp"
#include "homectl/cache/store.hpp"
#include "homectl/cache/windows.hpp"
#include "homectl/config/config.hpp"
#include "homectl/health/checks.hpp"
#include "homectl/resilience/circuit_breaker.hpp"
#include "homectl/sources/event_bus.hpp"
#include "homectl/sources/fetcher.hpp"
#include "homectl/sources/history.hpp"
#include "homectl/util/clock.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace homectl::metrics {
class Registry;
template <typename T>
class Family;
class Counter;
class Gauge;
class Histogram;
} // namespace homectl::metrics

// The sources: cache, single-flight refreshes, breaker and rate limit per
// source, the refresh scheduler and change events.
//
// Threading: all mutable state lives on one strand (refreshes, scheduler,
// reconfiguration, the LRU store). The hot read path never touches the
// strand: each source publishes immutable snapshots (entry and status) through
// atomic shared_ptrs, so a cached GET is a couple of atomic loads. Only a miss,
// a revalidation or a refresh hops onto the strand.
namespace homectl::sources {

class SharedStore;
struct SourceState;

using Duration = std::chrono::milliseconds;

// Whole seconds, as the API, checks and headers give ages and TTLs.
inline long long whole_seconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

struct ServiceOptions {
  Duration startup_spread{3000};       // first fetches of empty sources spread over this
  Duration heartbeat{15'000};          // SSE heartbeat comment interval
  std::size_t max_subscribers = 64;    // concurrent SSE streams
  std::size_t subscriber_queue = 64;   // events buffered per stream before it counts as slow
  SharedStore* shared_store = nullptr; // optional L2 (Redis); null = none
  // Called with every number read from a new body (`values`), on the
  // source's strand; must be thread-safe when server.threads > 1.
  std::function<void(std::string_view source, std::string_view value, double number)> on_value;
};

// How a GET of a source was answered. What that means in HTTP (the status,
// the problem text, Cache-Status) is decided by the routes (routes.hpp).
enum class LookupKind {
  unknown_source,
  hit,         // fresh from memory
  stale,       // served stale (while revalidating, or because refreshes fail)
  stored,      // fetched for this request and stored
  collapsed,   // waited for a fetch another request started
  unavailable, // nothing servable: see failure
};

struct Lookup {
  LookupKind kind = LookupKind::unknown_source;
  std::shared_ptr<const cache::Entry> entry; // what to serve, unless unavailable
  Duration age{0};                           // entry age when served
  Duration ttl{0};                           // the source's ttl
  // stale: the window that makes the entry servable.
  cache::Freshness freshness = cache::Freshness::fresh;
  // stored, collapsed: the fetch replaced a stale copy (rather than nothing).
  bool replaced_stale = false;
  // unavailable: how the refresh failed, or nullopt when it did not finish
  // within `waited` (it continues in the background).
  std::optional<FetchOutcome> failure;
  std::string error; // unavailable: the upstream error, if any
  Duration waited{0};
  std::optional<std::chrono::seconds> retry_after;
};

// The outcome of one refresh (what POST …/refresh?wait= answers).
struct RefreshReport {
  FetchOutcome outcome = FetchOutcome::error;
  int status = 0; // upstream HTTP status, 0 when none
  Duration duration{0};
  bool changed = false; // the ETag changed (a first success counts)
  std::string error;
  std::optional<std::chrono::seconds> retry_after;
  std::shared_ptr<const cache::Entry> entry; // the servable entry after the refresh, if any
};

// One row of GET /v1/sources.
struct SourceView {
  std::string name;
  std::string url;     // redacted; empty for a command source
  std::string program; // a command source's program (never its arguments or env)
  std::string state;   // fresh | stale | error | empty
  std::optional<Duration> age;
  Duration ttl{0};
  std::optional<Duration> refresh; // nullopt = on demand only
  bool required = false;
  bool servable = false;
  bool attempted = false; // a refresh has been tried since start
  std::string etag;
  std::optional<std::chrono::system_clock::time_point> last_success;
  std::optional<std::chrono::system_clock::time_point> last_error_at;
  std::string last_error;
  resilience::CircuitBreaker::State breaker = resilience::CircuitBreaker::State::closed;
  std::optional<std::chrono::system_clock::time_point> next_refresh;
  // The `values` that are numbers, while the entry they come from is servable.
  std::map<std::string, double> values;
};

class Service {
public:
  // Uniform numbers in [0, 1): scheduler and breaker jitter.
  using Random = std::function<double()>;

  // Nothing runs until start(). `fetcher`, `metrics` and `clock` must outlive the Service.
  Service(const boost::asio::any_io_executor& executor, const config::Config& config,
          Fetcher& fetcher, metrics::Registry& metrics, const util::Clock& clock, Random random,
          ServiceOptions options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Starts the scheduler: empty scheduled sources are fetched promptly (spread
  // over startup_spread), then every refresh interval × U(0.9, 1.1).
  void start();
  // Stops scheduling (refreshes already running finish). Any thread.
  void stop();
  // Applies a new configuration (SIGHUP): sources added, removed or changed;
  // unchanged sources keep their entries, breaker and history. Any thread;
  // applied on the strand.
  void reconfigure(const config::Config& config);

  // Serves a source: from memory when possible, else through a (shared) fetch.
  boost::asio::awaitable<Lookup> get(std::string name);

  // Starts (or joins) a refresh. With `wait`, waits up to that long for its
  // report; without, returns at once. nullopt report: unknown source (see
  // `known`) or still running after `wait`.
  struct Trigger {
    bool known = false;
    std::optional<RefreshReport> report;
  };
  boost::asio::awaitable<Trigger> refresh(std::string name, std::optional<Duration> wait);

  // Another instance announced a new entry (ETag) for `name` on the shared
  // store: adopt it from there when it differs from ours and is still fresh,
  // without calling the upstream. Any thread; runs on the strand.
  void adopt_remote(std::string name, std::string etag);

  std::vector<SourceView> sources() const;
  // The last fetch outcomes of a source, oldest first; nullopt when unknown.
  std::optional<std::vector<HistoryEntry>> history(std::string_view name) const;
  // One check per source: fail when a required source has nothing servable,
  // warn on other trouble.
  std::vector<health::Check> health_checks() const;

  EventBus& events() { return m_events; }
  const ServiceOptions& options() const { return m_options; }
  const util::Clock& clock() const { return m_clock; }

private:
  using Table = std::map<std::string, std::shared_ptr<SourceState>, std::less<>>;
  struct Metrics;

  std::shared_ptr<SourceState> find(std::string_view name) const;
  std::shared_ptr<SourceState> make_state(const config::SourceConfig& source);
  void apply_config(const config::Config& config);
  void start_scheduler(const std::vector<std::shared_ptr<SourceState>>& states);
  boost::asio::awaitable<void> schedule_loop(std::shared_ptr<SourceState> state, Duration first);

  std::optional<Lookup> serve_from_memory(SourceState& state);
  void trigger_background(const std::shared_ptr<SourceState>& state);
  boost::asio::awaitable<Lookup> forward(std::shared_ptr<SourceState> state);
  boost::asio::awaitable<Trigger> refresh_on_strand(std::shared_ptr<SourceState> state,
                                                    std::optional<Duration> wait);

  // Why a refresh runs; it decides how the refresh coordinates with other
  // instances through the shared store.
  enum class RefreshCause {
    schedule,   // the scheduler's turn: adopt a fresh shared copy, else take the lock
    revalidate, // a stale read: the same as the scheduler
    miss,       // a client waits with nothing servable: adopt a fresh shared copy, no lock
    manual,     // POST .../refresh: always asks the upstream
  };

  // Refresh machinery (service_refresh.cpp), strand only.
  std::shared_ptr<cache::Flight<RefreshReport>>
  ensure_flight(const std::shared_ptr<SourceState>& state, RefreshCause cause);
  boost::asio::awaitable<void> run_flight(std::shared_ptr<SourceState> state,
                                          std::shared_ptr<cache::Flight<RefreshReport>> flight,
                                          RefreshCause cause);
  boost::asio::awaitable<RefreshReport> perform(SourceState& state, RefreshCause cause);
  // Before fetching: another instance's recent entry, or its fetch in
  // progress, is the answer; otherwise `locked` says whether we hold the lock.
  boost::asio::awaitable<std::optional<RefreshReport>> coordinate(SourceState& state,
                                                                  RefreshCause cause, bool& locked);
  // The outbound bucket and the breaker: a report when either refuses now.
  std::optional<RefreshReport> gate(SourceState& state, util::Clock::time_point now);
  // The entry a successful fetch makes: a new body, or ours renewed by a 304.
  std::shared_ptr<const cache::Entry> entry_from(const SourceState& state, FetchResult& result);
  boost::asio::awaitable<void> apply_success(SourceState& state, FetchResult& result,
                                             RefreshReport& report);
  void apply_failure(SourceState& state, const FetchResult& result);
  boost::asio::awaitable<std::optional<RefreshReport>> adopt_shared(SourceState& state);
  boost::asio::awaitable<void> adopt_remote_on_strand(std::shared_ptr<SourceState> state,
                                                      std::string etag);
  // Where an event goes: this instance's bus, the shared store (Redis), or both.
  enum class Reach { local, shared, everywhere };
  void store_entry(SourceState& state, const std::shared_ptr<const cache::Entry>& entry,
                   RefreshReport& report, Reach reach = Reach::everywhere);
  // Reads the source's `values` from a new body (counting and logging the
  // ones that are not numbers) and publishes them.
  void read_values_of(SourceState& state, const cache::Entry& entry);
  void record(SourceState& state, const RefreshReport& report,
              std::chrono::system_clock::time_point at, bool sent);
  void note_breaker(SourceState& state);
  void emit(std::string type, const SourceState& state, std::string etag, std::string detail,
            Reach reach = Reach::everywhere);
  void publish_status(SourceState& state);
  void update_cache_gauges();
  // Per-source gauges (service_metrics.cpp). The configured ones (ttl,
  // stale_while_revalidate, required), and the samples read at scrape time
  // (breaker state, a servable value, failing refreshes) until the state is
  // dropped:
  void set_source_gauges(SourceState& state);
  // The configured gauges of a source that is gone:
  void remove_source_gauges(std::string_view name);

  boost::asio::strand<boost::asio::any_io_executor> m_strand;
  Fetcher& m_fetcher;
  const util::Clock& m_clock;
  Random m_random;
  ServiceOptions m_options;
  std::unique_ptr<Metrics> m_metrics;
  cache::Store m_store;
  EventBus m_events;
  std::atomic<std::shared_ptr<const Table>> m_table;
  std::atomic<bool> m_started{false};
  std::atomic<bool> m_stopped{false};
};

} // namespace homectl::sources
