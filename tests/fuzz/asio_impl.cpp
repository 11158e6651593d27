// Boost.Asio's out-of-line definitions (BOOST_ASIO_SEPARATE_COMPILATION) for
// the fuzz targets, without the SSL and Beast parts that src/util pulls in.
#include <boost/asio/impl/src.hpp>
