#pragma once

#include "homectl/util/clock.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

// One cached upstream answer. Immutable once built: readers on any thread share
// it through std::shared_ptr<const Entry>, and the body is served without a copy.
namespace homectl::cache {

// The upstream's own validators of a body, sent back on the next refresh
// (If-None-Match, If-Modified-Since) so an unchanged body is not downloaded
// again. Empty when the upstream sent none.
struct Validators {
  std::string etag;          // the ETag header as received (weak or strong)
  std::string last_modified; // the Last-Modified header as received

  bool empty() const { return etag.empty() && last_modified.empty(); }
  bool operator==(const Validators&) const = default;
};

struct Entry {
  std::shared_ptr<const std::string> body;
  std::string content_type;
  std::string etag;                // strong validator, quotes included: "\"3f2a…\""
  util::Clock::time_point fetched; // monotonic, for ages and windows
  std::chrono::system_clock::time_point fetched_wall; // calendar, for Last-Modified and events
  int status = 200;                                   // upstream HTTP status
  Validators validators;

  // Bytes charged against cache.max_size (body plus the small strings).
  std::size_t size() const;
};

// A strong ETag for a body: a quoted hex SHA-256 prefix (128 bits).
std::string strong_etag(std::string_view body);

// Builds an entry, computing its ETag from the body.
std::shared_ptr<const Entry> make_entry(std::string body, std::string content_type, int status,
                                        util::Clock::time_point fetched,
                                        std::chrono::system_clock::time_point fetched_wall,
                                        Validators validators = {});

// The same body (shared, not copied) and ETag, fetched again at these times:
// what a 304 Not Modified makes of an entry. Validators the 304 carries
// replace the old ones.
std::shared_ptr<const Entry> renew_entry(const Entry& entry, util::Clock::time_point fetched,
                                         std::chrono::system_clock::time_point fetched_wall,
                                         const Validators& updated);

} // namespace homectl::cache
