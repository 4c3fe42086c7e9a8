// A transport dials and listens on multiaddrs and yields raw byte streams.
#pragma once

#include <memory>

#include "agentp2p/core/byte_stream.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::core {

struct raw_connection {
  std::unique_ptr<byte_stream> stream;
  multiformats::multiaddr local_addr;
  multiformats::multiaddr remote_addr;
};

class listener {
 public:
  virtual ~listener() = default;
  // The bound address (with the OS-chosen port when listening on port 0).
  virtual multiformats::multiaddr local_address() const = 0;
  virtual awaitable<result<raw_connection>> accept() = 0;
  // Stops accepting; a pending accept() completes with errc::closed.
  virtual void close() = 0;
};

class transport {
 public:
  virtual ~transport() = default;
  virtual bool can_dial(const multiformats::multiaddr& addr) const = 0;
  virtual bool can_listen(const multiformats::multiaddr& addr) const = 0;
  virtual awaitable<result<raw_connection>> dial(const multiformats::multiaddr& addr) = 0;
  virtual result<std::unique_ptr<listener>> listen(const multiformats::multiaddr& addr) = 0;
};

}  // namespace agentp2p::core
