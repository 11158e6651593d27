// Fuzzes `pick` and `values`: JSON Pointers applied to an arbitrary upstream
// body, then read as values from the picked body and from the raw one.
// Input layout: one pointer per line up to the first empty line, then the body.
#include "homectl/sources/pick.hpp"
#include "homectl/sources/values.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> pointers;
  while (!input.empty()) {
    const std::size_t newline = input.find('\n');
    const std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    if (line.empty()) {
      break;
    }
    pointers.emplace_back(line);
  }
  std::map<std::string, homectl::config::ValueSpec> values;
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    values.emplace("v" + std::to_string(i), pointers[i]);
  }
  const auto picked = homectl::sources::apply_pick(input, pointers);
  if (picked) {
    (void)homectl::sources::read_values(*picked, values);
  }
  (void)homectl::sources::read_values(input, values);
  return 0;
}
