#pragma once

#include "homectl/sources/shared_store.hpp"
#include "homectl/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

// The format of a cache entry in Redis: "HCE2", status and fetch time as
// big-endian u64, then content type, ETag, the upstream's ETag and
// Last-Modified, and body, each length-prefixed. "HCE1" (no upstream
// validators) is still read.
namespace homectl::daemon {

// Encodes an entry in the small binary-safe format above.
std::string encode_entry(const sources::StoredEntry& entry);
// The most bytes encode_entry writes for a body of `max_body` bytes (content
// type and ETag at their longest accepted).
std::size_t max_encoded_size(std::size_t max_body);
// Decodes bytes written by encode_entry; untrusted input, so any malformed,
// truncated or oversized data is an error value, never a crash.
Result<sources::StoredEntry> decode_entry(std::string_view bytes);

} // namespace homectl::daemon
