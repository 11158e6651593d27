#include "homectl/client/history_view.hpp"

#include "homectl/util/strings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace homectl::client {
namespace {

using nlohmann::json;

std::string number(std::optional<double> value) {
  if (!value) {
    return "-";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", *value);
  return buf;
}

std::string series_label(const json& series) {
  std::string label = series.value("name", "");
  const auto labels = series.find("labels");
  if (labels == series.end() || !labels->is_object() || labels->empty()) {
    return label;
  }
  std::string inner;
  for (const auto& [name, value] : labels->items()) {
    if (!inner.empty()) {
      inner += ',';
    }
    inner += name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return label + "{" + inner + "}";
}

// The points' values (the mean) and the range over them, or an Error.
Result<std::vector<std::string>> row_of(const json& series) {
  if (!series.is_object() || !series.contains("name") || !series["name"].is_string() ||
      !series.contains("points") || !series["points"].is_array()) {
    return make_error("history answer: a series without a name or points");
  }
  std::vector<std::optional<double>> values;
  std::optional<double> low;
  std::optional<double> high;
  std::optional<double> last;
  for (const auto& point : series["points"]) {
    if (!point.is_array() || point.size() < 2 || !(point[1].is_number() || point[1].is_null())) {
      return make_error("history answer: series \"" + series["name"].get<std::string>() +
                        "\" has a point that is not [time, value]");
    }
    if (point[1].is_null()) {
      values.emplace_back();
      continue;
    }
    const double v = point[1].get<double>();
    const double lo = point.size() >= 4 && point[2].is_number() ? point[2].get<double>() : v;
    const double hi = point.size() >= 4 && point[3].is_number() ? point[3].get<double>() : v;
    values.emplace_back(v);
    low = low ? std::min(*low, lo) : lo;
    high = high ? std::max(*high, hi) : hi;
    last = v;
  }
  return std::vector<std::string>{series_label(series),   sparkline(values),
                                  "min " + number(low),   "max " + number(high),
                                  "last " + number(last), series.value("unit", "")};
}

} // namespace

std::string sparkline(const std::vector<std::optional<double>>& values) {
  static constexpr const char* k_blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::optional<double> low;
  std::optional<double> high;
  for (const auto& v : values) {
    if (v && std::isfinite(*v)) {
      low = low ? std::min(*low, *v) : *v;
      high = high ? std::max(*high, *v) : *v;
    }
  }
  std::string out;
  for (const auto& v : values) {
    if (!v || !std::isfinite(*v)) {
      out += ' ';
    } else if (*high - *low <= 0) {
      out += k_blocks[3];
    } else {
      const auto level = static_cast<int>(std::lround((*v - *low) / (*high - *low) * 7));
      out += k_blocks[std::clamp(level, 0, 7)];
    }
  }
  return out;
}

long long step_for(double since_s, double interval_s, int width) {
  const double interval = std::max(1.0, interval_s);
  const double raw = since_s / std::max(1, width);
  return static_cast<long long>(std::ceil(std::max(raw, interval) / interval) * interval);
}

Result<std::string> render_history(const std::vector<json>& answers) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& answer : answers) {
    if (!answer.is_object() || !answer.contains("series") || !answer["series"].is_array()) {
      return make_error("history answer: no \"series\" array");
    }
    for (const auto& series : answer["series"]) {
      auto row = row_of(series);
      if (!row) {
        return row.error();
      }
      rows.push_back(std::move(row).value());
    }
  }
  if (rows.empty()) {
    return std::string("no history recorded yet\n");
  }
  return util::render_columns(rows);
}

} // namespace homectl::client
