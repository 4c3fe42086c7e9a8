// The host: one libp2p node. It listens and dials over its transports,
// upgrades every connection (multistream → security → multistream → muxer),
// routes inbound streams to protocol handlers, opens outbound streams, keeps
// a peer store and publishes connection events.
//
// Threading: a host and everything it owns run on one executor (an
// io_context run by one thread, or a strand). Call its functions from that
// executor (e.g. from a coroutine spawned on it). Nothing blocks the thread.
//
//   auto h = host::builder{}.identity(key).build(ctx.get_executor());
//   h->listen(*multiaddr::parse("/ip4/0.0.0.0/tcp/0"));
//   h->set_stream_handler("/echo/1.0.0", echo);
//   auto s = co_await h->new_stream(peer, {"/echo/1.0.0"});
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agentp2p/base/task_group.hpp"
#include "agentp2p/core/muxer.hpp"
#include "agentp2p/core/security.hpp"
#include "agentp2p/core/transport.hpp"
#include "agentp2p/host/connection.hpp"
#include "agentp2p/host/events.hpp"
#include "agentp2p/host/gater.hpp"
#include "agentp2p/host/inbound_limiter.hpp"
#include "agentp2p/host/peer_store.hpp"
#include "agentp2p/host/stream_router.hpp"
#include "agentp2p/security/pnet/psk.hpp"

namespace agentp2p {
class deadline_queue;  // base/deadline_queue.hpp
}

namespace agentp2p::host {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

struct config {
  std::string agent_version = "agentp2p/0.1.0";
  std::string protocol_version = "ipfs/0.1.0";
  // TCP connect to one address.
  milliseconds dial_timeout{10s};
  // multistream + security handshake + muxer selection, per connection.
  milliseconds upgrade_timeout{15s};
  // multistream negotiation of one stream, either side.
  milliseconds stream_negotiation_timeout{10s};
  // close(): how long connections get to close gracefully (all at once)
  // before the rest is cancelled.
  milliseconds close_timeout{5s};
  // Connections in total, and to one peer (extra inbound ones are refused).
  std::size_t max_connections = 8192;
  std::size_t max_connections_per_peer = 4;
  // Inbound connections in the middle of their handshake.
  std::size_t max_pending_inbound = 256;
  // Outbound dials (TCP connect + handshake) in progress at once; further
  // dials wait for a slot, first come first served.
  std::size_t max_concurrent_dials = 32;
  // Inbound streams still negotiating their protocol, per connection. Above
  // Yamux's default stream budget (256), so a legitimate burst of new streams
  // is never refused; it bounds what a muxer with larger limits would allow.
  std::size_t max_negotiating_streams_per_connection = 512;
  peer_store_limits peer_store;
  // Private network: with a pre-shared key, every connection is wrapped in
  // the pnet XSalsa20 stream before multistream, and only peers holding the
  // same key can connect (pnet::load_swarm_key reads a swarm.key file).
  std::optional<pnet::psk> psk;
  // Allow/deny lists of peer ids and IP networks (see gater.hpp).
  gater_rules gater;
  // New inbound connections a second and handshakes in progress, per remote IP.
  inbound_limits inbound;
  // Inbound streams of one protocol open at once, node-wide (handlers
  // running); `max_inbound_streams_by_protocol` overrides it per protocol id.
  std::size_t max_inbound_streams_per_protocol = 4096;
  std::map<std::string, std::size_t> max_inbound_streams_by_protocol;
};

class host : public std::enable_shared_from_this<host> {
 public:
  struct parts {
    crypto::private_key identity;
    config cfg;
    std::vector<std::unique_ptr<core::transport>> transports;
    std::vector<std::unique_ptr<core::security_protocol>> security;  // in order of preference
    std::vector<std::unique_ptr<core::muxer>> muxers;
  };
  host(executor ex, parts p);
  ~host();

  const crypto::peer_id& id() const noexcept { return id_; }
  const crypto::private_key& identity() const noexcept { return identity_; }
  const crypto::public_key& public_key() const noexcept { return identity_.public_key(); }
  const config& settings() const noexcept { return config_; }
  executor get_executor() const { return executor_; }

  // Starts listening; returns the bound address (port 0 → the OS's choice).
  result<multiformats::multiaddr> listen(const multiformats::multiaddr& addr);
  // Bound listen addresses; wildcard addresses (0.0.0.0, ::) are expanded to
  // the machine's interface addresses.
  std::vector<multiformats::multiaddr> listen_addresses() const;

  // Dials `addr`; a trailing /p2p/<id> is the peer we expect to meet (the
  // dial fails with errc::peer_id_mismatch if someone else answers). Reuses
  // an open connection to that peer, and joins a dial to it in progress.
  awaitable<result<std::shared_ptr<connection>>> connect(const multiformats::multiaddr& addr);
  // Reuses an open connection, else dials the peer's known addresses in turn.
  // Concurrent connects to one peer share a single dial.
  awaitable<result<std::shared_ptr<connection>>> connect(const crypto::peer_id& peer);

  // Opens a stream to `peer` (connecting if needed) and negotiates the first
  // protocol of `protocols` the peer supports.
  awaitable<result<std::shared_ptr<stream>>> new_stream(const crypto::peer_id& peer,
                                                        std::vector<std::string> protocols);
  awaitable<result<std::shared_ptr<stream>>> new_stream(const std::shared_ptr<connection>& conn,
                                                        std::vector<std::string> protocols);
  // Single-protocol forms. (Prefer them inside coroutines: GCC 12 miscompiles
  // a braced list such as {"/a/1.0.0"} that lives across a co_await.)
  awaitable<result<std::shared_ptr<stream>>> new_stream(const crypto::peer_id& peer, std::string_view protocol);
  awaitable<result<std::shared_ptr<stream>>> new_stream(const std::shared_ptr<connection>& conn,
                                                        std::string_view protocol);

  // Opens a stream proposing `protocol` without waiting for the peer's
  // answer (lazy multistream-select, as js-libp2p and go-libp2p do for a
  // protocol they expect the peer to speak): the proposal travels with the
  // first write, so a request/response costs no extra round trip. The first
  // read checks the answer: errc::unsupported ("the peer does not support
  // ...") when the peer refused it, and the stream is reset. Bound the
  // exchange with a deadline as usual (stream_negotiation_timeout does not
  // apply: there is no separate negotiation to wait for).
  awaitable<result<std::shared_ptr<stream>>> new_stream_lazy(const std::shared_ptr<connection>& conn,
                                                             std::string_view protocol);
  // An open connection to `peer`, if any (no dial).
  std::shared_ptr<connection> open_connection(const crypto::peer_id& peer) const { return find_open(peer); }

  // One timer for the host's per-stream deadlines (base/deadline_queue.hpp).
  const std::shared_ptr<deadline_queue>& deadlines() const noexcept { return deadlines_; }

  // Handler for inbound streams of protocol `id` (and of any id `match`
  // accepts). Each stream's handler runs as its own coroutine owned by the host.
  void set_stream_handler(std::string id, stream_handler handler, protocol_matcher match = {});
  void remove_stream_handler(std::string_view id);
  std::vector<std::string> protocols() const { return router_.protocols(); }

  // Outbound dials in progress, and dials waiting for a slot.
  std::size_t active_dials() const noexcept { return active_dials_; }
  std::size_t queued_dials() const noexcept { return dial_queue_.size(); }

  std::vector<std::shared_ptr<connection>> connections() const;
  std::vector<std::shared_ptr<connection>> connections_to(const crypto::peer_id& peer) const;
  bool is_connected(const crypto::peer_id& peer) const;
  // Closes every connection to `peer`.
  awaitable<void> disconnect(const crypto::peer_id& peer);

  // The connection gater (rules from config::gater; replaceable at run time,
  // existing connections are not re-checked).
  const agentp2p::host::gater& connection_gater() const noexcept { return gater_; }
  void set_gater_rules(gater_rules rules) { gater_.set_rules(std::move(rules)); }

  peer_store& peers() noexcept { return peers_; }
  const peer_store& peers() const noexcept { return peers_; }

  std::uint64_t subscribe(event_handler handler);
  void unsubscribe(std::uint64_t token);

  // Runs `task` owned by the host: cancelled and joined by close(). Protocol
  // services use it for their per-connection work.
  void spawn(awaitable<void> task, std::string name);

  // Stops listening, closes all connections, cancels and joins every task.
  awaitable<void> close();
  bool is_closed() const noexcept { return closed_; }

 private:
  awaitable<void> accept_loop(std::shared_ptr<core::listener> l);
  awaitable<void> handle_inbound(core::raw_connection raw, std::string ip);
  awaitable<result<std::shared_ptr<connection>>> shared_dial(const crypto::peer_id& peer,
                                                              std::optional<multiformats::multiaddr> addr);
  awaitable<result<std::shared_ptr<connection>>> dial_peer(const crypto::peer_id& peer);
  awaitable<void> acquire_dial_slot();
  void release_dial_slot();
  awaitable<result<std::shared_ptr<connection>>> dial_addr(const multiformats::multiaddr& addr,
                                                           std::optional<crypto::peer_id> expected);
  std::shared_ptr<connection> adopt(std::shared_ptr<connection> conn);
  awaitable<void> run_connection(std::shared_ptr<connection> conn);
  awaitable<void> handle_stream(std::shared_ptr<core::muxed_stream> s, std::shared_ptr<const connection_info> info,
                                std::shared_ptr<std::size_t> negotiating);
  std::shared_ptr<connection> find_open(const crypto::peer_id& peer) const;
  void emit(const event& e);

  executor executor_;
  crypto::private_key identity_;
  crypto::peer_id id_;
  config config_;
  std::vector<std::unique_ptr<core::transport>> transports_;
  std::vector<std::unique_ptr<core::security_protocol>> security_;
  std::vector<std::unique_ptr<core::muxer>> muxers_;
  std::vector<std::shared_ptr<core::listener>> listeners_;
  stream_router router_;
  agentp2p::host::gater gater_;
  inbound_limiter inbound_limiter_;
  std::map<std::string, std::size_t, std::less<>> inbound_streams_;  // by protocol, handlers running
  peer_store peers_;
  std::unordered_map<crypto::peer_id, std::vector<std::shared_ptr<connection>>> conns_;
  std::size_t conn_count_ = 0;
  std::size_t pending_inbound_ = 0;
  std::uint64_t next_conn_id_ = 1;
  struct pending_dial;
  std::unordered_map<crypto::peer_id, std::shared_ptr<pending_dial>> dials_;
  struct dial_waiter;
  std::size_t active_dials_ = 0;
  std::deque<std::shared_ptr<dial_waiter>> dial_queue_;
  std::map<std::uint64_t, std::shared_ptr<event_handler>> subscribers_;
  std::uint64_t next_token_ = 1;
  std::shared_ptr<deadline_queue> deadlines_;
  task_group tasks_;
  bool closed_ = false;
};

// Assembles a host; TCP + Noise + Yamux unless told otherwise.
class builder {
 public:
  builder& identity(crypto::private_key key);
  builder& settings(config cfg);
  builder& transport(std::unique_ptr<core::transport> t);
  builder& security(std::unique_ptr<core::security_protocol> s);
  builder& muxer(std::unique_ptr<core::muxer> m);
  // Adds /plaintext/2.0.0 after the configured security protocols (tests only).
  builder& plaintext();
  // Uses only /plaintext/2.0.0 (the transport-interop test's "plaintext").
  builder& plaintext_only();
  std::shared_ptr<host> build(executor ex);

 private:
  std::optional<crypto::private_key> identity_;
  config config_;
  std::vector<std::unique_ptr<core::transport>> transports_;
  std::vector<std::unique_ptr<core::security_protocol>> security_;
  std::vector<std::unique_ptr<core::muxer>> muxers_;
  bool plaintext_ = false;
  bool plaintext_only_ = false;
};

}  // namespace agentp2p::host
