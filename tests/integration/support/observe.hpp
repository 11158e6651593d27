#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// Test support for fault-injection tests: reading what a running daemon tells
// the outside world (Prometheus text, JSON log lines, its memory), and polling
// with a deadline instead of sleeping and hoping.
namespace homectl::test {

// Polls `probe` every 20 ms until it returns true or `limit` passes; the
// final answer of `probe`.
template <typename Probe>
bool poll_until(Probe probe, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return probe();
}

// The value of one sample in Prometheus text, e.g.
// metric_value(text, "homectl_source_requests_total", {{"source", "a"}, {"outcome", "ok"}});
// labels must match exactly (all of them, any order); nullopt when absent.
std::optional<double>
metric_value(std::string_view text, std::string_view name,
             const std::vector<std::pair<std::string, std::string>>& labels = {});

// How many times `needle` occurs in `text` (overlapping ones included).
std::size_t occurrences(const std::string& text, std::string_view needle);

// Every line of `output` that parses as a JSON object (the daemon's log lines).
std::vector<nlohmann::json> json_lines(std::string_view output);

// Log lines whose "msg" is `msg` and whose fields include all of `fields`
// (string comparison of the dumped values for non-strings).
std::vector<nlohmann::json>
log_lines(std::string_view output, std::string_view msg,
          const std::vector<std::pair<std::string, std::string>>& fields = {});

// Resident set size of a process in KiB (VmRSS of /proc/<pid>/status), nullopt
// when the process or the field is gone.
std::optional<std::int64_t> rss_kib(pid_t pid);

// True when this test binary was built with AddressSanitizer (the daemon then
// is too, and its memory figures include the sanitizer's own overhead).
constexpr bool built_with_asan() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

// True when the daemon under test carries a sanitizer's memory overhead:
// this test binary is an ASan build (so is the daemon), or
// HOMECTL_TEST_BINARY names another build (`make test-tsan` drives a
// ThreadSanitizer daemon, whose shadow memory grows with what it touches).
bool daemon_is_sanitized();

} // namespace homectl::test
