#include "homectl/client/cache_warm.hpp"

#include "homectl/config/values.hpp"
#include "homectl/util/json.hpp"
#include "homectl/util/strings.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <mutex>
#include <thread>

namespace homectl::client {
namespace {

std::string percent_encode(std::string_view text) {
  static const char* const k_hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::optional<std::chrono::seconds> retry_after(const Response& response) {
  const auto value = response.header("Retry-After");
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

// "404 Not Found: no source named \"x\"" from a problem+json answer, else the status.
std::string problem_text(const Response& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  const auto parsed = util::parse_json(response.body);
  if (parsed && parsed->is_object()) {
    const auto& doc = *parsed;
    const auto detail = doc.value("detail", std::string{});
    const auto title = doc.value("title", std::string{});
    if (!detail.empty()) {
      text += ": " + detail;
    } else if (!title.empty()) {
      text += ": " + title;
    }
  }
  if (response.status == 401) {
    text += " (pass --token or set HOMECTL_TOKEN)";
  }
  return text;
}

bool outcome_is_success(const std::string& outcome) {
  return outcome == "ok" || outcome == "not_modified" || outcome == "unchanged" ||
         outcome == "adopted" || outcome == "coalesced";
}

WarmResult warm_one(HttpClient& http, const std::string& source, const WarmOptions& options,
                    const WarmSleeper& sleeper) {
  WarmResult result;
  result.source = source;
  // Whole seconds or milliseconds: what the daemon's ?wait= reads.
  const auto wait_ms = options.wait.count();
  const std::string wait_text =
      wait_ms % 1000 == 0 ? std::to_string(wait_ms / 1000) + "s" : std::to_string(wait_ms) + "ms";
  const std::string path = "/v1/sources/" + percent_encode(source) + "/refresh?wait=" + wait_text;
  while (true) {
    auto outcome = http.post(path, "", "application/json");
    if (!outcome) {
      result.outcome = "failed";
      result.detail = outcome.failure.message;
      return result;
    }
    const auto& response = *outcome.response;
    if (response.status == 429 && result.waited_429 < options.max_429) {
      auto wait = retry_after(response).value_or(std::chrono::seconds(1));
      const auto capped = std::min<std::chrono::milliseconds>(wait, options.max_retry_wait);
      ++result.waited_429;
      sleeper(capped);
      continue;
    }
    if (response.status == 202) {
      result.ok = true;
      result.outcome = "pending";
      result.detail = "still refreshing after " + config::format_duration(options.wait);
      return result;
    }
    if (response.status < 200 || response.status >= 300) {
      result.outcome = "failed";
      result.detail = problem_text(response);
      return result;
    }
    const auto parsed = util::parse_json(response.body);
    if (!parsed) {
      result.outcome = "failed";
      result.detail = "the answer is not JSON: " + parsed.error().message;
      return result;
    }
    const auto& doc = *parsed;
    if (!doc.is_object()) {
      result.outcome = "failed";
      result.detail = "the answer is not a JSON object";
      return result;
    }
    result.outcome = doc.value("outcome", std::string("ok"));
    if (auto it = doc.find("status"); it != doc.end() && it->is_number_integer()) {
      result.status = it->get<int>();
    }
    if (auto it = doc.find("duration_ms"); it != doc.end() && it->is_number()) {
      result.duration_ms = it->get<double>();
    }
    if (auto it = doc.find("changed"); it != doc.end() && it->is_boolean()) {
      result.changed = it->get<bool>();
    }
    result.ok = outcome_is_success(result.outcome);
    if (!result.ok) {
      result.detail = doc.value("error", std::string{});
    }
    return result;
  }
}

} // namespace

Result<std::vector<std::string>> list_sources(const std::string& url, const std::string& token,
                                              std::chrono::milliseconds timeout) {
  HttpClient http(ClientOptions{url, token, timeout, timeout});
  auto outcome = http.get("/v1/sources", {{"Accept", "application/json"}});
  if (!outcome) {
    return make_error(outcome.failure.message);
  }
  if (outcome.response->status != 200) {
    return make_error(http.url_for("/v1/sources") + ": " + problem_text(*outcome.response));
  }
  const auto parsed = util::parse_json(outcome.response->body);
  if (!parsed) {
    return make_error(http.url_for("/v1/sources") +
                      ": the answer is not JSON: " + parsed.error().message);
  }
  const auto& doc = *parsed;
  if (!doc.is_object() || !doc.contains("sources") || !doc["sources"].is_array()) {
    return make_error(http.url_for("/v1/sources") + ": the answer has no \"sources\" array");
  }
  std::vector<std::string> names;
  for (const auto& s : doc["sources"]) {
    if (s.is_object() && s.contains("name") && s["name"].is_string()) {
      names.push_back(s["name"].get<std::string>());
    }
  }
  return names;
}

std::vector<WarmResult> warm_sources(const std::string& url, const std::string& token,
                                     const std::vector<std::string>& sources,
                                     const WarmOptions& options, const WarmProgress& progress,
                                     const WarmSleeper& sleeper) {
  std::vector<WarmResult> results(sources.size());
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex mutex;
  auto worker = [&] {
    // One client per worker: each runs its own event loop, never shared between threads.
    HttpClient http(ClientOptions{url, token, options.timeout, options.wait + options.timeout});
    while (true) {
      const std::size_t i = next.fetch_add(1);
      if (i >= sources.size()) {
        return;
      }
      auto result = warm_one(http, sources[i], options, sleeper);
      std::lock_guard lock(mutex);
      results[i] = result;
      ++done;
      if (progress) {
        progress(result, done, sources.size());
      }
    }
  };
  const auto workers = static_cast<std::size_t>(std::max(1, options.concurrency));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < std::min(workers, sources.size()); ++i) {
    threads.emplace_back(worker);
  }
  for (auto& t : threads) {
    t.join();
  }
  return results;
}

std::string render_warm_summary(const std::vector<WarmResult>& results) {
  std::vector<std::vector<std::string>> rows{
      {"SOURCE", "OUTCOME", "STATUS", "DURATION", "CHANGED", "DETAIL"}};
  for (const auto& r : results) {
    std::string duration = "-";
    if (r.duration_ms) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0fms", *r.duration_ms);
      duration = buf;
    }
    std::string detail = r.detail;
    if (r.waited_429 > 0) {
      detail += (detail.empty() ? "" : "; ") + std::string("waited out ") +
                std::to_string(r.waited_429) + "x 429";
    }
    rows.push_back({r.source, r.outcome, r.status ? std::to_string(*r.status) : "-", duration,
                    r.changed ? (*r.changed ? "yes" : "no") : "-", detail});
  }
  return util::render_columns(rows);
}

std::string render_progress_bar(std::size_t done, std::size_t total, const WarmResult& last,
                                std::size_t width) {
  const std::size_t filled = total == 0 ? width : width * done / total;
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " +
         std::to_string(done) + "/" + std::to_string(total) + " " + last.source + " " +
         last.outcome;
}

} // namespace homectl::client
