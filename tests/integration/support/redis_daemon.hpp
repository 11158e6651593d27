#pragma once

#include "support/daemon_process.hpp"
#include "support/fake_upstream.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

// Test support for the Redis fault tests: a daemon configuration with one
// source and Redis, and what the daemon says about Redis over HTTP.
namespace homectl::test {

// Answers that change on every fetch ({"n":0}, {"n":1}, ...), so every
// refresh is a change and an event.
std::vector<FakeResponse> changing_answers(int count);

// A config with Redis at `redis_url` (prefix "hc:", 1 s connect and 500 ms
// command timeouts, `redis_extra` on top) and one source "meter" on
// `up`/m refreshing every second (ttl 1s, stale_if_error 1h, no retries).
nlohmann::json redis_daemon_config(const std::string& redis_url, const FakeUpstream& up,
                                   bool required,
                                   nlohmann::json redis_extra = nlohmann::json::object());

// Status of GET path, 0 when no answer (2 s timeout).
int status_of(const DaemonProcess& daemon, const std::string& path);

// The /metrics text, "" when it does not answer 200.
std::string metrics_of(const DaemonProcess& daemon);

// The redis:connection check of /health, null when absent.
nlohmann::json redis_check(const DaemonProcess& daemon);

} // namespace homectl::test
