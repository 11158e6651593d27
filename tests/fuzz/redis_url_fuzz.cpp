// Fuzzes the `redis.url` parser: any text gives an Endpoint or an Error, and a
// parsed endpoint can always be described for logs.
#include "homectl/redis/endpoint.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto endpoint = homectl::redis::parse_url(text);
  if (endpoint) {
    (void)endpoint->describe();
  }
  return 0;
}
