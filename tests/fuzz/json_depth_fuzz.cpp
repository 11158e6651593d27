// Fuzzes util::parse_json, the one reader of outside JSON, and `pick` behind
// it, with deep and wide documents. The first byte chooses how the rest is
// read: odd, as raw text; even, as a program that writes JSON, each byte one
// step repeated up to 32 times (so a few bytes nest past the 128-level
// bound). Checks: whatever nests deeper than 128 levels is refused, naming
// the byte the scan finds; everything else is accepted exactly when nlohmann
// accepts it and it holds no NUL byte, and reads back to the same value;
// nothing recurses past the bound (a stack overflow is a crash).
#include "homectl/sources/pick.hpp"
#include "homectl/util/json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using nlohmann::json;

std::string generate(std::string_view program) {
  std::string out;
  std::vector<char> open; // closing brackets still owed, innermost last
  for (const char byte : program) {
    const auto b = static_cast<unsigned char>(byte);
    const std::size_t count = (b >> 3U) + 1;
    for (std::size_t i = 0; i < count; ++i) {
      switch (b & 7U) {
      case 0:
        out += '[';
        open.push_back(']');
        break;
      case 1:
        out += R"({"k":)";
        open.push_back('}');
        break;
      case 2:
        if (!open.empty()) {
          out += open.back();
          open.pop_back();
        }
        break;
      case 3:
        out += open.empty() || open.back() == ']' ? "1," : R"(1,"k":)";
        break;
      case 4:
        out += R"("[{\"\\[{")";
        break;
      case 5:
        out += "-2.5e3";
        break;
      case 6:
        out += R"("\u00e9\\")";
        break;
      default:
        out += byte; // a stray byte: usually a syntax error
        break;
      }
    }
  }
  while (!open.empty()) {
    out += open.back();
    open.pop_back();
  }
  return out;
}

int depth_of(const json& value) {
  int deepest = 0;
  std::vector<std::pair<const json*, int>> todo{{&value, 0}};
  while (!todo.empty()) {
    const auto [at, depth] = todo.back();
    todo.pop_back();
    if (!at->is_structured()) {
      continue;
    }
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *at) {
      todo.emplace_back(&child, depth + 1);
    }
  }
  return deepest;
}

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string text = (data[0] & 1U) != 0 ? std::string(rest) : generate(rest);

  const std::size_t excess = homectl::util::find_excess_nesting(text);
  auto parsed = homectl::util::parse_json(text);
  if (excess != 0) {
    check(!parsed.ok());
    const std::string& message = parsed.error().message;
    if (message.starts_with("JSON nests")) {
      check(message == "JSON nests deeper than 128 levels at byte " + std::to_string(excess));
    }
  } else {
    // nlohmann takes a NUL byte for the end of the text; parse_json refuses it.
    check(parsed.ok() == (json::accept(text) && text.find('\0') == std::string::npos));
  }
  if (parsed.ok()) {
    check(depth_of(*parsed) <= homectl::util::k_max_json_depth);
    const auto again = homectl::util::parse_json(parsed->dump());
    check(again.ok() && *again == *parsed);
  }
  (void)homectl::sources::apply_pick(text, {"", "/k", "/0/k"});
  return 0;
}
