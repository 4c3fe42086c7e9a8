// Positions in the Kademlia keyspace: sha256 of a key's bytes (a peer's key
// is sha256 of its peer id multihash bytes), XOR distance between them.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <random>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::kad {

inline constexpr std::size_t key_bits = 256;

struct kad_key {
  std::array<std::uint8_t, 32> bits{};

  static kad_key of(byte_span key);
  static kad_key of(const crypto::peer_id& peer) { return of(peer.to_bytes()); }

  // XOR distance, compared as a 256-bit big-endian number.
  kad_key distance(const kad_key& other) const noexcept;
  // Leading bits shared with `other` (256 for equal keys).
  std::size_t common_prefix_length(const kad_key& other) const noexcept;

  auto operator<=>(const kad_key&) const = default;
};

// A random peer id (sha2-256 multihash bytes) whose key shares exactly `cpl`
// leading bits with `self`: the FIND_NODE target of a bucket refresh (the
// wire carries peer ids, not keys, so the id is searched for; about 2^(cpl+1)
// hashes, hence cpl is capped by the caller). Empty after `max_tries`.
bytes random_peer_with_prefix(const kad_key& self, std::size_t cpl, std::mt19937_64& rng,
                              std::size_t max_tries = 1u << 20);

}  // namespace agentp2p::kad
