// Ephemeral X25519 key pairs generated ahead of the handshakes that use them.
//
// Generating the ephemeral key (a fixed-base scalar multiplication, ~0.34 M
// instructions with libsodium) sat on the critical path of every fresh
// connection, on both sides: the initiator before its first message, the
// responder before its answer. Neither side can send until it has the key,
// but each side spends most of a handshake waiting for the other; a key made
// while waiting (or between handshakes) costs the same CPU and no latency.
//
// Rules: a key pair is handed out once and then forgotten (moved out, its
// slot wiped); the pool holds at most `capacity` pairs; the destructor wipes
// what is left. take() never waits for a refill: an empty pool generates
// the key on the spot, as before. Thread-safe (one mutex, held only to move
// a key in or out, never while generating), so hosts running on several
// threads may share one noise_protocol.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "agentp2p/security/noise/x25519.hpp"

namespace agentp2p::noise {

class ephemeral_pool {
 public:
  explicit ephemeral_pool(std::size_t capacity);
  ~ephemeral_pool();  // wipes the keys never handed out (x25519_keypair's destructor)
  ephemeral_pool(const ephemeral_pool&) = delete;
  ephemeral_pool& operator=(const ephemeral_pool&) = delete;

  // A key pair nobody else gets: a pooled one, or a fresh one when empty.
  x25519_keypair take();

  // Adds one freshly generated key pair unless the pool is full. Returns
  // true when the pool still has room afterwards (the caller may schedule
  // another step; one key per step keeps each step ~100 µs, so network
  // events are not held up behind a whole refill).
  bool refill_one();

  // Claims the right to schedule a refill: true when the pool is below
  // capacity and no refill is scheduled yet (it then counts as scheduled
  // until refill_done()). Keeps a burst of handshakes from queueing a
  // refill each.
  bool claim_refill();
  void refill_done();

  std::size_t size() const;
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<x25519_keypair> keys_;  // reserved to capacity_: no reallocation copies private keys around
  bool refill_scheduled_ = false;
};

}  // namespace agentp2p::noise
