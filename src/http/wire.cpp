#include "homectl/http/wire.hpp"

#include "homectl/util/strings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace homectl::http {
namespace {

// RFC 9110 tchar: ALPHA / DIGIT / one of "!#$%&'*+-.^_`|~", as a table
// because every header of every response is checked.
constexpr std::array<bool, 256> k_token_chars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) {
    table[static_cast<std::size_t>(c)] = true;
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    table[static_cast<std::size_t>(c)] = true;
  }
  for (int c = 'A'; c <= 'Z'; ++c) {
    table[static_cast<std::size_t>(c)] = true;
  }
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();

bool is_token_char(char c) {
  return k_token_chars[static_cast<unsigned char>(c)];
}

bool is_cr_lf_or_nul(char c) {
  return c == '\r' || c == '\n' || c == '\0';
}

// True when `text` holds CR, LF or NUL. All three are below 0x0e, and a word
// of eight bytes none of which is below 0x0e (the usual case) is cleared with
// a few arithmetic operations instead of three comparisons per byte.
bool has_cr_lf_or_nul(std::string_view text) {
  constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
  constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + sizeof(std::uint64_t) <= text.size(); i += sizeof(std::uint64_t)) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i, sizeof word);
    // Non-zero exactly when some byte of `word` is below 0x0e.
    if (((word - k_ones * 0x0e) & ~word & k_high_bits) != 0 &&
        std::any_of(text.data() + i, text.data() + i + sizeof word, is_cr_lf_or_nul)) {
      return true;
    }
  }
  return std::any_of(text.data() + i, text.data() + text.size(), is_cr_lf_or_nul);
}

// Header names the framing owns; a handler's copy would contradict ours.
bool is_framing_header(std::string_view name) {
  using util::iequals;
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "connection") || iequals(name, "date");
}

// The Date header changes once a second; format it once a second per thread.
const std::string& cached_date() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  const auto now = std::chrono::system_clock::now();
  const std::time_t second = std::chrono::system_clock::to_time_t(now);
  if (second != cached_second) {
    cached_second = second;
    cached = http_date(now);
  }
  return cached;
}

} // namespace

bool is_valid_header(std::string_view name, std::string_view value) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    if (!is_token_char(c)) {
      return false;
    }
  }
  return !has_cr_lf_or_nul(value);
}

std::string http_date(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> buf{};
  const auto n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf.data(), n);
}

std::string format_head(const Response& response, std::size_t content_length, bool keep_alive,
                        Framing framing) {
  std::string head;
  format_head_into(head, response, content_length, keep_alive, framing);
  return head;
}

void format_head_into(std::string& head, const Response& response, std::size_t content_length,
                      bool keep_alive, Framing framing) {
  static constexpr std::string_view k_chunked = "Transfer-Encoding: chunked\r\n";
  static constexpr std::string_view k_length = "Content-Length: ";
  static constexpr std::string_view k_close = "Connection: close\r\n";
  static constexpr std::size_t k_digits = 20; // enough for any std::size_t

  const std::string_view reason = reason_phrase(response.status);
  const std::string& date = cached_date();
  // An upper bound of the head's size (every header counted, valid or not),
  // so the head is one allocation filled with plain copies, then trimmed.
  std::size_t bound = 9 + k_digits + 1 + reason.size() + 8 + date.size() + 2 + k_chunked.size() +
                      k_length.size() + k_digits + 2 + k_close.size() + 2;
  for (const auto& header : response.headers) {
    bound += header.name.size() + header.value.size() + 4;
  }
  head.resize(bound);
  char* out = head.data();
  const auto put = [&out](std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    out += text.size();
  };
  const auto put_number = [&out](std::size_t value) {
    std::array<char, k_digits> digits{};
    char* end = digits.data() + digits.size();
    char* p = end;
    do {
      *--p = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    const auto n = static_cast<std::size_t>(end - p);
    std::memcpy(out, p, n);
    out += n;
  };

  put("HTTP/1.1 ");
  put_number(response.status < 0 ? 0U : static_cast<std::size_t>(response.status));
  put(" ");
  put(reason);
  put("\r\nDate: ");
  put(date);
  put("\r\n");
  for (const auto& header : response.headers) {
    if (!is_valid_header(header.name, header.value) || is_framing_header(header.name)) {
      continue;
    }
    put(header.name);
    put(": ");
    put(header.value);
    put("\r\n");
  }
  if (framing == Framing::chunked) {
    put(k_chunked);
  } else if (framing == Framing::content_length) {
    put(k_length);
    put_number(content_length);
    put("\r\n");
  }
  if (!keep_alive) {
    put(k_close);
  }
  put("\r\n");
  head.resize(static_cast<std::size_t>(out - head.data()));
}

std::string format_chunk(std::string_view data) {
  std::array<char, 20> size{};
  const int n = std::snprintf(size.data(), size.size(), "%zx", data.size());
  std::string chunk(size.data(), static_cast<std::size_t>(n));
  chunk += "\r\n";
  chunk += data;
  chunk += "\r\n"; // after the data, or the empty line that ends the body
  return chunk;
}

} // namespace homectl::http
