#pragma once

#include "homectl/metrics/prometheus_text.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// In-memory metrics with bounded labels, rendered as Prometheus text 0.0.4.
// Values are atomics, so any thread may update them; look a labelled child up
// once and keep the reference (children live as long as the registry, unless
// their family's owner removes them; see Family::remove).
namespace homectl::metrics {

inline constexpr std::string_view k_content_type = "text/plain; version=0.0.4; charset=utf-8";

class Counter {
public:
  void inc(double amount = 1.0) { m_value.fetch_add(amount, std::memory_order_relaxed); }
  double value() const { return m_value.load(std::memory_order_relaxed); }

private:
  std::atomic<double> m_value{0.0};
};

class Gauge {
public:
  void set(double value) { m_value.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { m_value.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { m_value.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return m_value.load(std::memory_order_relaxed); }

private:
  std::atomic<double> m_value{0.0};
};

// Fixed upper bounds (le), ascending; +Inf is implicit.
class Histogram {
public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  const std::vector<double>& bounds() const { return m_bounds; }
  // Cumulative counts per bound, then the total (+Inf) as the last element.
  std::vector<std::uint64_t> cumulative_counts() const;
  double sum() const { return m_sum.load(std::memory_order_relaxed); }

private:
  std::vector<double> m_bounds;
  std::unique_ptr<std::atomic<std::uint64_t>[]> m_counts; // per bucket, +Inf last
  std::atomic<double> m_sum{0.0};
};

// Default latency buckets in seconds (0.5 ms … 10 s).
const std::vector<double>& latency_buckets();

enum class Type { counter, gauge, histogram };

// Keeps a scrape-time sample or a collect hook registered, and unregisters it
// when destroyed: after that its callback never runs again (a render that is
// reading it finishes first). Move-only; the registry must outlive it.
class [[nodiscard]] Registration {
public:
  Registration() = default;
  explicit Registration(std::function<void()> unregister) : m_unregister(std::move(unregister)) {}
  Registration(Registration&& other) noexcept
      : m_unregister(std::exchange(other.m_unregister, {})) {}
  Registration& operator=(Registration&& other) noexcept {
    if (this != &other) {
      reset();
      m_unregister = std::exchange(other.m_unregister, {});
    }
    return *this;
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  ~Registration() { reset(); }

  void reset() {
    if (m_unregister) {
      std::exchange(m_unregister, {})();
    }
  }

private:
  std::function<void()> m_unregister;
};

// A counter or gauge family whose samples are read when /metrics is rendered,
// each straight from the total or state where its events are counted: nothing
// is copied into the registry, so nothing can fall behind.
class SampledFamily {
public:
  // The sample's value now, or nullopt to leave it out of this scrape.
  using Read = std::function<std::optional<double>()>;

  SampledFamily(Type type, std::string name, std::string help, std::vector<std::string> label_names)
      : m_type(type), m_name(std::move(name)), m_help(std::move(help)),
        m_label_names(std::move(label_names)) {}

  // Adds the sample for these label values (in label-name order); it is read
  // on the rendering thread until the returned Registration is destroyed.
  Registration add(std::vector<std::string> label_values, Read read);

  Type type() const { return m_type; }
  const std::string& name() const { return m_name; }
  const std::string& help() const { return m_help; }
  const std::vector<std::string>& label_names() const { return m_label_names; }

  // Calls f(label_values, value) for each sample that has a value now, in label order.
  template <typename F>
  void for_each(F&& f) const {
    std::lock_guard lock(m_mutex);
    for (const auto& [key, sample] : m_samples) {
      if (const auto value = sample()) {
        f(key.first, *value);
      }
    }
  }

private:
  Type m_type;
  std::string m_name;
  std::string m_help;
  std::vector<std::string> m_label_names;
  mutable std::mutex m_mutex;
  std::uint64_t m_next_id = 0;
  // Keyed by label values, then by id: a sample re-added under the same labels
  // before the old one is unregistered does not replace it.
  std::map<std::pair<std::vector<std::string>, std::uint64_t>, Read> m_samples;
};

// A metric name with its label names and one child per label-value tuple.
template <typename T>
class Family {
public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : m_name(std::move(name)), m_help(std::move(help)), m_label_names(std::move(label_names)),
        m_make(std::move(make)) {}

  // The child for these label values (in label-name order), created on first use.
  T& with(std::initializer_list<std::string_view> values) {
    std::vector<std::string> key(values.begin(), values.end());
    std::lock_guard lock(m_mutex);
    auto& slot = m_children[key];
    if (!slot) {
      slot = m_make();
    }
    return *slot;
  }
  // The child with no labels.
  T& get() { return with({}); }

  // Removes the child for these label values, if there is one (e.g. the gauges
  // of a source dropped on reload). Only for families whose children nobody
  // keeps a reference to.
  void remove(std::initializer_list<std::string_view> values) {
    std::vector<std::string> key(values.begin(), values.end());
    std::lock_guard lock(m_mutex);
    m_children.erase(key);
  }

  // Removes every child (e.g. for sources dropped on reload).
  void clear() {
    std::lock_guard lock(m_mutex);
    m_children.clear();
  }

  const std::string& name() const { return m_name; }
  const std::string& help() const { return m_help; }
  const std::vector<std::string>& label_names() const { return m_label_names; }

  // Calls f(label_values, child) for each child, in label order.
  template <typename F>
  void for_each(F&& f) const {
    std::lock_guard lock(m_mutex);
    for (const auto& [key, child] : m_children) {
      f(key, *child);
    }
  }

private:
  std::string m_name;
  std::string m_help;
  std::vector<std::string> m_label_names;
  std::function<std::unique_ptr<T>()> m_make;
  mutable std::mutex m_mutex;
  std::map<std::vector<std::string>, std::unique_ptr<T>> m_children;
};

class Registry {
public:
  Family<Counter>& counter(std::string name, std::string help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(std::string name, std::string help,
                               std::vector<std::string> label_names,
                               std::vector<double> bounds = latency_buckets());

  // Families whose samples are read at render time (SampledFamily::add).
  SampledFamily& sampled_counter(std::string name, std::string help,
                                 std::vector<std::string> label_names = {});
  SampledFamily& sampled_gauge(std::string name, std::string help,
                               std::vector<std::string> label_names = {});

  // Runs before every render, until the Registration is destroyed, e.g. to
  // refresh gauges that cost a system call each (process memory and CPU).
  // Hooks run on the rendering thread.
  Registration on_collect(std::function<void()> hook);

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

  // Every family and sample as render() would show them, without the text
  // (collect hooks do not run): what the in-memory history reads each interval.
  Exposition snapshot() const;

private:
  SampledFamily& sampled(Type type, std::string name, std::string help,
                         std::vector<std::string> label_names);

  struct Entry {
    Type type;
    std::unique_ptr<Family<Counter>> counter;
    std::unique_ptr<Family<Gauge>> gauge;
    std::unique_ptr<Family<Histogram>> histogram;
    std::unique_ptr<SampledFamily> sampled;
  };
  mutable std::mutex m_mutex;
  std::vector<Entry> m_entries; // registration order = render order
  // Held while hooks run and while one is removed, so a removed hook never
  // runs again.
  mutable std::mutex m_hooks_mutex;
  std::uint64_t m_next_hook = 0;
  std::map<std::uint64_t, std::function<void()>> m_hooks;
};

// Escapes a label value (backslash, double quote, newline).
std::string escape_label_value(std::string_view value);
// Formats a sample value as Prometheus expects (+Inf, -Inf, NaN, shortest exact).
std::string format_value(double value);

} // namespace homectl::metrics
