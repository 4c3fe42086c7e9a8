// The small slice of Asio that headers across the library need. Heavy Asio
// headers (sockets, timers, operators) stay in .cpp files; Asio itself is
// compiled once (BOOST_ASIO_SEPARATE_COMPILATION, see base/asio_impl.cpp).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace agentp2p {

namespace asio = boost::asio;

template <class T>
using awaitable = asio::awaitable<T>;

using executor = asio::any_io_executor;

}  // namespace agentp2p
