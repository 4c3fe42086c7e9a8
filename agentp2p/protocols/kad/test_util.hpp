// Helpers for the kad unit tests.
#pragma once

#include <random>

#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::kad::testutil {

// A syntactically valid peer id (sha2-256 multihash of random bytes), cheap
// to make in thousands.
inline crypto::peer_id random_peer(std::mt19937_64& rng) {
  bytes id(34);
  id[0] = 0x12;
  id[1] = 32;
  for (std::size_t i = 2; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(rng());
  return crypto::peer_id::from_bytes(id).value();
}

}  // namespace agentp2p::kad::testutil
