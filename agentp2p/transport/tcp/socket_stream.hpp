// A byte_stream over a connected TCP socket.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::tcp {

// Takes ownership of a connected socket; sets TCP_NODELAY.
std::unique_ptr<core::byte_stream> make_socket_stream(asio::ip::tcp::socket socket);

// Maps Asio socket errors to agentp2p codes (eof -> end_of_stream,
// connection reset / broken pipe -> reset, aborted -> cancelled).
agentp2p::error socket_error(const boost::system::error_code& ec, std::string_view context);

}  // namespace agentp2p::tcp
