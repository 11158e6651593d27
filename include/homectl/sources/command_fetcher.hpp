#pragma once

#include "homectl/resilience/retry.hpp"
#include "homectl/sources/fetcher.hpp"

#include <chrono>

namespace homectl::resilience {
class AsyncSemaphore;
}

// The Fetcher of command sources: runs `source.command` (no shell) with a
// minimal environment, its stdout as the body; retries like HttpFetcher.
namespace homectl::sources {

struct Attempt;

// Use from one thread or strand (the semaphore is not thread-safe), and keep
// it alive until every fetch it started has finished. Destroying a fetch
// mid-run kills its process group and reaps the child.
class CommandFetcher final : public Fetcher {
public:
  // `outbound` is the cap on outbound work shared with HTTP fetches: each
  // running command holds one permit. It must outlive this fetcher.
  explicit CommandFetcher(resilience::AsyncSemaphore& outbound,
                          resilience::UniformRandom random = {});

  // One refresh: runs, each bounded by policy.timeout (the process group is
  // killed at the deadline), with full-jitter backoff between them, all
  // inside overall_deadline(policy). Retries a non-zero exit or a signal and
  // timeouts; never a program that cannot be started, output past max_size
  // or bad JSON under `pick`. FetchResult::status stays 0. Nothing to
  // revalidate: `known` is ignored.
  boost::asio::awaitable<FetchResult> fetch(const config::SourceConfig& source,
                                            cache::Validators known) override;

private:
  // One run with an outbound permit held, waiting for it no later than
  // `deadline`; its end classified.
  boost::asio::awaitable<Attempt> attempt(const config::SourceConfig& source,
                                          std::chrono::steady_clock::time_point deadline);

  resilience::AsyncSemaphore& m_outbound;
  resilience::UniformRandom m_random;
};

} // namespace homectl::sources
