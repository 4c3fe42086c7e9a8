// Kademlia DHT (https://github.com/libp2p/specs/blob/master/kad-dht/README.md):
// peer routing (FIND_NODE), values (GET_VALUE/PUT_VALUE, validated per key
// namespace), providers (ADD_PROVIDER/GET_PROVIDERS), on protocol
// `<prefix>/kad/1.0.0` (`/ipfs/kad/1.0.0` by default; a private agent network
// picks its own prefix, e.g. `/agentp2p`).
//
//   auto dht = kad::service::start(host, {.mode = kad::mode::server});
//   identify->on_identified([dht](const identify::peer_info& p) { dht->peer_identified(p.peer); });
//   co_await dht->bootstrap();
//   auto found = co_await dht->find_peer(id);            // addresses + lookup stats
//   co_await dht->provide(key);  auto provs = co_await dht->find_providers(key, 20);
//   co_await dht->put_value(key, value);  auto rec = co_await dht->get_value(key);
//
// Server mode answers DHT requests (registers the protocol handler, so
// identify tells peers we are a DHT server); client mode only asks. `automatic`
// is server when the host listens on a non-loopback address. The routing table
// holds only peers that speak our protocol id (as identify reported it) or
// that answered a request. Everything runs on the host's executor; background
// work (refresh every `refresh_interval`, record expiry, provider republish)
// is owned by the host and ends with stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "agentp2p/host/host.hpp"
#include "agentp2p/protocols/kad/lookup.hpp"
#include "agentp2p/protocols/kad/routing_table.hpp"
#include "agentp2p/protocols/kad/store.hpp"
#include "agentp2p/protocols/kad/validator.hpp"
#include "agentp2p/protocols/kad/wire.hpp"

namespace agentp2p::kad {

inline constexpr std::string_view default_protocol_prefix = "/ipfs";
inline constexpr std::string_view protocol_suffix = "/kad/1.0.0";

enum class mode { automatic, client, server };
std::string_view to_string(mode m) noexcept;
// "auto" | "client" | "server"
result<mode> parse_mode(std::string_view text);

struct config {
  kad::mode mode = mode::automatic;
  std::string protocol_prefix = std::string(default_protocol_prefix);
  // Lookup parameters: k (bucket size and replication), alpha, per-request
  // timeout, bounded total work.
  lookup_config lookup;
  wire_limits wire;
  record_store_limits records;
  provider_store_limits providers;
  // Inbound streams: wait at most this long for the next request, and serve
  // at most this many requests on one stream.
  std::chrono::milliseconds serve_idle_timeout{std::chrono::seconds(10)};
  std::size_t max_requests_per_stream = 256;
  // Values agreeing before get_value stops early.
  std::size_t get_value_quorum = 2;
  // Routing-table refresh (self lookup + one random lookup per bucket).
  std::chrono::milliseconds refresh_interval{std::chrono::minutes(10)};
  std::size_t max_refresh_cpl = 15;
  // Our provider records are announced again after this (they expire after 48 h).
  std::chrono::milliseconds provider_republish{std::chrono::hours(22)};
  // How often expired records are dropped and republishing is checked.
  std::chrono::milliseconds maintenance_interval{std::chrono::hours(1)};
  // Bootstrap once, in the background, when the first peer enters the table.
  bool bootstrap_on_first_peer = true;
  // How long we linger for the peer's half-close after a request.
  std::chrono::milliseconds linger{std::chrono::seconds(2)};
};

struct find_peer_result {
  peer_info peer;  // with the addresses the network knows
  lookup_stats stats;
};
struct value_result {
  record rec;
  std::size_t answers = 0;  // peers (and us) that had a valid value
  lookup_stats stats;
};
struct put_result {
  std::size_t stored = 0;  // peers that accepted it
  std::size_t tried = 0;
  lookup_stats stats;
};
struct providers_result {
  std::vector<peer_info> providers;
  lookup_stats stats;
};

// Counters, for logs, tests and metrics.
struct counters {
  std::uint64_t requests_served = 0;
  std::uint64_t requests_sent = 0;
  std::uint64_t requests_failed = 0;
  std::uint64_t invalid_messages = 0;   // inbound or replies that did not decode
  std::uint64_t invalid_records = 0;    // failed validation (PUT_VALUE or GET_VALUE replies)
  std::uint64_t dropped_peers = 0;      // closer/provider entries over caps or unreadable
  std::uint64_t provider_records_stored = 0;
};

class service : public std::enable_shared_from_this<service> {
 public:
  static std::shared_ptr<service> start(std::shared_ptr<host::host> h, config cfg = {});
  ~service();
  // Removes the handler and subscriptions, ends background work. Idempotent.
  void stop();

  const std::string& protocol_id() const noexcept { return protocol_id_; }
  const config& settings() const noexcept { return config_; }
  // Server or client, as decided now (automatic mode looks at the listen addresses).
  bool is_server() const noexcept { return serving_; }
  void set_mode(kad::mode m);
  // Re-evaluates automatic mode (e.g. after the host started listening).
  void update_mode();

  // Routing-table feed: call when identify has told us a peer's protocols
  // (it is added when it speaks our protocol id).
  void peer_identified(const crypto::peer_id& peer);
  // Adds a known DHT server (e.g. a bootstrap peer) with its addresses.
  void add_peer(const crypto::peer_id& peer, const std::vector<multiformats::multiaddr>& addrs);
  const routing_table& table() const noexcept { return table_; }
  validator_set& validators() noexcept { return validators_; }
  const counters& stats() const noexcept { return counters_; }

  // A self lookup, then a random lookup in every bucket up to max_refresh_cpl.
  awaitable<result<void>> bootstrap();
  // A connected peer is answered at once (0 hops); lookup_peer always asks the network.
  awaitable<result<find_peer_result>> find_peer(crypto::peer_id peer);
  awaitable<result<find_peer_result>> lookup_peer(crypto::peer_id peer);
  // The k closest peers to `key` (raw key bytes; their sha256 is the position).
  awaitable<result<lookup_result>> get_closest_peers(bytes key);
  awaitable<result<value_result>> get_value(bytes key);
  // Validates, stores locally, sends to the k closest peers.
  awaitable<result<put_result>> put_value(bytes key, bytes value);
  // Announces us as a provider of `key` (a multihash, as CIDs are keyed on
  // the wire) to the k closest peers; republished until stop_providing().
  awaitable<result<put_result>> provide(bytes key);
  void stop_providing(const bytes& key);
  std::vector<bytes> provided_keys() const;
  // Providers of `key`, up to `count` (ours and the network's).
  awaitable<result<providers_result>> find_providers(bytes key, std::size_t count);

 private:
  service(std::shared_ptr<host::host> h, config cfg);
  void on_host_event(const host::event& e);
  void consider(const crypto::peer_id& peer);
  peer_info info_of(const crypto::peer_id& peer) const;
  std::vector<peer_info> closer_peers(const kad_key& target, const crypto::peer_id& exclude) const;
  std::vector<peer_info> seeds(const kad_key& target) const;
  bool has_reachable_listen_address() const;

  // Inbound.
  static awaitable<void> serve(std::weak_ptr<service> weak, std::shared_ptr<host::stream> s);
  std::optional<message> handle(const crypto::peer_id& from, message&& m);

  // Outbound: one request on a new stream; `expect_reply` false for ADD_PROVIDER.
  awaitable<result<message>> request(peer_info to, message req, bool expect_reply);
  static awaitable<result<message>> request_task(std::weak_ptr<service> weak, peer_info to, message req,
                                                 bool expect_reply);
  awaitable<lookup_result> lookup(kad_key target, query_fn q);
  static awaitable<result<query_reply>> closer_query(std::weak_ptr<service> weak, peer_info to, bytes key);
  static awaitable<void> send_all(std::weak_ptr<service> weak, std::vector<peer_info> to, message m, bool expect_reply,
                                  std::shared_ptr<std::size_t> ok_count);
  static awaitable<void> maintenance_loop(std::weak_ptr<service> weak);
  static awaitable<void> refresh_loop(std::weak_ptr<service> weak);
  static awaitable<void> bootstrap_task(std::weak_ptr<service> weak);
  void maintain();

  std::weak_ptr<host::host> host_;
  config config_;
  std::string protocol_id_;
  routing_table table_;
  record_store records_;
  provider_store providers_;
  validator_set validators_;
  counters counters_;
  std::map<bytes, std::chrono::steady_clock::time_point> provided_;  // -> last announced
  std::mt19937_64 rng_;
  std::uint64_t subscription_ = 0;
  bool serving_ = false;
  bool stopped_ = false;
  bool bootstrapped_ = false;
  struct background;
  std::shared_ptr<background> background_;
};

}  // namespace agentp2p::kad
