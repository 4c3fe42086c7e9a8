// A byte_stream over a connected TCP socket.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::tcp {

// Takes ownership of a connected socket; sets TCP_NODELAY.
std::unique_ptr<core::byte_stream> make_socket_stream(asio::ip::tcp::socket socket);

// Bytes read and written over every TCP byte stream of this process (the
// daemon's /metrics). Relaxed atomics: one add per read or write call.
struct traffic_counters {
  std::atomic<std::uint64_t> bytes_read{0};
  std::atomic<std::uint64_t> bytes_written{0};
};
traffic_counters& traffic();

// Maps Asio socket errors to agentp2p codes (eof -> end_of_stream,
// connection reset / broken pipe -> reset, aborted -> cancelled).
agentp2p::error socket_error(const boost::system::error_code& ec, std::string_view context);

}  // namespace agentp2p::tcp
