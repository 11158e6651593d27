// Boost.Asio and Beast compiled once, here (separate compilation keeps every
// other translation unit that includes them faster to build).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
