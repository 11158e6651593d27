// Fuzzes the configuration loader: arbitrary JSONC text must give a Config or
// a list of problems, never a crash, hang or sanitizer report.
#include "homectl/config/loader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace homectl::config;
  static const Environment env = {
      {"HOME", "/home/fuzz"},
      {"API_TOKEN", "s3cr3t-token-value-of-some-length"},
      {"EMPTY", ""},
  };
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const LoadResult result = load_text(text, "fuzz.json", env);
  for (const Problem& problem : result.problems) {
    (void)problem.to_string();
  }
  if (result.ok()) {
    // A valid configuration must also render (config show, /diagnostics).
    (void)to_json(result.config, true).dump();
    (void)to_json_with_origins(result, false).dump();
  }
  return 0;
}
