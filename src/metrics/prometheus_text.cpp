#include "homectl/metrics/prometheus_text.hpp"

#include "prometheus_line.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace homectl::metrics {
namespace {

using detail::is_blank;
using detail::is_name_char;
using detail::is_name_start;
using detail::line_error;
using detail::LineReader;
using detail::parse_sample;
using detail::parse_value;

std::optional<MetricType> parse_type(std::string_view word) {
  for (auto type : {MetricType::counter, MetricType::gauge, MetricType::histogram,
                    MetricType::summary, MetricType::untyped}) {
    if (to_string(type) == word) {
      return type;
    }
  }
  return std::nullopt;
}

std::string unescape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
      out += text[i + 1] == 'n' ? '\n' : '\\';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Builds the family list while lines arrive.
class Builder {
public:
  Result<void> declare(std::size_t line, std::string_view keyword, std::string_view name,
                       std::string_view rest) {
    auto& info = m_declared[std::string(name)];
    auto& family = family_for(name);
    if (keyword == "HELP") {
      if (info.help_seen) {
        return line_error(line, "second HELP line for \"" + std::string(name) + "\"");
      }
      info.help_seen = true;
      family.help = unescape_help(rest);
      return {};
    }
    if (info.type_seen) {
      return line_error(line, "second TYPE line for \"" + std::string(name) + "\"");
    }
    if (!family.samples.empty()) {
      return line_error(line, "TYPE line for \"" + std::string(name) + "\" after its samples");
    }
    auto type = parse_type(util_trim(rest));
    if (!type) {
      return line_error(line, "unknown metric type \"" + std::string(util_trim(rest)) +
                                  "\" for \"" + std::string(name) +
                                  "\" (expected counter, gauge, histogram, summary or untyped)");
    }
    info.type_seen = true;
    family.type = *type;
    return {};
  }

  Result<void> add(std::size_t line, Sample sample) {
    MetricFamily& family = owner_of(sample.name);
    if (family.type == MetricType::histogram && sample.name == family.name + "_bucket") {
      auto le = sample.label("le");
      if (!le) {
        return line_error(line, "histogram bucket \"" + sample.name + "\" has no \"le\" label");
      }
      if (!parse_value(*le)) {
        return line_error(line, "histogram bucket \"" + sample.name + "\" has le=\"" + *le +
                                    "\", which is not a number");
      }
    }
    if (family.type == MetricType::histogram && sample.name == family.name) {
      return line_error(line, "histogram \"" + family.name +
                                  "\" has a bare sample (expected _bucket, _sum or _count)");
    }
    family.samples.push_back(std::move(sample));
    return {};
  }

  Exposition finish() && { return Exposition{std::move(m_families)}; }

private:
  struct Declared {
    bool help_seen = false;
    bool type_seen = false;
  };

  static std::string_view util_trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) {
      s.remove_prefix(1);
    }
    while (!s.empty() && is_blank(s.back())) {
      s.remove_suffix(1);
    }
    return s;
  }

  MetricFamily& family_for(std::string_view name) {
    auto it = m_index.find(std::string(name));
    if (it != m_index.end()) {
      return m_families[it->second];
    }
    m_index.emplace(std::string(name), m_families.size());
    m_families.push_back(MetricFamily{std::string(name), MetricType::untyped, {}, {}});
    return m_families.back();
  }

  // A histogram owns name_bucket/_sum/_count, a summary name_sum/_count.
  MetricFamily& owner_of(std::string_view sample_name) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (!sample_name.ends_with(suffix)) {
        continue;
      }
      auto base = sample_name.substr(0, sample_name.size() - suffix.size());
      auto it = m_index.find(std::string(base));
      if (it == m_index.end()) {
        continue;
      }
      auto& family = m_families[it->second];
      if (family.type == MetricType::histogram ||
          (family.type == MetricType::summary && suffix != "_bucket")) {
        return family;
      }
    }
    return family_for(sample_name);
  }

  std::vector<MetricFamily> m_families;
  std::map<std::string, std::size_t, std::less<>> m_index;
  std::map<std::string, Declared, std::less<>> m_declared;
};

Result<void> parse_comment(std::size_t line, LineReader& in, Builder& builder) {
  in.advance(); // '#'
  if (in.skip_blanks() == 0) {
    return {};
  }
  auto keyword = in.take_token();
  if (keyword != "HELP" && keyword != "TYPE") {
    return {}; // an ordinary comment
  }
  if (in.skip_blanks() == 0) {
    return line_error(line, std::string(keyword) + " line without a metric name");
  }
  auto name = in.take_while(is_name_char);
  if (name.empty() || !is_name_start(name.front()) || (!in.at_end() && !is_blank(in.peek()))) {
    return line_error(line, std::string(keyword) + " line with an invalid metric name");
  }
  in.skip_blanks();
  return builder.declare(line, keyword, name, in.rest());
}

std::optional<std::string> find_label(const std::vector<Label>& labels, std::string_view name) {
  for (const auto& label : labels) {
    if (label.name == name) {
      return label.value;
    }
  }
  return std::nullopt;
}

} // namespace

std::string_view to_string(MetricType type) {
  switch (type) {
  case MetricType::counter:
    return "counter";
  case MetricType::gauge:
    return "gauge";
  case MetricType::histogram:
    return "histogram";
  case MetricType::summary:
    return "summary";
  case MetricType::untyped:
    break;
  }
  return "untyped";
}

std::optional<std::string> Sample::label(std::string_view label_name) const {
  return find_label(labels, label_name);
}

std::optional<std::string> HistogramSeries::label(std::string_view label_name) const {
  return find_label(labels, label_name);
}

const MetricFamily* Exposition::find(std::string_view name) const {
  for (const auto& family : families) {
    if (family.name == name) {
      return &family;
    }
  }
  return nullptr;
}

Result<Exposition> parse_prometheus_text(std::string_view text) {
  Builder builder;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    LineReader in(line);
    in.skip_blanks();
    if (in.at_end()) {
      continue;
    }
    if (in.peek() == '#') {
      auto ok = parse_comment(line_no, in, builder);
      if (!ok) {
        return ok.error();
      }
      continue;
    }
    auto sample = parse_sample(line_no, in);
    if (!sample) {
      return sample.error();
    }
    auto ok = builder.add(line_no, std::move(sample).value());
    if (!ok) {
      return ok.error();
    }
  }
  return std::move(builder).finish();
}

Result<std::vector<HistogramSeries>> histogram_series(const MetricFamily& family) {
  std::vector<HistogramSeries> out;
  auto series_for = [&out](std::vector<Label> labels) -> HistogramSeries& {
    for (auto& s : out) {
      if (s.labels == labels) {
        return s;
      }
    }
    out.push_back(HistogramSeries{std::move(labels), {}, 0.0, 0.0});
    return out.back();
  };
  for (const auto& sample : family.samples) {
    std::vector<Label> labels;
    std::optional<std::string> le;
    for (const auto& label : sample.labels) {
      if (label.name == "le") {
        le = label.value;
      } else {
        labels.push_back(label);
      }
    }
    auto& series = series_for(std::move(labels));
    if (sample.name == family.name + "_bucket") {
      auto bound = le ? parse_value(*le) : std::nullopt;
      if (!bound) {
        return make_error("histogram \"" + family.name + "\" has a bucket without a numeric le");
      }
      series.buckets.push_back(Bucket{*bound, sample.value});
    } else if (sample.name == family.name + "_sum") {
      series.sum = sample.value;
    } else if (sample.name == family.name + "_count") {
      series.count = sample.value;
    }
  }
  for (auto& s : out) {
    std::sort(s.buckets.begin(), s.buckets.end(),
              [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  }
  return out;
}

std::optional<double> histogram_quantile(double q, std::span<const Bucket> buckets) {
  if (buckets.size() < 2 || !std::isinf(buckets.back().upper_bound) ||
      buckets.back().upper_bound < 0) {
    return std::nullopt;
  }
  const double total = buckets.back().count;
  if (!(total > 0)) {
    return std::nullopt;
  }
  if (q < 0) {
    return -std::numeric_limits<double>::infinity();
  }
  if (q > 1) {
    return std::numeric_limits<double>::infinity();
  }
  double rank = q * total;
  std::size_t b = 0;
  while (b < buckets.size() - 1 && buckets[b].count < rank) {
    ++b;
  }
  if (b == buckets.size() - 1) {
    // The rank falls into the +Inf bucket: the best answer is the highest finite bound.
    return buckets[b - 1].upper_bound;
  }
  if (b == 0 && buckets[0].upper_bound <= 0) {
    return buckets[0].upper_bound;
  }
  double start = 0.0;
  const double end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  if (!(count > 0)) {
    return end;
  }
  return start + (end - start) * (rank / count);
}

double counter_delta(const Sample& sample, const MetricFamily* earlier) {
  if (earlier == nullptr) {
    return sample.value;
  }
  for (const auto& old : earlier->samples) {
    if (old.name == sample.name && old.labels == sample.labels) {
      return sample.value >= old.value ? sample.value - old.value : sample.value;
    }
  }
  return sample.value;
}

std::vector<Bucket> bucket_delta(std::span<const Bucket> later, std::span<const Bucket> earlier) {
  std::vector<Bucket> out;
  out.reserve(later.size());
  for (const auto& bucket : later) {
    double before = 0.0;
    for (const auto& old : earlier) {
      if (old.upper_bound == bucket.upper_bound) {
        before = old.count;
        break;
      }
    }
    if (bucket.count < before) {
      // A counter reset (the daemon restarted): the later snapshot is the whole window.
      return {later.begin(), later.end()};
    }
    out.push_back(Bucket{bucket.upper_bound, bucket.count - before});
  }
  return out;
}

} // namespace homectl::metrics
