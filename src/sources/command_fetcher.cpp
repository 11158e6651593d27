#include "homectl/sources/command_fetcher.hpp"

#include "homectl/log/logger.hpp"
#include "homectl/resilience/async_semaphore.hpp"
#include "homectl/sources/command_attempt.hpp"
#include "homectl/sources/fetch_attempt.hpp"
#include "homectl/util/child_process.hpp"

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

// Only the program path is logged: arguments and `env` may hold secrets.
void log_result(const config::SourceConfig& source, const FetchResult& r) {
  if (r.outcome == FetchOutcome::ok) {
    log::debug("fetch ok", {{"source", source.name},
                            {"program", source.command.front()},
                            {"attempts", r.attempts},
                            {"duration_ms", r.duration.count()}});
    return;
  }
  // At debug: the Service logs the failed refresh once, at warn.
  log::debug("fetch failed", {{"source", source.name},
                              {"program", source.command.front()},
                              {"outcome", to_string(r.outcome)},
                              {"reason", r.reason},
                              {"error", r.error},
                              {"attempts", r.attempts},
                              {"duration_ms", r.duration.count()}});
}

} // namespace

CommandFetcher::CommandFetcher(resilience::AsyncSemaphore& outbound,
                               resilience::UniformRandom random)
    : m_outbound(outbound), m_random(std::move(random)) {
  if (!m_random) {
    m_random = resilience::default_random();
  }
}

asio::awaitable<Attempt> CommandFetcher::attempt(const config::SourceConfig& source,
                                                 SteadyClock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  timer.expires_at(deadline);
  auto permit =
      co_await (m_outbound.acquire() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (permit.index() == 1) {
    Attempt timed_out;
    timed_out.failure = resilience::AttemptFailure::timeout;
    timed_out.reason = "timeout";
    timed_out.error = "timed out waiting for a free outbound slot";
    co_return timed_out;
  }
  util::ChildSpec spec;
  spec.argv = source.command;
  spec.environment = command_environment(source.env);
  spec.max_stdout = source.policy.max_size;
  spec.deadline = std::min(deadline, SteadyClock::now() + source.policy.timeout);
  auto run = co_await util::run_child(std::move(spec));
  const std::size_t received = run.out.size();
  auto out = classify_exit(run, source);
  out.received_bytes = received;
  // The permit is released when this returns, before any backoff wait.
  co_return out;
}

asio::awaitable<FetchResult> CommandFetcher::fetch(const config::SourceConfig& source_ref,
                                                   cache::Validators /*known*/) {
  // A copy: a configuration reload may replace the caller's object mid-fetch.
  const config::SourceConfig source = source_ref;
  const config::FetchPolicy& policy = source.policy;
  const auto start = SteadyClock::now();
  const auto deadline = start + overall_deadline(policy);
  auto executor = co_await asio::this_coro::executor;

  FetchResult result;
  Attempt last;
  if (source.command.empty()) {
    last.failure = resilience::AttemptFailure::permanent;
    last.reason = "spawn";
    last.error = "the source has no command";
    result.attempts = 1;
    conclude(result, std::move(last));
    co_return result;
  }
  for (int retries_done = 0;; ++retries_done) {
    result.attempts = retries_done + 1;
    last = co_await attempt(source, deadline);
    result.received_bytes += last.received_bytes;
    if (last.success) {
      break;
    }
    const auto delay = retry_delay(last, retries_done, policy, remaining_until(deadline), m_random);
    if (!delay) {
      break;
    }
    log::debug("fetch attempt failed, retrying", {{"source", source.name},
                                                  {"program", source.command.front()},
                                                  {"attempt", result.attempts},
                                                  {"error", last.error},
                                                  {"delay_ms", delay->count()}});
    asio::steady_timer backoff(executor);
    backoff.expires_after(*delay);
    co_await backoff.async_wait(asio::use_awaitable);
  }
  conclude(result, std::move(last));
  result.duration = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
  log_result(source, result);
  co_return result;
}

} // namespace homectl::sources
