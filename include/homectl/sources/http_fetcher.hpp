#pragma once

#include "homectl/resilience/retry.hpp"
#include "homectl/sources/fetcher.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace homectl::http {
class Client;
struct ClientRequest;
struct ClientOptions;
} // namespace homectl::http
namespace homectl::resilience {
class AsyncSemaphore;
}

// The real Fetcher: HTTP(S) through http::Client with jittered retries inside
// one overall deadline, global and per-host concurrency caps, and `pick`.
// Command sources go to a CommandFetcher under the same global cap.
namespace homectl::sources {

struct Attempt;
enum class Conditional;
class CommandFetcher;

struct HttpFetcherOptions {
  std::size_t max_concurrent = 32;  // outbound requests and commands in flight, all together
  std::size_t max_per_host = 4;     // outbound requests in flight to one host:port
  resilience::UniformRandom random; // backoff jitter; empty = resilience::default_random()
};

// Use from one thread or strand (the semaphores are not thread-safe), and keep
// it alive until every fetch it started has finished.
class HttpFetcher final : public Fetcher {
public:
  explicit HttpFetcher(boost::asio::any_io_executor executor, HttpFetcherOptions options = {});
  ~HttpFetcher() override;
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // One refresh: attempts, each bounded by policy.timeout, with full-jitter
  // backoff between them, all inside overall_deadline(policy). Retries connect
  // failures, timeouts, broken answers, 5xx and 429 (honouring Retry-After);
  // never other 4xx. Never throws for upstream trouble. A source with a
  // `command` is run by CommandFetcher::fetch instead.
  boost::asio::awaitable<FetchResult> fetch(const config::SourceConfig& source,
                                            cache::Validators known) override;

  // The budget of one refresh: timeout × (retries + 1). Backoff waits come out
  // of it, so a refresh never takes longer than this.
  static std::chrono::milliseconds overall_deadline(const config::FetchPolicy& policy);

private:
  resilience::AsyncSemaphore& host_semaphore(const std::string& authority);
  // One request with both permits held, waiting for them no later than
  // `deadline`; its answer classified.
  boost::asio::awaitable<Attempt>
  attempt(const http::ClientRequest& request, const http::ClientOptions& options,
          const config::SourceConfig& source, resilience::AsyncSemaphore& per_host,
          const std::string& host, std::chrono::steady_clock::time_point deadline,
          Conditional conditional);

  boost::asio::any_io_executor m_executor;
  HttpFetcherOptions m_options;
  std::unique_ptr<http::Client> m_client;
  std::unique_ptr<resilience::AsyncSemaphore> m_global;
  std::unique_ptr<CommandFetcher> m_commands; // holds a reference to *m_global
  std::map<std::string, std::unique_ptr<resilience::AsyncSemaphore>> m_per_host;
};

} // namespace homectl::sources
