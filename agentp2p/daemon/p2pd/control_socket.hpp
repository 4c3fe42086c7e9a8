// The local sockets of the daemon: the control endpoint it accepts requests
// on, and the handler endpoints it dials back with inbound streams. Both are
// a unix domain socket (/unix/<path>) or TCP (/ip4|ip6/<addr>/tcp/<port>),
// and every connection is a core::byte_stream.
#pragma once

#include <chrono>
#include <memory>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/core/byte_stream.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::p2pd {

class control_listener {
 public:
  virtual ~control_listener() = default;
  // Binds `addr`. A unix path that holds a stale socket (nobody accepts on
  // it) is replaced; one still in use is errc::already_exists.
  static result<std::unique_ptr<control_listener>> listen(executor ex, const multiformats::multiaddr& addr);

  virtual awaitable<result<std::unique_ptr<core::byte_stream>>> accept() = 0;
  // Stops accepting (a pending accept fails with errc::cancelled) and removes
  // the unix socket file. Idempotent.
  virtual void close() = 0;
  // The bound address (a TCP port 0 replaced by the port chosen).
  virtual multiformats::multiaddr address() const = 0;
};

// Connects to a unix or TCP endpoint within `limit`.
awaitable<result<std::unique_ptr<core::byte_stream>>> dial_endpoint(multiformats::multiaddr addr,
                                                                    std::chrono::milliseconds limit);

// Copies bytes both ways between `a` and `b` until both directions have
// ended (each end-of-stream is passed on as a half-close) or either fails
// (then both are reset). Memory: one 64 KiB buffer per direction.
awaitable<void> splice(core::byte_stream& a, core::byte_stream& b);

}  // namespace agentp2p::p2pd
