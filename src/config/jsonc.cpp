#include "homectl/config/jsonc.hpp"

#include "jsonc_lexer.hpp"

namespace homectl::config {
namespace {

using detail::find_invalid_utf8;
using detail::position_of;

// The structure of a JSONC document (values, objects, arrays) on top of its
// tokens, recording where each value and key starts.
class Reader : detail::JsoncLexer {
public:
  explicit Reader(std::string_view text) : JsoncLexer(text) {}

  JsoncResult run() {
    JsoncResult result;
    m_doc = &result.document;
    skip_space();
    if (failed()) {
      result.error = error();
      return result;
    }
    if (at_end()) {
      result.error = JsoncError{here(), "the file has no JSON value (expected an object: {...})"};
      return result;
    }
    if (parse_value(result.document.value, "", 0)) {
      skip_space();
      if (!failed() && !at_end()) {
        fail("unexpected " + describe_here() + " after the end of the JSON value");
      }
    }
    if (failed()) {
      result.error = error();
      result.document = JsoncDocument{};
    }
    return result;
  }

private:
  bool parse_value(nlohmann::json& out, const std::string& pointer, int depth) {
    m_doc->value_positions[pointer] = here();
    const char c = peek();
    if (c == '{' || c == '[') {
      if (depth >= k_max_jsonc_depth) {
        return fail("nesting deeper than " + std::to_string(k_max_jsonc_depth) + " levels");
      }
      return c == '{' ? parse_object(out, pointer, depth) : parse_array(out, pointer, depth);
    }
    if (c == '"') {
      std::string s;
      if (!parse_string(s)) {
        return false;
      }
      out = std::move(s);
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return parse_number(out);
    }
    if (read_literal(out)) {
      return true;
    }
    if (c == '\'') {
      return fail("unexpected " + describe_here() + ": strings need double quotes");
    }
    if (at_end()) {
      return fail("unexpected end of file: expected a value");
    }
    return fail("unexpected " + describe_here() +
                ": expected a value (string, number, object, "
                "array, true, false or null)");
  }

  bool parse_object(nlohmann::json& out, const std::string& pointer, int depth) {
    const Position open = here();
    advance();
    out = nlohmann::json::object();
    while (true) {
      skip_space();
      if (failed()) {
        return false;
      }
      if (peek() == '}') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated object: \"{\" has no matching \"}\"");
      }
      std::string key;
      if (!parse_member(out, pointer, depth, key)) {
        return false;
      }
      skip_space();
      if (failed()) {
        return false;
      }
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == '}') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated object: \"{\" has no matching \"}\"");
      }
      return fail("unexpected " + describe_here() +
                  ": expected \",\" or \"}\" after the value of \"" + key + "\"");
    }
  }

  // One "name": value member of out, from the name's opening quote; key gets the name.
  bool parse_member(nlohmann::json& out, const std::string& pointer, int depth, std::string& key) {
    if (peek() != '"') {
      return fail("unexpected " + describe_here() +
                  ": expected a member name in double quotes "
                  "or \"}\"");
    }
    const Position key_pos = here();
    if (!parse_string(key)) {
      return false;
    }
    skip_space();
    if (failed()) {
      return false;
    }
    if (peek() != ':') {
      return fail("unexpected " + describe_here() + ": expected \":\" after \"" + key + "\"");
    }
    advance();
    skip_space();
    if (failed()) {
      return false;
    }
    const std::string child = pointer_append(pointer, key);
    if (out.contains(key)) {
      m_doc->duplicate_keys.push_back(child);
    }
    m_doc->key_positions[child] = key_pos;
    nlohmann::json value;
    if (!parse_value(value, child, depth + 1)) {
      return false;
    }
    out[key] = std::move(value);
    return true;
  }

  bool parse_array(nlohmann::json& out, const std::string& pointer, int depth) {
    const Position open = here();
    advance();
    out = nlohmann::json::array();
    while (true) {
      skip_space();
      if (failed()) {
        return false;
      }
      if (peek() == ']') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated array: \"[\" has no matching \"]\"");
      }
      nlohmann::json value;
      if (!parse_value(value, pointer_append(pointer, std::to_string(out.size())), depth + 1)) {
        return false;
      }
      out.push_back(std::move(value));
      skip_space();
      if (failed()) {
        return false;
      }
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == ']') {
        advance();
        return true;
      }
      if (at_end()) {
        return fail_at(open, "unterminated array: \"[\" has no matching \"]\"");
      }
      return fail("unexpected " + describe_here() + ": expected \",\" or \"]\" in the array");
    }
  }

  JsoncDocument* m_doc = nullptr;
};

} // namespace

JsoncResult parse_jsonc(std::string_view text) {
  JsoncResult result;
  if (text.size() > k_max_jsonc_size) {
    result.error = JsoncError{Position{}, "the file is too large (" + std::to_string(text.size()) +
                                              " bytes; at most 1 MiB)"};
    return result;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    result.error = JsoncError{Position{}, "the file is empty (expected a JSON object: {...})"};
    return result;
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    result.error = JsoncError{position_of(text, nul),
                              "the file contains a NUL byte: it looks binary, not JSON text"};
    return result;
  }
  // A UTF-8 byte order mark is harmless; skip it.
  std::string_view body = text;
  if (body.starts_with("\xEF\xBB\xBF")) {
    body.remove_prefix(3);
  }
  if (const auto bad = find_invalid_utf8(body); bad != std::string_view::npos) {
    result.error =
        JsoncError{position_of(body, bad), "the file is not valid UTF-8 text (bad byte sequence)"};
    return result;
  }
  return Reader(body).run();
}

std::string pointer_append(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out += '/';
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace homectl::config
