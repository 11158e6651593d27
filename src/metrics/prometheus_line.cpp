// One line of the Prometheus text format: a sample's name, labels with their
// escapes, value and timestamp.
#include "prometheus_line.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace homectl::metrics::detail {
namespace {

bool is_label_start(char c) {
  return is_name_start(c) && c != ':';
}
bool is_label_char(char c) {
  return is_name_char(c) && c != ':';
}

// A quoted label value, the opening quote already read: \\, \" and \n are
// the only escapes.
Result<std::string> parse_label_value(std::size_t line, LineReader& in, std::string_view name) {
  std::string value;
  while (!in.at_end()) {
    const char c = in.peek();
    in.advance();
    if (c == '"') {
      return value;
    }
    if (c != '\\') {
      value += c;
      continue;
    }
    const char next = in.peek();
    if (next == '\\' || next == '"') {
      value += next;
    } else if (next == 'n') {
      value += '\n';
    } else {
      return line_error(line, "invalid escape \"\\" + std::string(1, next) +
                                  "\" in label value for \"" + std::string(name) + "\"");
    }
    in.advance();
  }
  return line_error(line, "label value for \"" + std::string(name) + "\" is not terminated");
}

// The label set after a metric name, the '{' already read, through its '}'.
Result<void> parse_labels(std::size_t line, LineReader& in, Sample& sample) {
  while (true) {
    in.skip_blanks();
    if (in.peek() == '}') {
      in.advance();
      return {};
    }
    auto name = in.take_while(is_label_char);
    if (name.empty() || !is_label_start(name.front())) {
      return line_error(line, "expected a label name in \"" + sample.name + "\"");
    }
    in.skip_blanks();
    if (in.peek() != '=') {
      return line_error(line, "expected '=' after label \"" + std::string(name) + "\"");
    }
    in.advance();
    in.skip_blanks();
    if (in.peek() != '"') {
      return line_error(line, "label value for \"" + std::string(name) + "\" is not quoted");
    }
    in.advance();
    auto value = parse_label_value(line, in, name);
    if (!value) {
      return value.error();
    }
    for (const auto& existing : sample.labels) {
      if (existing.name == name) {
        return line_error(line, "label \"" + std::string(name) + "\" appears twice in \"" +
                                    sample.name + "\"");
      }
    }
    sample.labels.push_back(Label{std::string(name), std::move(value).value()});
    in.skip_blanks();
    if (in.peek() == ',') {
      in.advance();
      continue;
    }
    if (in.peek() == '}') {
      in.advance();
      return {};
    }
    return line_error(line, "expected ',' or '}' after label \"" + std::string(name) + "\"");
  }
}

// The value and the optional timestamp that end a sample line.
Result<void> parse_value_and_timestamp(std::size_t line, LineReader& in, Sample& sample) {
  auto value_token = in.take_token();
  if (value_token.empty()) {
    return line_error(line, "sample \"" + sample.name + "\" has no value");
  }
  auto value = parse_value(value_token);
  if (!value) {
    return line_error(line, "value \"" + std::string(value_token) + "\" of \"" + sample.name +
                                "\" is not a number");
  }
  sample.value = *value;
  if (in.skip_blanks() > 0 && !in.at_end()) {
    auto ts_token = in.take_token();
    std::int64_t ts = 0;
    const auto [end, ec] = std::from_chars(ts_token.data(), ts_token.data() + ts_token.size(), ts);
    if (ec != std::errc{} || end != ts_token.data() + ts_token.size()) {
      return line_error(line, "timestamp \"" + std::string(ts_token) + "\" of \"" + sample.name +
                                  "\" is not an integer");
    }
    sample.timestamp_ms = ts;
    in.skip_blanks();
  }
  if (!in.at_end()) {
    return line_error(line, "unexpected \"" + std::string(in.rest()) + "\" after the sample \"" +
                                sample.name + "\"");
  }
  return {};
}

} // namespace

Error line_error(std::size_t line, const std::string& message) {
  return make_error("line " + std::to_string(line) + ": " + message);
}

std::optional<double> parse_value(std::string_view token) {
  if (token == "+Inf" || token == "Inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (token == "-Inf") {
    return -std::numeric_limits<double>::infinity();
  }
  if (token == "NaN") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (token.starts_with('+')) {
    token.remove_prefix(1);
  }
  if (token.empty() || !(std::isdigit(static_cast<unsigned char>(token.front())) ||
                         token.front() == '-' || token.front() == '.')) {
    return std::nullopt;
  }
  double value = 0.0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc{} || end != token.data() + token.size()) {
    return std::nullopt;
  }
  return value;
}

Result<Sample> parse_sample(std::size_t line, LineReader& in) {
  Sample sample;
  sample.name = std::string(in.take_while(is_name_char));
  if (sample.name.empty() || !is_name_start(sample.name.front())) {
    return line_error(line, "expected a metric name, found \"" + std::string(in.rest()) + "\"");
  }
  in.skip_blanks();
  if (in.peek() == '{') {
    in.advance();
    if (auto labels = parse_labels(line, in, sample); !labels) {
      return labels.error();
    }
    in.skip_blanks();
  }
  if (auto rest = parse_value_and_timestamp(line, in, sample); !rest) {
    return rest.error();
  }
  std::sort(sample.labels.begin(), sample.labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return sample;
}

} // namespace homectl::metrics::detail
