#include "homectl/redis/reply.hpp"

#include <cstdio>

namespace homectl::redis {
namespace {

constexpr std::size_t k_describe_limit = 64;

std::string quoted(const std::string& bytes) {
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size() && i < k_describe_limit; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (bytes.size() > k_describe_limit) {
    out += "...";
  }
  return out + "\"";
}

} // namespace

Reply Reply::integer(std::int64_t value) {
  Reply r;
  r.m_kind = Kind::integer;
  r.m_integer = value;
  return r;
}

Reply Reply::string(std::string value) {
  Reply r;
  r.m_kind = Kind::string;
  r.m_text = std::move(value);
  return r;
}

Reply Reply::status(std::string value) {
  Reply r;
  r.m_kind = Kind::status;
  r.m_text = std::move(value);
  return r;
}

Reply Reply::error(std::string message) {
  Reply r;
  r.m_kind = Kind::error;
  r.m_text = std::move(message);
  return r;
}

Reply Reply::array(std::vector<Reply> elements) {
  Reply r;
  r.m_kind = Kind::array;
  r.m_elements = std::move(elements);
  return r;
}

std::string Reply::describe() const {
  switch (m_kind) {
  case Kind::nil:
    return "(nil)";
  case Kind::integer:
    return "(integer) " + std::to_string(m_integer);
  case Kind::string:
    return quoted(m_text);
  case Kind::status:
    return m_text.substr(0, k_describe_limit);
  case Kind::error:
    return "(error) " + m_text.substr(0, 2 * k_describe_limit);
  case Kind::array: {
    std::string out = "[";
    for (std::size_t i = 0; i < m_elements.size(); ++i) {
      if (i == 8) {
        out += ", ...";
        break;
      }
      out += (i == 0 ? "" : ", ") + m_elements[i].describe();
    }
    return out + "]";
  }
  }
  return "(unknown)";
}

} // namespace homectl::redis
