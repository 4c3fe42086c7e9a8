// Capability search over the Kademlia DHT: which agents, anywhere on the
// network, offer a tool?
//
// Canonical names. A tool named `translate` is announced under the text
// `agentp2p:tool:translate`, a card capability `mcp` under
// `agentp2p:capability:mcp`: the prefix, the kind, and the name exactly as it
// appears on the agent's card (case-sensitive, no trimming; tool names are
// already limited to [A-Za-z0-9_.-]). The DHT key is the CID v1 of that text
// (raw codec 0x55, sha2-256 multihash); as in every libp2p DHT, provider
// records travel keyed by the CID's multihash bytes.
//
// Each node announces a provider record for every tool and capability on its
// card, again whenever its tool list changes (and the DHT republishes every
// 22 h). find_agents(tool) asks the DHT for providers, connects to them,
// fetches their praxis cards over /praxis/card/1.0.0 and keeps only the
// agents whose card really lists the tool (a provider record alone proves
// nothing). Our own node is never in the answer.
//
// Signed card records. The node also publishes its card as a DHT value under
// `/agentp2p-card/<peer id multihash bytes>`: a JSON object
// `{"card":"<card JSON text>","publicKey":"<base64 protobuf key>","signature":"<base64>"}`,
// the signature by the peer's identity key over "agentp2p-card:" + card text.
// The validator checks key, signature and that the card names that peer;
// among valid records the newest card timestamp wins.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/agent/praxis/agent_services.hpp"
#include "agentp2p/multiformats/cid.hpp"
#include "agentp2p/protocols/kad/kad.hpp"

namespace agentp2p::discovery {

enum class kind { tool, capability };

// "agentp2p:tool:<name>" / "agentp2p:capability:<name>"
std::string canonical_name(kind k, std::string_view name);
multiformats::cid capability_cid(kind k, std::string_view name);
// The provider-record key on the wire: the CID's multihash bytes.
bytes provider_key(kind k, std::string_view name);

inline constexpr std::string_view card_namespace = "agentp2p-card";
bytes card_record_key(const crypto::peer_id& peer);
result<bytes> sign_card_record(const crypto::private_key& identity, const card::agent_card& c);
// The card inside a valid record for `key`.
result<card::agent_card> open_card_record(byte_span key, byte_span value);

class card_record_validator final : public kad::validator {
 public:
  result<void> validate(byte_span key, byte_span value) const override;
  std::size_t select(byte_span key, const std::vector<bytes>& values) const override;
};

struct config {
  // Providers asked for per search, and cards fetched at once.
  std::size_t max_providers = 20;
  std::size_t max_parallel_fetches = 8;
  // One provider: connect + card exchange.
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(10)};
  // Announce our tools/capabilities and publish our card record.
  bool announce = true;
  bool publish_card = true;
};

struct found_agent {
  crypto::peer_id peer;
  card::agent_card card;
  std::vector<multiformats::multiaddr> addrs;
};

struct find_result {
  std::vector<found_agent> agents;  // providers whose card lists the tool
  std::size_t providers = 0;        // provider records found
  std::size_t rejected = 0;         // card missing the tool, or unreachable
  kad::lookup_stats stats;
};

class capability_search : public std::enable_shared_from_this<capability_search> {
 public:
  // Registers the card-record validator on `dht` and, when cfg.announce is
  // set, announces now and after every change of the agent's tools.
  static std::shared_ptr<capability_search> start(std::shared_ptr<host::host> h, std::shared_ptr<kad::service> dht,
                                                  praxis::agent_services& agent, config cfg = {});
  ~capability_search();
  void stop();

  awaitable<result<find_result>> find_agents(std::string tool);
  awaitable<result<find_result>> find_agents(kind k, std::string name);
  // Provides every current tool/capability key (stops providing removed
  // ones) and publishes our card record. Returns the number of keys announced.
  awaitable<result<std::size_t>> announce();
  // A peer's card from its signed DHT record (no connection to it needed).
  awaitable<result<card::agent_card>> lookup_card(crypto::peer_id peer);
  // Canonical names currently announced.
  std::vector<std::string> announced() const;

 private:
  capability_search(std::shared_ptr<host::host> h, std::shared_ptr<kad::service> dht, praxis::agent_services& agent,
                    config cfg);
  void schedule_announce();
  static awaitable<void> announce_task(std::weak_ptr<capability_search> weak);
  static awaitable<void> fetch_one(std::weak_ptr<capability_search> weak, kad::peer_info provider, kind k,
                                   std::string name, std::shared_ptr<find_result> out);

  std::weak_ptr<host::host> host_;
  std::shared_ptr<kad::service> dht_;
  std::shared_ptr<tools::registry> tools_;
  std::shared_ptr<registry::peer_registry> peers_;
  card::card_info card_info_;
  config config_;
  std::set<std::string> announced_;
  std::uint64_t tools_listener_ = 0;
  bool announcing_ = false;
  bool announce_again_ = false;
  bool stopped_ = false;
};

}  // namespace agentp2p::discovery
