// What the host knows about other peers: addresses, protocols, keys, agent
// version, latency. Bounded: a remote cannot grow it without limit.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::host {

struct peer_record {
  std::vector<multiformats::multiaddr> addrs;
  std::vector<std::string> protocols;
  std::optional<crypto::public_key> public_key;
  std::string agent_version;
  std::string protocol_version;
  std::optional<multiformats::multiaddr> observed_addr;  // how the peer sees us
  std::optional<std::chrono::microseconds> latency;
  std::chrono::system_clock::time_point last_seen{};
};

struct peer_store_limits {
  std::size_t max_peers = 10000;
  std::size_t max_addrs_per_peer = 32;
  std::size_t max_protocols_per_peer = 128;
  std::size_t max_string_length = 256;  // agent/protocol version, protocol ids
};

class peer_store {
 public:
  explicit peer_store(peer_store_limits limits = {}) : limits_(limits) {}

  // Adds addresses (deduplicated, /p2p/ suffix stripped, capped per peer).
  void add_addrs(const crypto::peer_id& peer, const std::vector<multiformats::multiaddr>& addrs);
  void set_protocols(const crypto::peer_id& peer, std::vector<std::string> protocols);
  void set_public_key(const crypto::peer_id& peer, const crypto::public_key& key);
  void set_agent(const crypto::peer_id& peer, std::string agent_version, std::string protocol_version);
  void set_observed_addr(const crypto::peer_id& peer, multiformats::multiaddr addr);
  void set_latency(const crypto::peer_id& peer, std::chrono::microseconds rtt);
  void touch(const crypto::peer_id& peer);

  std::optional<peer_record> get(const crypto::peer_id& peer) const;
  std::vector<multiformats::multiaddr> addrs(const crypto::peer_id& peer) const;
  bool supports(const crypto::peer_id& peer, std::string_view protocol) const;
  std::vector<crypto::peer_id> peers() const;
  void remove(const crypto::peer_id& peer);
  std::size_t size() const noexcept { return records_.size(); }

 private:
  // Returns nullptr when the store is full and the peer is new.
  peer_record* upsert(const crypto::peer_id& peer);
  std::string clip(std::string s) const;

  peer_store_limits limits_;
  std::unordered_map<crypto::peer_id, peer_record> records_;
};

}  // namespace agentp2p::host
