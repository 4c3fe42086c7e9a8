// Remembers identity signatures over Noise static keys that verified.
//
// Ed25519 verification of the remote's handshake payload (~0.96 M
// instructions with libsodium) sits on the critical path of each side of a
// fresh connection. Hosts that keep one static key for their lifetime
// (js-libp2p, ourselves) send the same payload — identity key, static key,
// signature — on every connection, so reconnecting to a peer checked the same
// signature again and again. Signature verification is a deterministic
// function of (public key, message, signature): a triple that verified once
// verifies again. Only triples that verified are stored, as their exact bytes
// (compared in full, no hashes), so a hit can never accept anything the full
// check would refuse. Peers that make a static key per connection (go-libp2p)
// simply never hit. Bounded (oldest entry replaced), thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "agentp2p/base/bytes.hpp"

namespace agentp2p::noise {

class signature_cache {
 public:
  explicit signature_cache(std::size_t capacity);

  // True when exactly this (identity key, static key, signature) verified before.
  bool verified_before(byte_span identity_key, byte_span static_key, byte_span signature) const;
  // Records a triple whose signature has just been verified.
  void remember(byte_span identity_key, byte_span static_key, byte_span signature);

  std::size_t size() const;
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  static bytes entry_of(byte_span identity_key, byte_span static_key, byte_span signature);

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<bytes> entries_;
  std::size_t next_ = 0;  // slot replaced next once full (oldest first)
};

}  // namespace agentp2p::noise
