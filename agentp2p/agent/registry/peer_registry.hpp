// The peer registry: every agent we know of, whether it is connected, and its
// cards. It listens to the host (connections), identify (which protocols a
// peer speaks) and the card service (cards received either way):
//
//   - a peer appears when it connects or discovery reports it (add_peer);
//   - once identify shows that it speaks /praxis/card/1.0.0, its card is
//     fetched (no fixed sleeps: identify tells us when); peers that never do
//     stay listed without a card;
//   - a card whose content changed since the last one raises card_updated;
//   - a disconnected peer unseen for `stale_after` is removed by a periodic
//     sweep (a coroutine owned by the host, ended by stop()).
//
// Everything runs on the host's executor, listeners included.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/value.hpp>

#include "agentp2p/agent/card/exchange.hpp"
#include "agentp2p/protocols/identify/identify.hpp"

namespace agentp2p::registry {

using clock = std::chrono::steady_clock;

struct config {
  // How often stale peers are looked for.
  clock::duration sweep_interval = std::chrono::seconds(10);
  // A disconnected peer unseen this long is removed.
  clock::duration stale_after = std::chrono::minutes(5);
  // Peers tracked at once; further new peers are ignored until some leave.
  std::size_t max_peers = 10000;
  // Fetch the card of every identified peer that speaks /praxis/card/1.0.0.
  bool auto_exchange = true;
};

enum class event_kind { found, connected, card_updated, disconnected, removed };
std::string_view to_string(event_kind k) noexcept;

struct event {
  event_kind kind;
  crypto::peer_id peer;
};

struct peer_entry {
  explicit peer_entry(crypto::peer_id p) : peer(std::move(p)) {}
  crypto::peer_id peer;
  bool connected = false;
  clock::time_point first_seen{};
  clock::time_point last_seen{};           // now, while connected
  std::vector<std::string> protocols;      // as identify reported them
  std::optional<card::agent_card> card;    // the praxis card
  std::optional<clock::time_point> card_received_at;
  bool card_changed = false;               // the last card received differed from the one before
  std::uint64_t card_versions = 0;         // distinct card contents seen
  std::optional<boost::json::value> a2a_card;  // the A2A agent card (filled by agent/a2a)
};

class peer_registry : public std::enable_shared_from_this<peer_registry> {
 public:
  static std::shared_ptr<peer_registry> start(std::shared_ptr<host::host> h, std::shared_ptr<identify::service> id,
                                              std::shared_ptr<card::service> cards, config cfg = {});
  ~peer_registry();
  // Unsubscribes from everything and ends the sweep. Idempotent.
  void stop();

  std::vector<peer_entry> peers() const;  // ordered by peer id
  std::optional<peer_entry> get(const crypto::peer_id& peer) const;
  std::size_t size() const noexcept { return peers_.size(); }

  // Discovery (mDNS, DHT, bootstrap list) reports a peer.
  void add_peer(const crypto::peer_id& peer);
  // Stores a peer's A2A card (the slot agent/a2a fills); raises card_updated.
  void set_a2a_card(const crypto::peer_id& peer, boost::json::value card);

  // Exchanges cards with `peer` now.
  awaitable<result<card::agent_card>> refresh_card(crypto::peer_id peer);
  // Re-exchanges with every connected peer that has a card (e.g. after our
  // tools changed), each as its own host-owned task.
  void refresh_all_cards();

  using listener = std::function<void(const event&)>;
  std::uint64_t subscribe(listener l);
  void unsubscribe(std::uint64_t token);

  const config& settings() const noexcept { return config_; }

 private:
  struct sweeper;
  peer_registry(std::shared_ptr<host::host> h, std::shared_ptr<identify::service> id,
                std::shared_ptr<card::service> cards, config cfg);
  void attach();
  void on_host_event(const host::event& e);
  void on_identified(const identify::peer_info& info);
  void on_card(const crypto::peer_id& peer, const card::agent_card& c);
  peer_entry* touch(const crypto::peer_id& peer);  // nullptr when full
  void fetch_card(const crypto::peer_id& peer);
  static awaitable<void> fetch_task(std::weak_ptr<peer_registry> weak, crypto::peer_id peer);
  static awaitable<void> sweep_loop(std::weak_ptr<peer_registry> weak, std::shared_ptr<sweeper> s);
  void sweep();
  void emit(event_kind k, const crypto::peer_id& peer);

  std::weak_ptr<host::host> host_;
  std::shared_ptr<identify::service> identify_;
  std::shared_ptr<card::service> cards_;
  config config_;
  std::map<crypto::peer_id, peer_entry> peers_;
  std::map<crypto::peer_id, bool> fetching_;  // exchanges in flight: asked for again meanwhile
  std::map<std::uint64_t, listener> listeners_;
  std::uint64_t next_listener_ = 1;
  std::uint64_t host_token_ = 0;
  std::uint64_t card_token_ = 0;
  std::shared_ptr<sweeper> sweeper_;
  bool stopped_ = false;
};

}  // namespace agentp2p::registry
