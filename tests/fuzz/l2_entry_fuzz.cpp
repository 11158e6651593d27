// Fuzzes the shared (L2) cache read path: raw RESP bytes from a Redis server
// go through hiredis' reply parser and our reply conversion, and every bulk
// string (what GET returns) through the entry decoder. The whole input is
// decoded as an entry too, so seeds can target either layer. A decoded entry
// must encode back to the very same bytes (an HCE1 entry: to HCE2 bytes that
// decode to the same entry).
#include "homectl/daemon/entry_codec.hpp"
#include "homectl/redis/hiredis_reply.hpp"

#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void decode(std::string_view bytes) {
  auto entry = homectl::daemon::decode_entry(bytes);
  if (!entry) {
    return;
  }
  const auto again = homectl::daemon::encode_entry(*entry);
  if (bytes.starts_with("HCE2") && again != bytes) {
    std::abort(); // the format is not canonical: a round trip changed the bytes
  }
  // An older (HCE1) entry is written back as HCE2, which must read the same.
  auto reread = homectl::daemon::decode_entry(again);
  if (!reread || homectl::daemon::encode_entry(*reread) != again) {
    std::abort();
  }
}

void visit(const homectl::redis::Reply& reply) {
  if (reply.kind() == homectl::redis::Reply::Kind::string) {
    decode(reply.text());
  }
  for (const auto& element : reply.elements()) {
    visit(element);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  decode(input);

  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) {
    return 0;
  }
  int refused = 0;
  homectl::redis::limit_array_replies(*reader, refused); // as the daemon's connections do
  if (redisReaderFeed(reader, input.data(), input.size()) == REDIS_OK) {
    void* raw = nullptr;
    // Bounded: each successful reply consumes at least one byte of the input.
    while (redisReaderGetReply(reader, &raw) == REDIS_OK && raw != nullptr) {
      visit(homectl::redis::to_reply(*static_cast<const redisReply*>(raw)));
      freeReplyObject(raw);
      raw = nullptr;
    }
  }
  redisReaderFree(reader);
  return 0;
}
