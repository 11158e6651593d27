#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace homectl::util {

// The completion token for `co_await op(..., k_tuple)`: the error code comes
// back with the results instead of being thrown.
inline constexpr auto k_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

} // namespace homectl::util
