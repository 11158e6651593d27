// Fuzzes what MQTT input reaches: a topic from the broker taken apart as a
// refresh command, and text from upstreams (an error, a value name) put into
// the state message and discovery configs, which must stay valid JSON.
#include "homectl/mqtt/topics.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace homectl::mqtt;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Topics topics{"homectl", "homeassistant", "homectl-fuzz"};
  if (const auto source = topics.source_of_refresh(text)) {
    if (source->empty() || source->find('/') != std::string::npos ||
        topics.refresh(*source) != text) {
      std::fprintf(stderr, "refresh topic not taken apart exactly\n");
      std::abort();
    }
  }
  (void)default_client_id(text);
  SourceReport report;
  report.name = std::string(text);
  report.state = "error";
  report.error = std::string(text);
  report.values[std::string(text)] = 1.5;
  if (nlohmann::json::parse(state_payload(report), nullptr, false).is_discarded()) {
    std::fprintf(stderr, "state payload is not JSON\n");
    std::abort();
  }
  homectl::config::SourceConfig source;
  source.name = std::string(text);
  source.values[std::string(text)] = homectl::config::ValueSpec(std::string(text));
  for (const auto& message :
       discovery_messages(topics, Device{std::string(text), "0", ""}, {source})) {
    if (nlohmann::json::parse(message.payload, nullptr, false).is_discarded()) {
      std::fprintf(stderr, "discovery payload is not JSON\n");
      std::abort();
    }
  }
  return 0;
}
