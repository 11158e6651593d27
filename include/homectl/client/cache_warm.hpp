#pragma once

#include "homectl/client/http_client.hpp"
#include "homectl/util/result.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// `homectl cache warm`: asks the daemon to refresh sources (POST
// /v1/sources/{name}/refresh?wait=...) with bounded concurrency, waiting out
// 429 answers (Retry-After, capped) instead of failing.
namespace homectl::client {

// The result of warming one source.
struct WarmResult {
  std::string source;
  bool ok = false;
  std::string outcome;               // the daemon's outcome ("ok", "timeout", ...) or "failed"
  std::optional<int> status;         // upstream status reported by the daemon
  std::optional<double> duration_ms; // as reported by the daemon
  std::optional<bool> changed;
  std::string detail; // why it failed (HTTP status, problem detail, connection error)
  int waited_429 = 0; // how many 429 answers were waited out
};

struct WarmOptions {
  int concurrency = 4;
  std::chrono::milliseconds wait{5000};    // ?wait= for each refresh
  std::chrono::milliseconds timeout{2000}; // connect timeout; read timeout = wait + timeout
  std::chrono::milliseconds max_retry_wait{60'000}; // longest Retry-After honoured per answer
  int max_429 = 10;                                 // 429 answers waited out per source
};

// Waits (tests may record instead).
using WarmSleeper = std::function<void(std::chrono::milliseconds)>;

// Called as each source finishes (from a worker thread, serialised).
using WarmProgress = std::function<void(const WarmResult&, std::size_t done, std::size_t total)>;

// Every source the daemon knows (GET /v1/sources), in its order.
Result<std::vector<std::string>> list_sources(const std::string& url, const std::string& token,
                                              std::chrono::milliseconds timeout);

// Warms `sources`; results come back in the order of `sources`.
std::vector<WarmResult> warm_sources(const std::string& url, const std::string& token,
                                     const std::vector<std::string>& sources,
                                     const WarmOptions& options, const WarmProgress& progress,
                                     const WarmSleeper& sleeper);

// The final summary table (SOURCE OUTCOME STATUS DURATION CHANGED).
std::string render_warm_summary(const std::vector<WarmResult>& results);

// One progress line: "[#####.....] 3/6 weather ok".
std::string render_progress_bar(std::size_t done, std::size_t total, const WarmResult& last,
                                std::size_t width = 30);

} // namespace homectl::client
