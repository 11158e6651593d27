// Fuzzes how the outbound client reads an upstream's answer: arbitrary bytes,
// delivered in reads of a size the input chooses, go through the
// ResponseReader (header, body, chunk-line, trailer and wire limits), and the
// connection may close at the end. No sockets.
#include "homectl/http/response_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

using homectl::http::ResponseReader;

// A small body limit, so that the fuzzer reaches it.
constexpr std::size_t k_body = 4096;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::size_t step = 1 + data[0] % 97;
  const bool head = (data[0] & 0x80) != 0;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  ResponseReader reader;
  reader.start(k_body, head);
  std::size_t taken = 0;
  auto progress = reader.parse();
  while (progress == ResponseReader::Progress::need_more && !bytes.empty()) {
    const auto room = reader.prepare();
    if (room.size() == 0) {
      std::abort(); // need_more must leave room to read
    }
    const std::size_t n = std::min({room.size(), bytes.size(), step});
    std::memcpy(room.data(), bytes.data(), n);
    reader.commit(n);
    bytes.remove_prefix(n);
    taken += n;
    progress = reader.parse();
  }
  if (progress == ResponseReader::Progress::need_more) {
    progress = reader.end_of_stream();
    if (progress == ResponseReader::Progress::need_more) {
      std::abort(); // the end of the stream decides
    }
  }
  if (taken > reader.limit() + step) {
    std::abort(); // read more than the answer may take
  }
  if (progress == ResponseReader::Progress::complete && reader.message().body().size() > k_body) {
    std::abort(); // the body limit did not hold
  }
  if (progress == ResponseReader::Progress::failed && reader.failure().message.empty()) {
    std::abort(); // every failure says why
  }
  return 0;
}
