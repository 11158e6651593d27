// The binary format of cache entries shared through Redis.
#include "homectl/daemon/entry_codec.hpp"

#include <chrono>
#include <cstdint>
#include <limits>

namespace homectl::daemon {

namespace {

// HCE2 adds the upstream's validators; HCE1 entries (without them) are still read.
constexpr std::string_view k_magic = "HCE2";
constexpr std::string_view k_magic_v1 = "HCE1";
// Upper bound of one encoded text field other than the body (content type,
// ETag, the upstream's ETag and Last-Modified).
constexpr std::uint64_t k_max_header_field = 64 * 1024;
constexpr std::size_t k_header_fields = 4;

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    out.push_back(static_cast<char>((value >> (i * 8)) & 0xff));
  }
}

void put_field(std::string& out, std::string_view field) {
  put_u64(out, field.size());
  out.append(field);
}

// Reads fields from untrusted bytes; every read checks the remaining length.
class Reader {
public:
  explicit Reader(std::string_view bytes) : m_rest(bytes) {}

  bool u64(std::uint64_t& value) {
    if (m_rest.size() < 8) {
      return false;
    }
    value = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      value = (value << 8) | static_cast<unsigned char>(m_rest[i]);
    }
    m_rest.remove_prefix(8);
    return true;
  }

  bool field(std::string& value, std::uint64_t limit) {
    std::uint64_t size = 0;
    if (!u64(size) || size > limit || size > m_rest.size()) {
      return false;
    }
    value.assign(m_rest.substr(0, static_cast<std::size_t>(size)));
    m_rest.remove_prefix(static_cast<std::size_t>(size));
    return true;
  }

  bool done() const { return m_rest.empty(); }

private:
  std::string_view m_rest;
};

} // namespace

std::string encode_entry(const sources::StoredEntry& entry) {
  std::string out;
  out.reserve(k_magic.size() + 7 * 8 + entry.body.size() + entry.content_type.size() +
              entry.etag.size() + entry.validators.etag.size() +
              entry.validators.last_modified.size());
  out.append(k_magic);
  put_u64(out, static_cast<std::uint64_t>(entry.status));
  const auto wall_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(entry.fetched_wall.time_since_epoch())
          .count();
  put_u64(out, static_cast<std::uint64_t>(wall_ms));
  put_field(out, entry.content_type);
  put_field(out, entry.etag);
  put_field(out, entry.validators.etag);
  put_field(out, entry.validators.last_modified);
  put_field(out, entry.body);
  return out;
}

std::size_t max_encoded_size(std::size_t max_body) {
  constexpr std::size_t k_fixed = k_magic.size() + 7 * 8 + k_header_fields * k_max_header_field;
  constexpr std::size_t k_max = std::numeric_limits<std::size_t>::max();
  return max_body > k_max - k_fixed ? k_max : max_body + k_fixed;
}

Result<sources::StoredEntry> decode_entry(std::string_view bytes) {
  const auto magic = bytes.substr(0, k_magic.size());
  if (magic != k_magic && magic != k_magic_v1) {
    return make_error("shared cache entry: unknown format (expected the HCE2 header)");
  }
  const bool with_validators = magic == k_magic;
  Reader reader(bytes.substr(k_magic.size()));
  std::uint64_t status = 0;
  std::uint64_t wall_ms = 0;
  sources::StoredEntry entry;
  if (!reader.u64(status) || !reader.u64(wall_ms)) {
    return make_error("shared cache entry: truncated header");
  }
  if (status < 100 || status > 599) {
    return make_error("shared cache entry: invalid HTTP status " + std::to_string(status));
  }
  // Any later time would overflow system_clock's (nanosecond) representation.
  constexpr auto k_max_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::duration::max())
                                     .count();
  if (wall_ms > static_cast<std::uint64_t>(k_max_wall_ms)) {
    return make_error("shared cache entry: fetch time out of range");
  }
  entry.status = static_cast<int>(status);
  entry.fetched_wall = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(static_cast<std::int64_t>(wall_ms)));
  if (!reader.field(entry.content_type, k_max_header_field) ||
      !reader.field(entry.etag, k_max_header_field) ||
      (with_validators && (!reader.field(entry.validators.etag, k_max_header_field) ||
                           !reader.field(entry.validators.last_modified, k_max_header_field))) ||
      !reader.field(entry.body, std::numeric_limits<std::uint64_t>::max())) {
    return make_error("shared cache entry: truncated or oversized field");
  }
  if (!reader.done()) {
    return make_error("shared cache entry: trailing bytes after the body");
  }
  return entry;
}

} // namespace homectl::daemon
