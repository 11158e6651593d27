#include "homectl/docs/roff.hpp"

#include <cstdio>
#include <vector>

namespace homectl::docs {
namespace {

// Text lines stay shorter than this (mandoc -Tlint warns from 80 bytes on).
constexpr std::size_t k_roff_line_limit = 79;

// Length of the UTF-8 sequence that starts with `lead`, or 0 if it is not a lead byte.
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) {
    return 2;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    return 4;
  }
  return 0;
}

// Non-ASCII characters become \[uXXXX] so the page stays plain ASCII, which
// every man(1) formatter reads; bytes that are not valid UTF-8 become '?'.
std::size_t append_non_ascii(std::string_view text, std::size_t i, std::string& out) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t length = utf8_length(lead);
  if (length == 0 || i + length > text.size()) {
    out += '?';
    return 1;
  }
  unsigned code = lead & (0xFFu >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0u) != 0x80u) {
      out += '?';
      return 1;
    }
    code = (code << 6) | (next & 0x3Fu);
  }
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "\\[u%04X]", code);
  out += buffer;
  return length;
}

} // namespace

std::string roff_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      i += append_non_ascii(text, i, out) - 1;
      line_start = false;
      continue;
    }
    if (line_start && (c == '.' || c == '\'')) {
      out += "\\&";
    }
    switch (c) {
    case '\\':
      out += "\\e";
      break;
    case '-':
      out += "\\-";
      break;
    default:
      out += c;
    }
    line_start = (c == '\n');
  }
  return out;
}

std::string roff_paragraph(std::string_view text) {
  // Join lines and collapse runs of white space into words.
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!word.empty()) {
        words.push_back(std::move(word));
        word.clear();
      }
    } else {
      word += c;
    }
  }
  if (!word.empty()) {
    words.push_back(std::move(word));
  }
  // Each sentence starts a line (man(7) style); lines wrap before 80 bytes.
  std::string out;
  std::string line;
  auto flush = [&] {
    if (line.empty()) {
      return;
    }
    if (!out.empty()) {
      out += '\n';
    }
    if (line.front() == '.' || line.front() == '\'') {
      out += "\\&";
    }
    out += line;
    line.clear();
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string escaped = roff_escape(words[i]);
    std::string plain = escaped.starts_with("\\&") ? escaped.substr(2) : escaped;
    // Identifiers and paths (HOMECTL_CONFIG, /etc/homectl) must not be hyphenated.
    if (words[i].find_first_of("_/") != std::string::npos) {
      plain.insert(0, "\\%");
    }
    if (!line.empty() && line.size() + 1 + plain.size() > k_roff_line_limit) {
      flush();
    }
    line += (line.empty() ? "" : " ") + plain;
    const char last = words[i].back();
    const bool sentence_end = last == '.' || last == '?' || last == '!';
    if (sentence_end && i + 1 < words.size() && words[i + 1].front() >= 'A' &&
        words[i + 1].front() <= 'Z') {
      flush();
    }
  }
  flush();
  return out;
}

std::string roff_argument(std::string_view text) {
  std::string out = "\"";
  for (char c : roff_escape(text)) {
    if (c == '"') {
      out += "\"\"";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

} // namespace homectl::docs
