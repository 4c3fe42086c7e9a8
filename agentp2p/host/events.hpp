// Host events, delivered synchronously on the host's executor to each
// subscriber. Subscribers must not block; long work is spawned.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "agentp2p/host/connection.hpp"

namespace agentp2p::host {

struct connection_opened {
  std::shared_ptr<connection> conn;
};
struct connection_closed {
  std::shared_ptr<const connection_info> info;
  std::string reason;
};
// First connection to a peer came up / last one went away.
struct peer_connected {
  crypto::peer_id peer;
};
struct peer_disconnected {
  crypto::peer_id peer;
};
// A stream was negotiated (either direction) on a connection.
struct stream_opened {
  std::shared_ptr<const connection_info> conn;
  std::string protocol;
  host::direction direction;
};
// The host's own protocol list changed (identify push uses it).
struct protocols_changed {};

using event = std::variant<connection_opened, connection_closed, peer_connected, peer_disconnected, stream_opened,
                           protocols_changed>;
using event_handler = std::function<void(const event&)>;

}  // namespace agentp2p::host
