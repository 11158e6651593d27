#include "homectl/sources/http_fetcher.hpp"

#include "homectl/http/client.hpp"
#include "homectl/log/logger.hpp"
#include "homectl/resilience/async_semaphore.hpp"
#include "homectl/sources/command_fetcher.hpp"
#include "homectl/sources/fetch_attempt.hpp"
#include "homectl/util/strings.hpp"
#include "homectl/util/url.hpp"

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

milliseconds remaining_until(SteadyClock::time_point deadline) {
  return std::max(milliseconds{0},
                  std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()));
}

bool has_header(const config::SourceConfig& source, std::string_view name) {
  return std::any_of(source.headers.begin(), source.headers.end(),
                     [&](const auto& header) { return util::iequals(header.first, name); });
}

// The request and client options of every attempt of one refresh; with
// validators, a conditional request (unless the source sets those headers itself).
http::ClientRequest make_request(const config::SourceConfig& source,
                                 const cache::Validators& validators) {
  http::ClientRequest request;
  request.method = util::to_upper(source.method);
  request.url = source.url;
  request.headers.assign(source.headers.begin(), source.headers.end());
  if (!validators.etag.empty() && !has_header(source, "If-None-Match")) {
    request.headers.emplace_back("If-None-Match", validators.etag);
  }
  if (!validators.last_modified.empty() && !has_header(source, "If-Modified-Since")) {
    request.headers.emplace_back("If-Modified-Since", validators.last_modified);
  }
  request.body = source.body;
  return request;
}

http::ClientOptions make_options(const config::SourceConfig& source,
                                 SteadyClock::time_point deadline) {
  http::ClientOptions options;
  options.max_body = source.policy.max_size;
  options.follow_redirects = source.policy.follow_redirects;
  options.tls_verify = source.policy.tls_verify;
  options.ca_file = source.ca_file;
  options.timeout = source.policy.timeout;
  options.deadline = deadline;
  return options;
}

void log_result(const config::SourceConfig& source, const FetchResult& r) {
  if (r.outcome == FetchOutcome::ok) {
    log::debug("fetch ok", {{"source", source.name},
                            {"status", r.status},
                            {"attempts", r.attempts},
                            {"duration_ms", r.duration.count()}});
    return;
  }
  // At debug: the Service logs the failed refresh once, at warn.
  log::debug("fetch failed", {{"source", source.name},
                              {"outcome", to_string(r.outcome)},
                              {"reason", r.reason},
                              {"status", r.status},
                              {"error", r.error},
                              {"attempts", r.attempts},
                              {"duration_ms", r.duration.count()}});
}

} // namespace

HttpFetcher::HttpFetcher(asio::any_io_executor executor, HttpFetcherOptions options)
    : m_executor(std::move(executor)), m_options(std::move(options)),
      m_client(std::make_unique<http::Client>(m_executor)),
      m_global(std::make_unique<resilience::AsyncSemaphore>(
          std::max<std::size_t>(1, m_options.max_concurrent))) {
  if (!m_options.random) {
    m_options.random = resilience::default_random();
  }
  m_commands = std::make_unique<CommandFetcher>(*m_global, m_options.random);
}

HttpFetcher::~HttpFetcher() = default;

milliseconds HttpFetcher::overall_deadline(const config::FetchPolicy& policy) {
  return sources::overall_deadline(policy);
}

resilience::AsyncSemaphore& HttpFetcher::host_semaphore(const std::string& authority) {
  auto& slot = m_per_host[authority];
  if (!slot) {
    slot = std::make_unique<resilience::AsyncSemaphore>(
        std::max<std::size_t>(1, m_options.max_per_host));
  }
  return *slot;
}

asio::awaitable<Attempt>
HttpFetcher::attempt(const http::ClientRequest& request, const http::ClientOptions& options,
                     const config::SourceConfig& source, resilience::AsyncSemaphore& per_host,
                     const std::string& host, std::chrono::steady_clock::time_point deadline,
                     Conditional conditional) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  timer.expires_at(deadline);
  Attempt timed_out;
  timed_out.failure = resilience::AttemptFailure::timeout;
  timed_out.reason = "timeout";
  auto global =
      co_await (m_global->acquire() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (global.index() == 1) {
    timed_out.error = "timed out waiting for a free outbound slot";
    co_return timed_out;
  }
  auto per_host_permit =
      co_await (per_host.acquire() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (per_host_permit.index() == 1) {
    timed_out.error = "timed out waiting for a free slot to " + host;
    co_return timed_out;
  }
  auto response = co_await m_client->request(request, options);
  // Both permits are released when this returns, before any backoff wait.
  co_return classify(std::move(response), source, std::chrono::system_clock::now(), conditional);
}

asio::awaitable<FetchResult> HttpFetcher::fetch(const config::SourceConfig& source_ref,
                                                cache::Validators known) {
  if (!source_ref.command.empty()) {
    cache::Validators nothing; // a named local: no temporary inside a co_await expression
    co_return co_await m_commands->fetch(source_ref, std::move(nothing));
  }
  // A copy: a configuration reload may replace the caller's object mid-fetch.
  const config::SourceConfig source = source_ref;
  const config::FetchPolicy& policy = source.policy;
  const auto start = SteadyClock::now();
  const auto deadline = start + overall_deadline(policy);
  auto executor = co_await asio::this_coro::executor;

  FetchResult result;
  Attempt last;
  auto url = util::parse_http_url(source.url);
  if (!url) {
    last.error = url.error().message;
    last.reason = "invalid_url";
  } else {
    resilience::AsyncSemaphore& per_host = host_semaphore(url->authority());
    const auto validators = validators_to_send(source, known);
    const auto conditional = validators.empty() ? Conditional::no : Conditional::yes;
    const http::ClientRequest request = make_request(source, validators);
    const http::ClientOptions options = make_options(source, deadline);
    for (int retries_done = 0;; ++retries_done) {
      result.attempts = retries_done + 1;
      last = co_await attempt(request, options, source, per_host, url->host, deadline, conditional);
      result.received_bytes += last.received_bytes;
      if (last.success) {
        break;
      }
      const auto delay =
          retry_delay(last, retries_done, policy, remaining_until(deadline), m_options.random);
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
  }
  conclude(result, std::move(last));
  result.duration = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
  log_result(source, result);
  co_return result;
}

} // namespace homectl::sources
