#include "homectl/sources/http_fetcher.hpp"

#include "homectl/http/client.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/resilience/async_semaphore.hpp"
#include "homectl/sources/pick.hpp"
#include "homectl/util/strings.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace homectl::sources {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

resilience::AttemptFailure to_attempt_failure(http::ClientError error) {
  switch (error) {
  case http::ClientError::none:
    return resilience::AttemptFailure::none;
  case http::ClientError::connect:
    return resilience::AttemptFailure::connect;
  case http::ClientError::timeout:
    return resilience::AttemptFailure::timeout;
  case http::ClientError::tls:
    return resilience::AttemptFailure::tls;
  case http::ClientError::protocol:
    return resilience::AttemptFailure::protocol;
  case http::ClientError::too_large:
    return resilience::AttemptFailure::too_large;
  case http::ClientError::invalid_url:
  case http::ClientError::redirects:
    return resilience::AttemptFailure::permanent;
  }
  return resilience::AttemptFailure::permanent;
}

// The metric label of an HTTP answer that is not a success.
std::string_view status_reason(int status) {
  if (status >= 500) {
    return "status_5xx";
  }
  if (status >= 400) {
    return "status_4xx";
  }
  return "status_3xx";
}

milliseconds remaining_until(SteadyClock::time_point deadline) {
  return std::max(milliseconds{0},
                  std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()));
}

// What one attempt came to, in the terms the retry policy and FetchResult use.
struct Attempt {
  resilience::AttemptFailure failure = resilience::AttemptFailure::none;
  int status = 0;
  std::string error;
  std::string_view reason; // FetchResult::reason
  std::optional<std::chrono::seconds> retry_after;
  bool success = false;
};

} // namespace

HttpFetcher::HttpFetcher(asio::any_io_executor executor, HttpFetcherOptions options)
    : m_executor(std::move(executor)), m_options(std::move(options)),
      m_client(std::make_unique<http::Client>(m_executor)),
      m_global(std::make_unique<resilience::AsyncSemaphore>(
          std::max<std::size_t>(1, m_options.max_concurrent))) {
  if (!m_options.random) {
    m_options.random = resilience::default_random();
  }
}

HttpFetcher::~HttpFetcher() = default;

milliseconds HttpFetcher::overall_deadline(const config::FetchPolicy& policy) {
  const auto attempts = static_cast<milliseconds::rep>(std::max(0, policy.retries)) + 1;
  return policy.timeout * attempts;
}

resilience::AsyncSemaphore& HttpFetcher::host_semaphore(const std::string& authority) {
  auto& slot = m_per_host[authority];
  if (!slot) {
    slot = std::make_unique<resilience::AsyncSemaphore>(
        std::max<std::size_t>(1, m_options.max_per_host));
  }
  return *slot;
}

asio::awaitable<FetchResult> HttpFetcher::fetch(const config::SourceConfig& source_ref) {
  // A copy: a configuration reload may replace the caller's object mid-fetch.
  const config::SourceConfig source = source_ref;
  const config::FetchPolicy& policy = source.policy;
  const auto start = SteadyClock::now();
  const auto deadline = start + overall_deadline(policy);
  auto executor = co_await asio::this_coro::executor;

  FetchResult result;
  auto finish = [&](FetchResult& r) {
    r.duration = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
    if (r.outcome == FetchOutcome::ok) {
      log::debug("fetch ok", {{"source", source.name},
                              {"status", r.status},
                              {"attempts", r.attempts},
                              {"duration_ms", r.duration.count()}});
    } else {
      // At debug: the Service logs the failed refresh once, at warn.
      log::debug("fetch failed", {{"source", source.name},
                                  {"outcome", to_string(r.outcome)},
                                  {"reason", r.reason},
                                  {"status", r.status},
                                  {"error", r.error},
                                  {"attempts", r.attempts},
                                  {"duration_ms", r.duration.count()}});
    }
  };

  auto url = util::parse_http_url(source.url);
  if (!url) {
    result.error = url.error().message;
    result.reason = "invalid_url";
    finish(result);
    co_return result;
  }
  resilience::AsyncSemaphore& per_host = host_semaphore(url->authority());

  http::ClientRequest request;
  request.method = util::to_upper(source.method);
  request.url = source.url;
  request.headers.assign(source.headers.begin(), source.headers.end());
  request.body = source.body;
  http::ClientOptions options;
  options.max_body = policy.max_size;
  options.follow_redirects = policy.follow_redirects;
  options.tls_verify = policy.tls_verify;
  options.ca_file = source.ca_file;
  options.timeout = policy.timeout;
  options.deadline = deadline;

  Attempt last;
  for (int retries_done = 0;; ++retries_done) {
    result.attempts = retries_done + 1;
    last = Attempt{};
    http::ClientResponse response;
    {
      asio::steady_timer timer(executor);
      timer.expires_at(deadline);
      auto global =
          co_await (m_global->acquire() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
      if (global.index() == 1) {
        last.failure = resilience::AttemptFailure::timeout;
        last.error = "timed out waiting for a free outbound slot";
        last.reason = "timeout";
        break;
      }
      auto host =
          co_await (per_host.acquire() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
      if (host.index() == 1) {
        last.failure = resilience::AttemptFailure::timeout;
        last.error = "timed out waiting for a free slot to " + url->host;
        last.reason = "timeout";
        break;
      }
      response = co_await m_client->request(request, options);
      // Both permits are released here, before any backoff wait.
    }

    last.failure = to_attempt_failure(response.error);
    last.status = response.status;
    if (!response.ok()) {
      last.error = response.message;
      last.reason = http::to_string(response.error);
    } else if (response.status >= 200 && response.status <= 299) {
      auto body = apply_pick(response.body, source.pick);
      if (body) {
        last.success = true;
        result.body = std::move(body.value());
        if (!source.pick.empty()) {
          result.content_type = "application/json";
        } else {
          auto type = response.header("content-type");
          result.content_type = type ? std::string(*type) : "application/octet-stream";
        }
        break;
      }
      // Bad JSON under `pick` will be just as bad on the next attempt.
      last.failure = resilience::AttemptFailure::permanent;
      last.error = body.error().message;
      last.reason = "invalid_body";
    } else {
      last.error = "upstream status " + std::to_string(response.status);
      last.reason = status_reason(response.status);
      if (response.status >= 300 && response.status <= 399 && !policy.follow_redirects) {
        last.error += " (redirect not followed: follow_redirects is off)";
      }
      if (response.status == 429 || response.status == 503) {
        if (auto value = response.header("retry-after")) {
          last.retry_after =
              resilience::parse_retry_after(*value, std::chrono::system_clock::now());
        }
      }
    }

    resilience::RetryState state;
    state.retries_done = retries_done;
    state.max_retries = policy.retries;
    state.failure = last.failure;
    state.status = last.status;
    state.retry_after = last.retry_after;
    state.remaining = remaining_until(deadline);
    auto delay =
        resilience::next_retry_delay(state, policy.retry_backoff, policy.timeout, m_options.random);
    if (!delay) {
      break;
    }
    log::debug("fetch attempt failed, retrying", {{"source", source.name},
                                                  {"attempt", result.attempts},
                                                  {"status", last.status},
                                                  {"error", last.error},
                                                  {"delay_ms", delay->count()}});
    asio::steady_timer backoff(executor);
    backoff.expires_after(*delay);
    co_await backoff.async_wait(asio::use_awaitable);
  }

  result.status = last.status;
  if (last.success) {
    result.outcome = FetchOutcome::ok;
  } else {
    result.outcome = last.failure == resilience::AttemptFailure::timeout ? FetchOutcome::timeout
                                                                         : FetchOutcome::error;
    result.error = last.error;
    result.reason = last.reason;
    result.retry_after = last.retry_after;
  }
  finish(result);
  co_return result;
}

} // namespace homectl::sources
