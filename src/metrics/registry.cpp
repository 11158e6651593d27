#include "homectl/metrics/registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace homectl::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : m_bounds(std::move(bounds)),
      m_counts(std::make_unique<std::atomic<std::uint64_t>[]>(m_bounds.size() + 1)) {
  std::sort(m_bounds.begin(), m_bounds.end());
}

void Histogram::observe(double value) {
  const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), value);
  const auto index = static_cast<std::size_t>(it - m_bounds.begin());
  m_counts[index].fetch_add(1, std::memory_order_relaxed);
  m_sum.fetch_add(value, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(m_bounds.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= m_bounds.size(); ++i) {
    running += m_counts[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  return buckets;
}

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  std::lock_guard lock(m_mutex);
  Entry e{Type::counter, nullptr, nullptr, nullptr, nullptr};
  e.counter =
      std::make_unique<Family<Counter>>(std::move(name), std::move(help), std::move(label_names),
                                        [] { return std::make_unique<Counter>(); });
  m_entries.push_back(std::move(e));
  return *m_entries.back().counter;
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  std::lock_guard lock(m_mutex);
  Entry e{Type::gauge, nullptr, nullptr, nullptr, nullptr};
  e.gauge =
      std::make_unique<Family<Gauge>>(std::move(name), std::move(help), std::move(label_names),
                                      [] { return std::make_unique<Gauge>(); });
  m_entries.push_back(std::move(e));
  return *m_entries.back().gauge;
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> bounds) {
  std::lock_guard lock(m_mutex);
  Entry e{Type::histogram, nullptr, nullptr, nullptr, nullptr};
  e.histogram = std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(label_names),
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
  m_entries.push_back(std::move(e));
  return *m_entries.back().histogram;
}

Registration SampledFamily::add(std::vector<std::string> label_values, Read read) {
  std::lock_guard lock(m_mutex);
  const auto key = std::make_pair(std::move(label_values), m_next_id++);
  m_samples.emplace(key, std::move(read));
  return Registration([this, key] {
    std::lock_guard guard(m_mutex);
    m_samples.erase(key);
  });
}

SampledFamily& Registry::sampled(Type type, std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  std::lock_guard lock(m_mutex);
  Entry e{type, nullptr, nullptr, nullptr, nullptr};
  e.sampled = std::make_unique<SampledFamily>(type, std::move(name), std::move(help),
                                              std::move(label_names));
  m_entries.push_back(std::move(e));
  return *m_entries.back().sampled;
}

SampledFamily& Registry::sampled_counter(std::string name, std::string help,
                                         std::vector<std::string> label_names) {
  return sampled(Type::counter, std::move(name), std::move(help), std::move(label_names));
}

SampledFamily& Registry::sampled_gauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  return sampled(Type::gauge, std::move(name), std::move(help), std::move(label_names));
}

Registration Registry::on_collect(std::function<void()> hook) {
  std::lock_guard lock(m_hooks_mutex);
  const auto id = m_next_hook++;
  m_hooks.emplace(id, std::move(hook));
  return Registration([this, id] {
    std::lock_guard guard(m_hooks_mutex);
    m_hooks.erase(id);
  });
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string escape_help(std::string_view help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string labels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                   std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  if (!out.empty()) {
    out += '}';
  }
  return out;
}

void header(std::string& out, const std::string& name, const std::string& help,
            std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += escape_help(help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

} // namespace

std::string format_value(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  // Prefer the shortest representation that round-trips.
  for (int precision = 6; precision < 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, value);
    if (std::strtod(shorter, nullptr) == value) {
      return shorter;
    }
  }
  return buf;
}

std::string Registry::render() const {
  {
    std::lock_guard lock(m_hooks_mutex);
    for (const auto& [id, hook] : m_hooks) {
      hook();
    }
  }
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(m_mutex);
  for (const auto& entry : m_entries) {
    if (entry.sampled) {
      const auto& f = *entry.sampled;
      header(out, f.name(), f.help(), f.type() == Type::counter ? "counter" : "gauge");
      f.for_each([&](const std::vector<std::string>& values, double value) {
        out += f.name() + labels(f.label_names(), values) + ' ' + format_value(value) + '\n';
      });
      continue;
    }
    switch (entry.type) {
    case Type::counter: {
      const auto& f = *entry.counter;
      header(out, f.name(), f.help(), "counter");
      f.for_each([&](const std::vector<std::string>& values, const Counter& c) {
        out += f.name() + labels(f.label_names(), values) + ' ' + format_value(c.value()) + '\n';
      });
      break;
    }
    case Type::gauge: {
      const auto& f = *entry.gauge;
      header(out, f.name(), f.help(), "gauge");
      f.for_each([&](const std::vector<std::string>& values, const Gauge& g) {
        out += f.name() + labels(f.label_names(), values) + ' ' + format_value(g.value()) + '\n';
      });
      break;
    }
    case Type::histogram: {
      const auto& f = *entry.histogram;
      header(out, f.name(), f.help(), "histogram");
      f.for_each([&](const std::vector<std::string>& values, const Histogram& h) {
        const auto counts = h.cumulative_counts();
        for (std::size_t i = 0; i < h.bounds().size(); ++i) {
          out += f.name() + "_bucket" +
                 labels(f.label_names(), values, "le", format_value(h.bounds()[i])) + ' ' +
                 std::to_string(counts[i]) + '\n';
        }
        out += f.name() + "_bucket" + labels(f.label_names(), values, "le", "+Inf") + ' ' +
               std::to_string(counts.back()) + '\n';
        out += f.name() + "_sum" + labels(f.label_names(), values) + ' ' + format_value(h.sum()) +
               '\n';
        out += f.name() + "_count" + labels(f.label_names(), values) + ' ' +
               std::to_string(counts.back()) + '\n';
      });
      break;
    }
    }
  }
  return out;
}

namespace {

// A sample with its labels sorted by name, as the text parser gives them.
Sample make_sample(std::string name, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, double value) {
  Sample sample{std::move(name), {}, value, std::nullopt};
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    sample.labels.push_back(Label{names[i], values[i]});
  }
  std::sort(sample.labels.begin(), sample.labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return sample;
}

void add_histogram_samples(MetricFamily& family, const std::vector<std::string>& names,
                           const std::vector<std::string>& values, const Histogram& h) {
  const auto counts = h.cumulative_counts();
  auto bucket_names = names;
  bucket_names.emplace_back("le");
  for (std::size_t i = 0; i <= h.bounds().size(); ++i) {
    auto bucket_values = values;
    bucket_values.push_back(i < h.bounds().size() ? format_value(h.bounds()[i]) : "+Inf");
    family.samples.push_back(make_sample(family.name + "_bucket", bucket_names, bucket_values,
                                         static_cast<double>(counts[i])));
  }
  family.samples.push_back(make_sample(family.name + "_sum", names, values, h.sum()));
  family.samples.push_back(
      make_sample(family.name + "_count", names, values, static_cast<double>(counts.back())));
}

} // namespace

Exposition Registry::snapshot() const {
  Exposition out;
  std::lock_guard lock(m_mutex);
  out.families.reserve(m_entries.size());
  for (const auto& entry : m_entries) {
    auto& family = out.families.emplace_back();
    if (entry.sampled) {
      const auto& f = *entry.sampled;
      family.name = f.name();
      family.help = f.help();
      family.type = f.type() == Type::counter ? MetricType::counter : MetricType::gauge;
      f.for_each([&](const std::vector<std::string>& values, double value) {
        family.samples.push_back(make_sample(f.name(), f.label_names(), values, value));
      });
      continue;
    }
    switch (entry.type) {
    case Type::counter:
      family = {entry.counter->name(), MetricType::counter, entry.counter->help(), {}};
      entry.counter->for_each([&](const std::vector<std::string>& values, const Counter& c) {
        family.samples.push_back(
            make_sample(family.name, entry.counter->label_names(), values, c.value()));
      });
      break;
    case Type::gauge:
      family = {entry.gauge->name(), MetricType::gauge, entry.gauge->help(), {}};
      entry.gauge->for_each([&](const std::vector<std::string>& values, const Gauge& g) {
        family.samples.push_back(
            make_sample(family.name, entry.gauge->label_names(), values, g.value()));
      });
      break;
    case Type::histogram:
      family = {entry.histogram->name(), MetricType::histogram, entry.histogram->help(), {}};
      entry.histogram->for_each([&](const std::vector<std::string>& values, const Histogram& h) {
        add_histogram_samples(family, entry.histogram->label_names(), values, h);
      });
      break;
    }
  }
  return out;
}

} // namespace homectl::metrics
