// Fuzzes how a connection reads requests: arbitrary bytes, delivered in
// reads of a size the input chooses, go through the session's RequestReader
// (header, body, chunk framing and trailer limits, framing and Host checks)
// request after request, then through the Host and cross-site checks the
// dispatcher applies. No sockets.
#include "homectl/daemon/request_reader.hpp"
#include "homectl/http/host_policy.hpp"
#include "homectl/http/message.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using homectl::daemon::RequestReader;

// Small limits, so that the fuzzer reaches them.
constexpr std::size_t k_header = 1024;
constexpr std::size_t k_body = 4096;
constexpr int k_max_requests = 16;

void check_request(RequestReader::Message& message) {
  if (message.body().size() > k_body) {
    std::abort(); // the body limit did not hold
  }
  homectl::http::Request request;
  request.method = homectl::http::method_from_string(message.method_string());
  for (const auto& field : message) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  const std::vector<std::string> allowed{"nas.lan", "*"};
  (void)homectl::http::host_allowed(request.header("Host"), {allowed.data(), 1}, "nas");
  (void)homectl::http::cross_site(request);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::size_t step = 1 + data[0] % 97;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  RequestReader reader;
  for (int i = 0; i < k_max_requests; ++i) {
    reader.start(k_header, k_body);
    std::size_t taken = 0;
    auto progress = reader.parse();
    while (progress == RequestReader::Progress::need_more && !bytes.empty()) {
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
    if (taken > k_header + k_body + RequestReader::k_framing_allowance + step) {
      std::abort(); // one request read more than its limit
    }
    if (progress != RequestReader::Progress::complete) {
      break;
    }
    check_request(reader.message());
    reader.shrink();
  }
  return 0;
}
