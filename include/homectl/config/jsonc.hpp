#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A small reader for JSON with comments (`//`, `/* */`) and trailing commas that
// remembers where every value and key starts, so configuration problems can
// point at `file:line:column`.
namespace homectl::config {

// A 1-based line and column (columns count characters, not bytes); 0 = unknown.
struct Position {
  int line = 0;
  int column = 0;
  bool operator==(const Position&) const = default;
};

// The largest text parse_jsonc accepts, and the deepest nesting.
inline constexpr std::size_t k_max_jsonc_size = std::size_t{1024} * 1024;
inline constexpr int k_max_jsonc_depth = 64;

// A parsed document with positions keyed by JSON Pointer ("" is the root).
struct JsoncDocument {
  nlohmann::json value;
  std::map<std::string, Position> value_positions; // where each value starts
  std::map<std::string, Position> key_positions;   // where each object member's key starts
  std::vector<std::string> duplicate_keys;         // pointers of members given twice (last wins)
};

// A syntax error: where, and what (the message quotes the offending text).
struct JsoncError {
  Position position;
  std::string message;
};

struct JsoncResult {
  JsoncDocument document;
  std::optional<JsoncError> error; // set when the text is not valid JSONC
};

// Parses JSONC text. Rejects empty text, NUL bytes, invalid UTF-8, text over
// k_max_jsonc_size and nesting deeper than k_max_jsonc_depth with a clear error.
JsoncResult parse_jsonc(std::string_view text);

// Appends one escaped reference token to a JSON Pointer ("a/b" -> "/a~1b").
std::string pointer_append(std::string_view pointer, std::string_view token);

} // namespace homectl::config
