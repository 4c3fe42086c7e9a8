// Identify (/ipfs/id/1.0.0) and Identify Push (/ipfs/id/push/1.0.0):
// https://github.com/libp2p/specs/blob/master/identify/README.md
// On every new connection the service asks the peer who it is (keys, listen
// addresses, protocols, agent version) and stores the answer in the peer
// store; it answers the same question for us, and pushes our protocol list
// to connected peers when it changes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "agentp2p/host/host.hpp"
#include "agentp2p/protocols/identify/wire.hpp"

namespace agentp2p::identify {

inline constexpr std::string_view protocol_id = "/ipfs/id/1.0.0";
inline constexpr std::string_view push_protocol_id = "/ipfs/id/push/1.0.0";

struct config {
  // Bound on one identify exchange (all messages together).
  std::size_t max_message_size = 64 * 1024;
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  bool push = true;
  // After answering, how long we wait for the requester to close its side
  // before closing ours. js-libp2p 3.x fails a stream whose reply and FIN
  // arrive before its multistream negotiation has finished, so our FIN must
  // not travel with the reply.
  std::chrono::milliseconds close_grace{200};
};

// What a peer told us about itself.
struct peer_info {
  crypto::peer_id peer;
  std::string protocol_version;
  std::string agent_version;
  std::vector<multiformats::multiaddr> listen_addrs;
  std::vector<std::string> protocols;
  std::optional<multiformats::multiaddr> observed_addr;
};

class service : public std::enable_shared_from_this<service> {
 public:
  static std::shared_ptr<service> start(std::shared_ptr<host::host> h, config cfg = {});
  ~service();

  // Runs identify over `conn` now (also done automatically for every new connection).
  awaitable<result<peer_info>> identify(std::shared_ptr<host::connection> conn);
  // Completes once `peer` has been identified on the current connection (at
  // once if it already was), or with errc::timeout after `limit`.
  awaitable<result<peer_info>> wait_identified(const crypto::peer_id& peer, std::chrono::milliseconds limit);
  std::optional<peer_info> identified(const crypto::peer_id& peer) const;

  using listener = std::function<void(const peer_info&)>;
  std::uint64_t on_identified(listener l);

  // The message we send to a peer on `conn`.
  message our_message(const host::connection_info& conn) const;

 private:
  service(std::shared_ptr<host::host> h, config cfg);
  void on_event(const host::event& e);
  awaitable<void> identify_task(std::shared_ptr<host::connection> conn);
  awaitable<void> serve(std::shared_ptr<host::stream> s);
  awaitable<void> serve_push(std::shared_ptr<host::stream> s);
  awaitable<void> push_to(std::shared_ptr<host::connection> conn);
  awaitable<result<message>> read_messages(host::stream& s);
  peer_info apply(const crypto::peer_id& peer, message&& m);

  std::weak_ptr<host::host> host_;
  config config_;
  std::uint64_t subscription_ = 0;
  std::map<crypto::peer_id, peer_info> identified_;
  std::map<std::uint64_t, listener> listeners_;
  std::multimap<crypto::peer_id, std::function<void()>> waiters_;  // wake a wait_identified
  std::uint64_t next_listener_ = 1;
};

}  // namespace agentp2p::identify
