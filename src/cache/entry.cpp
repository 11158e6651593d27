#include "homectl/cache/entry.hpp"

#include <openssl/evp.h>

#include <array>

namespace homectl::cache {

std::size_t Entry::size() const {
  return (body ? body->size() : 0) + content_type.size() + etag.size() + validators.etag.size() +
         validators.last_modified.size();
}

std::string strong_etag(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(body.data(), body.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "\"";
  // 16 bytes are plenty to tell versions of one source apart.
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0x0f];
  }
  out += '"';
  return out;
}

std::shared_ptr<const Entry> make_entry(std::string body, std::string content_type, int status,
                                        util::Clock::time_point fetched,
                                        std::chrono::system_clock::time_point fetched_wall,
                                        Validators validators) {
  auto entry = std::make_shared<Entry>();
  entry->validators = std::move(validators);
  entry->etag = strong_etag(body);
  entry->body = std::make_shared<const std::string>(std::move(body));
  entry->content_type = std::move(content_type);
  entry->fetched = fetched;
  entry->fetched_wall = fetched_wall;
  entry->status = status;
  return entry;
}

std::shared_ptr<const Entry> renew_entry(const Entry& entry, util::Clock::time_point fetched,
                                         std::chrono::system_clock::time_point fetched_wall,
                                         const Validators& updated) {
  auto renewed = std::make_shared<Entry>(entry);
  renewed->fetched = fetched;
  renewed->fetched_wall = fetched_wall;
  if (!updated.etag.empty()) {
    renewed->validators.etag = updated.etag;
  }
  if (!updated.last_modified.empty()) {
    renewed->validators.last_modified = updated.last_modified;
  }
  return renewed;
}

} // namespace homectl::cache
