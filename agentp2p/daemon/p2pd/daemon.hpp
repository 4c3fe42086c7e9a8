// agentp2p-p2pd: a libp2p node controlled through go-libp2p-daemon's control
// protocol (https://github.com/libp2p/go-libp2p-daemon/blob/master/specs/CONTROL.md),
// as @libp2p/daemon-client and the @libp2p/interop suite drive it.
//
// Each control connection carries one request:
//  - IDENTIFY, LIST_PEERS, CONNECT (then waits for identify, as go's
//    host.Connect does), DISCONNECT, PEERSTORE: one response;
//  - STREAM_OPEN: a response, then the connection *is* the libp2p stream;
//  - STREAM_HANDLER: registers the protocols; for every inbound stream the
//    daemon dials the given address, writes a length-prefixed StreamInfo, and
//    then pipes the stream through that connection;
//  - DHT: FIND_PEER, GET_PUBLIC_KEY, GET_VALUE, PUT_VALUE, PROVIDE answer once;
//    GET_CLOSEST_PEERS, FIND_PROVIDERS, SEARCH_VALUE stream BEGIN/VALUE.../END.
// Everything runs on one executor; work is owned by the daemon (control
// connections) or its host (inbound streams) and ends with close().
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "agentp2p/base/task_group.hpp"
#include "agentp2p/daemon/p2pd/control_socket.hpp"
#include "agentp2p/daemon/p2pd/options.hpp"
#include "agentp2p/daemon/p2pd/wire.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::identify {
class service;
}
namespace agentp2p::ping {
class service;
}
namespace agentp2p::kad {
class service;
}

namespace agentp2p::p2pd {

using namespace std::chrono_literals;

struct daemon_config {
  // A client must send its request this soon after connecting.
  std::chrono::milliseconds request_timeout{10s};
  // CONNECT, STREAM_OPEN and DHT requests without a timeout of their own;
  // a request's timeout (seconds) is capped at max_timeout.
  std::chrono::milliseconds default_timeout{60s};
  std::chrono::milliseconds max_timeout{5min};
  // After CONNECT: how long to wait for identify before answering anyway.
  std::chrono::milliseconds identify_wait{10s};
  // Dialing a stream handler's address.
  std::chrono::milliseconds handler_dial_timeout{10s};
  // After a one-shot response: how long the client gets to close its side.
  std::chrono::milliseconds linger{2s};
  // Control connections served at once (requests and open streams); more are closed.
  std::size_t max_control_connections = 256;
  // FIND_PROVIDERS: default and largest count.
  std::size_t default_providers = 20;
  std::size_t max_providers = 100;
  wire_limits wire;
};

class daemon : public std::enable_shared_from_this<daemon> {
 public:
  // Loads the identity, builds the host (TCP, the chosen security, Yamux),
  // listens on the host addresses, starts identify, ping and (if asked) the
  // DHT, and starts accepting on the control endpoint. On failure nothing is
  // left running (a host that listened already is closed), hence a coroutine.
  static awaitable<result<std::shared_ptr<daemon>>> start(executor ex, options opts);
  static awaitable<result<std::shared_ptr<daemon>>> start(executor ex, options opts, daemon_config cfg);
  ~daemon();

  host::host& node() noexcept { return *host_; }
  multiformats::multiaddr control_address() const;
  // What IDENTIFY reports: the announce addresses if set, else the listen addresses.
  std::vector<multiformats::multiaddr> addresses() const;

  // Stops accepting, ends every control connection and stream, closes the host.
  awaitable<void> close();

 private:
  daemon(executor ex, options opts, daemon_config cfg);
  static awaitable<void> accept_loop(std::shared_ptr<daemon> self);
  static awaitable<void> serve(std::shared_ptr<daemon> self, std::shared_ptr<core::byte_stream> conn);
  static awaitable<result<void>> dispatch(std::shared_ptr<daemon> self, core::byte_stream& conn, request req);
  static awaitable<result<void>> do_connect(std::shared_ptr<daemon> self, connect_request req);
  static awaitable<result<void>> do_stream_open(std::shared_ptr<daemon> self, core::byte_stream& conn,
                                                stream_open_request req);
  static awaitable<result<void>> do_dht(std::shared_ptr<daemon> self, core::byte_stream& conn, dht_request req);
  static awaitable<result<bytes>> public_key_of(std::shared_ptr<daemon> self, crypto::peer_id peer,
                                                std::chrono::milliseconds limit);
  static awaitable<void> handle_inbound(std::weak_ptr<daemon> weak, multiformats::multiaddr target,
                                        std::shared_ptr<host::stream> s);
  static awaitable<void> bootstrap(std::shared_ptr<daemon> self);
  void register_handler(const stream_handler_request& req);
  std::vector<peer_entry> connected_peers() const;
  std::chrono::milliseconds timeout_for(const std::optional<std::int64_t>& seconds) const;

  executor executor_;
  options options_;
  daemon_config config_;
  std::shared_ptr<host::host> host_;
  std::shared_ptr<identify::service> identify_;
  std::shared_ptr<ping::service> ping_;
  std::shared_ptr<kad::service> dht_;
  std::unique_ptr<control_listener> listener_;
  task_group tasks_;
  std::size_t active_connections_ = 0;
  bool closed_ = false;
};

}  // namespace agentp2p::p2pd
