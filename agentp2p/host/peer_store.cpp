#include "agentp2p/host/peer_store.hpp"

#include <algorithm>

namespace agentp2p::host {

using multiformats::multiaddr;
using multiformats::protocol_code;

peer_record* peer_store::upsert(const crypto::peer_id& peer) {
  auto it = records_.find(peer);
  if (it != records_.end()) return &it->second;
  if (records_.size() >= limits_.max_peers) {
    // Evict the least recently seen peer to make room for the new one.
    auto oldest = std::min_element(records_.begin(), records_.end(), [](const auto& a, const auto& b) {
      return a.second.last_seen < b.second.last_seen;
    });
    if (oldest == records_.end()) return nullptr;
    records_.erase(oldest);
  }
  auto& rec = records_[peer];
  rec.last_seen = std::chrono::system_clock::now();
  return &rec;
}

std::string peer_store::clip(std::string s) const {
  if (s.size() > limits_.max_string_length) s.resize(limits_.max_string_length);
  return s;
}

void peer_store::add_addrs(const crypto::peer_id& peer, const std::vector<multiaddr>& addrs) {
  auto* rec = upsert(peer);
  if (!rec) return;
  for (const auto& a : addrs) {
    auto bare = a.has(protocol_code::p2p) ? a.decapsulate(protocol_code::p2p) : a;
    if (bare.empty()) continue;
    if (std::find(rec->addrs.begin(), rec->addrs.end(), bare) != rec->addrs.end()) continue;
    if (rec->addrs.size() >= limits_.max_addrs_per_peer) break;
    rec->addrs.push_back(std::move(bare));
  }
}

void peer_store::set_protocols(const crypto::peer_id& peer, std::vector<std::string> protocols) {
  auto* rec = upsert(peer);
  if (!rec) return;
  if (protocols.size() > limits_.max_protocols_per_peer) protocols.resize(limits_.max_protocols_per_peer);
  for (auto& p : protocols) p = clip(std::move(p));
  rec->protocols = std::move(protocols);
}

void peer_store::set_public_key(const crypto::peer_id& peer, const crypto::public_key& key) {
  if (!peer.matches(key)) return;  // never store a key that does not belong to the peer
  if (auto* rec = upsert(peer)) rec->public_key = key;
}

void peer_store::set_agent(const crypto::peer_id& peer, std::string agent_version, std::string protocol_version) {
  if (auto* rec = upsert(peer)) {
    rec->agent_version = clip(std::move(agent_version));
    rec->protocol_version = clip(std::move(protocol_version));
  }
}

void peer_store::set_observed_addr(const crypto::peer_id& peer, multiaddr addr) {
  if (auto* rec = upsert(peer)) rec->observed_addr = std::move(addr);
}

void peer_store::set_latency(const crypto::peer_id& peer, std::chrono::microseconds rtt) {
  if (auto* rec = upsert(peer)) rec->latency = rtt;
}

void peer_store::touch(const crypto::peer_id& peer) {
  if (auto* rec = upsert(peer)) rec->last_seen = std::chrono::system_clock::now();
}

std::optional<peer_record> peer_store::get(const crypto::peer_id& peer) const {
  auto it = records_.find(peer);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

std::vector<multiaddr> peer_store::addrs(const crypto::peer_id& peer) const {
  auto it = records_.find(peer);
  return it == records_.end() ? std::vector<multiaddr>{} : it->second.addrs;
}

bool peer_store::supports(const crypto::peer_id& peer, std::string_view protocol) const {
  auto it = records_.find(peer);
  if (it == records_.end()) return false;
  const auto& ps = it->second.protocols;
  return std::find(ps.begin(), ps.end(), protocol) != ps.end();
}

std::vector<crypto::peer_id> peer_store::peers() const {
  std::vector<crypto::peer_id> out;
  out.reserve(records_.size());
  for (const auto& [id, _] : records_) out.push_back(id);
  return out;
}

void peer_store::remove(const crypto::peer_id& peer) { records_.erase(peer); }

}  // namespace agentp2p::host
