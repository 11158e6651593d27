#pragma once

#include "homectl/http/message.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

// The server's HTTP/1.1 response framing, kept apart from the socket code so
// it can be tested byte for byte.
namespace homectl::http {

// How the body of a response is framed on the wire.
// `none` is for 1xx, 204 and 304, which carry no body and no length.
enum class Framing { content_length, chunked, none };

// The status line and headers of `response`, ending in the blank line. Adds
// Date, Content-Length (or Transfer-Encoding: chunked) and `Connection: close`
// when the connection will not be kept alive; drops any header that a handler
// set with an invalid name or a CR/LF/NUL in its value (response splitting).
std::string format_head(const Response& response, std::size_t content_length, bool keep_alive,
                        Framing framing = Framing::content_length);
// The same into `head`, replacing its contents and reusing its capacity (a
// connection keeps one buffer for all its responses).
void format_head_into(std::string& head, const Response& response, std::size_t content_length,
                      bool keep_alive, Framing framing = Framing::content_length);

// One chunk of a chunked body ("<hex size>\r\n<data>\r\n"); empty data is the last chunk.
std::string format_chunk(std::string_view data);

// True when the name is an RFC 9110 token and the value holds no CR, LF or NUL.
bool is_valid_header(std::string_view name, std::string_view value);

// IMF-fixdate (RFC 9110 §5.6.7), e.g. "Thu, 26 Nov 2026 10:28:47 GMT".
std::string http_date(std::chrono::system_clock::time_point when);

} // namespace homectl::http
