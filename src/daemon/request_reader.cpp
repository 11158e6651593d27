#include "homectl/daemon/request_reader.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace homectl::daemon {
namespace {

namespace bhttp = boost::beast::http;

// A read asks for at least this much room (a quiet connection's buffer stays
// small) and at most this much (a large body arrives in a few reads).
constexpr std::size_t k_min_read = 1024;
constexpr std::size_t k_max_read = 64 * 1024;
// A buffer grown past this by a large request is freed before the next one.
constexpr std::size_t k_keep_capacity = 16 * 1024;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

} // namespace

void RequestReader::start(std::size_t max_header_size, std::size_t max_body_size) {
  m_parser.emplace();
  m_parser->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(max_header_size, std::numeric_limits<std::uint32_t>::max())));
  m_parser->body_limit(max_body_size);
  m_parser->eager(true);
  m_max_header_size = max_header_size;
  m_max_body_size = max_body_size;
  m_limit = max_header_size + max_body_size + k_framing_allowance;
  m_consumed = 0;
  m_header_checked = false;
  m_failure = {};
}

RequestReader::Progress RequestReader::parse() {
  while (m_buffer.size() != 0) {
    boost::system::error_code ec;
    const std::size_t used = m_parser->put(m_buffer.data(), ec);
    m_buffer.consume(used);
    m_consumed += used;
    if (ec && ec != bhttp::error::need_more) {
      if (ec == bhttp::error::header_limit) {
        return fail(431, "the request header exceeds server.max_header_size (" +
                             std::to_string(m_max_header_size) + " bytes)");
      }
      if (ec == bhttp::error::body_limit) {
        return fail(413, "the request body exceeds server.max_body_size (" +
                             std::to_string(m_max_body_size) + " bytes)");
      }
      return fail(400, "the request is not valid HTTP/1.1: " + ec.message());
    }
    if (!m_header_checked && m_parser->is_header_done()) {
      m_header_checked = true;
      if (check_header() == Progress::failed) {
        return Progress::failed;
      }
    }
    if (m_parser->is_done()) {
      return Progress::complete;
    }
    if (used == 0 || ec == bhttp::error::need_more) {
      break;
    }
  }
  if (m_consumed + m_buffer.size() >= m_limit) {
    if (!m_parser->is_header_done()) {
      return fail(431, "the request header exceeds server.max_header_size (" +
                           std::to_string(m_max_header_size) + " bytes)");
    }
    return fail(413, "the request exceeds server.max_header_size + server.max_body_size + " +
                         std::to_string(k_framing_allowance) + " bytes of chunk framing (" +
                         std::to_string(m_limit) + " bytes)");
  }
  return Progress::need_more;
}

RequestReader::Progress RequestReader::check_header() {
  const auto& message = m_parser->get();
  // Anything but plain chunked framing would leave the body to be read as
  // the next request (request smuggling behind a proxy).
  const auto codings = message.count(bhttp::field::transfer_encoding);
  if (codings > 1 ||
      (codings == 1 &&
       !boost::beast::iequals(trim(message[bhttp::field::transfer_encoding]), "chunked"))) {
    return fail(400, "only \"Transfer-Encoding: chunked\" is supported");
  }
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one before.
  const auto hosts = message.count(bhttp::field::host);
  if (hosts > 1) {
    return fail(400, "the request has more than one Host header");
  }
  if (hosts == 0 && message.version() >= 11) {
    return fail(400, "an HTTP/1.1 request needs a Host header");
  }
  return Progress::need_more;
}

boost::asio::mutable_buffer RequestReader::prepare() {
  const std::size_t taken = m_consumed + m_buffer.size();
  const std::size_t room = taken < m_limit ? m_limit - taken : 1;
  const std::size_t free = m_buffer.capacity() - m_buffer.size();
  return m_buffer.prepare(std::min(std::clamp(free, k_min_read, k_max_read), room));
}

void RequestReader::commit(std::size_t bytes) {
  m_buffer.commit(bytes);
}

bool RequestReader::header_done() const {
  return m_parser && m_parser->is_header_done();
}

void RequestReader::shrink() {
  if (m_buffer.size() == 0 && m_buffer.capacity() > k_keep_capacity) {
    m_buffer.shrink_to_fit();
  }
}

RequestReader::Progress RequestReader::fail(int status, std::string detail) {
  m_failure = {status, std::move(detail)};
  return Progress::failed;
}

} // namespace homectl::daemon
