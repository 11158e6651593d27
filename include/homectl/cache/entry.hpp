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

struct Entry {
  std::shared_ptr<const std::string> body;
  std::string content_type;
  std::string etag;                // strong validator, quotes included: "\"3f2a…\""
  util::Clock::time_point fetched; // monotonic, for ages and windows
  std::chrono::system_clock::time_point fetched_wall; // calendar, for Last-Modified and events
  int status = 200;                                   // upstream HTTP status

  // Bytes charged against cache.max_size (body plus the small strings).
  std::size_t size() const;
};

// A strong ETag for a body: a quoted hex SHA-256 prefix (128 bits).
std::string strong_etag(std::string_view body);

// Builds an entry, computing its ETag from the body.
std::shared_ptr<const Entry> make_entry(std::string body, std::string content_type, int status,
                                        util::Clock::time_point fetched,
                                        std::chrono::system_clock::time_point fetched_wall);

} // namespace homectl::cache
