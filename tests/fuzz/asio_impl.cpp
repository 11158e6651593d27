// Boost.Asio's and Beast's out-of-line definitions (BOOST_ASIO_SEPARATE_COMPILATION,
// BOOST_BEAST_SEPARATE_COMPILATION) for the fuzz targets, without the SSL
// part that src/util pulls in.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
