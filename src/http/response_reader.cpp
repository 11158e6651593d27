#include "homectl/http/response_reader.hpp"

#include "homectl/config/values.hpp"

#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace homectl::http {
namespace {

namespace bhttp = boost::beast::http;

// A read asks for at least this much room and at most this much (a large
// body arrives in a few reads).
constexpr std::size_t k_min_read = 1024;
constexpr std::size_t k_max_read = 64 * 1024;

std::string header_too_large() {
  return "response header exceeds " + format_size(ResponseReader::k_header_limit);
}

} // namespace

std::string format_size(std::size_t bytes) {
  auto text = config::format_size(bytes);
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.back())) != 0) {
    text += " bytes"; // no unit: say what the number counts
  }
  return text;
}

void ResponseReader::start(std::size_t max_body, bool head) {
  m_parser.emplace();
  m_parser->header_limit(static_cast<std::uint32_t>(k_header_limit));
  m_parser->body_limit(max_body);
  m_parser->eager(true);
  m_parser->skip(head);
  m_max_body = max_body;
  m_limit = k_header_limit + max_body + k_framing_allowance;
  m_consumed = 0;
  m_failure = {};
}

ResponseReader::Progress ResponseReader::parse() {
  while (m_buffer.size() != 0) {
    boost::system::error_code ec;
    const std::size_t used = m_parser->put(m_buffer.data(), ec);
    m_buffer.consume(used);
    m_consumed += used;
    if (ec && ec != bhttp::error::need_more) {
      if (ec == bhttp::error::header_limit) {
        return fail(ClientError::too_large, header_too_large());
      }
      if (ec == bhttp::error::body_limit) {
        return fail(ClientError::too_large, "body exceeds " + format_size(m_max_body));
      }
      return fail_invalid(ec);
    }
    if (m_parser->is_done()) {
      return Progress::complete;
    }
    if (used == 0 || ec == bhttp::error::need_more) {
      break;
    }
  }
  // Past the header, only an unfinished chunk-size line (with its
  // extensions) or trailer section stays unparsed: body bytes are consumed
  // as they arrive.
  if (m_parser->is_header_done() && m_buffer.size() > k_framing_allowance) {
    return fail(ClientError::too_large,
                "a chunk-size line or trailer section exceeds " + format_size(k_framing_allowance));
  }
  if (m_consumed + m_buffer.size() >= m_limit) {
    if (!m_parser->is_header_done()) {
      return fail(ClientError::too_large, header_too_large());
    }
    return fail(ClientError::too_large, "response exceeds the body limit " +
                                            format_size(m_max_body) + " + " +
                                            format_size(k_header_limit) + " of header + " +
                                            format_size(k_framing_allowance) + " of chunk framing");
  }
  return Progress::need_more;
}

ResponseReader::Progress ResponseReader::end_of_stream() {
  const Progress progress = parse();
  if (progress != Progress::need_more) {
    return progress;
  }
  if (!m_parser->got_some()) {
    return fail(ClientError::protocol, "read: connection closed before a response");
  }
  boost::system::error_code ec;
  m_parser->put_eof(ec);
  if (ec) {
    return fail_invalid(ec);
  }
  return m_parser->is_done() ? Progress::complete : fail_invalid(bhttp::error::partial_message);
}

boost::asio::mutable_buffer ResponseReader::prepare() {
  const std::size_t taken = m_consumed + m_buffer.size();
  const std::size_t room = taken < m_limit ? m_limit - taken : 1;
  const std::size_t free = m_buffer.capacity() - m_buffer.size();
  return m_buffer.prepare(std::min(std::clamp(free, k_min_read, k_max_read), room));
}

void ResponseReader::commit(std::size_t bytes) {
  m_buffer.commit(bytes);
}

bool ResponseReader::header_done() const {
  return m_parser && m_parser->is_header_done();
}

ResponseReader::Progress ResponseReader::fail(ClientError error, std::string message) {
  m_failure = {error, std::move(message)};
  return Progress::failed;
}

ResponseReader::Progress ResponseReader::fail_invalid(const boost::system::error_code& ec) {
  return fail(ClientError::protocol, "read: invalid HTTP response (" + ec.message() + ")");
}

} // namespace homectl::http
