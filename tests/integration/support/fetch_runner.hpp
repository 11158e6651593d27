#pragma once

#include "homectl/sources/http_fetcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <vector>

// Runs HttpFetcher refreshes to completion on a private io_context, for tests
// that want a FetchResult without writing coroutines. Every fetch is bounded
// by its own overall deadline, so run() always returns.
namespace homectl::test {

class FetchRunner {
public:
  explicit FetchRunner(sources::HttpFetcherOptions options = {})
      : m_fetcher(m_io.get_executor(), std::move(options)) {}

  // One refresh of `source`.
  sources::FetchResult fetch(const config::SourceConfig& source) { return fetch_all({source})[0]; }

  // One conditional refresh of `source`, revalidating a body with these validators.
  sources::FetchResult revalidate(const config::SourceConfig& source, cache::Validators known) {
    auto future = boost::asio::co_spawn(m_io, m_fetcher.fetch(source, std::move(known)),
                                        boost::asio::use_future);
    m_io.run();
    m_io.restart();
    return future.get();
  }

  // Refreshes all sources concurrently; results in the same order.
  std::vector<sources::FetchResult> fetch_all(const std::vector<config::SourceConfig>& sources) {
    std::vector<std::future<sources::FetchResult>> futures;
    for (const auto& source : sources) {
      futures.push_back(
          boost::asio::co_spawn(m_io, m_fetcher.fetch(source, {}), boost::asio::use_future));
    }
    m_io.run();
    m_io.restart();
    std::vector<sources::FetchResult> results;
    for (auto& f : futures) {
      results.push_back(f.get());
    }
    return results;
  }

private:
  boost::asio::io_context m_io;
  sources::HttpFetcher m_fetcher;
};

} // namespace homectl::test
