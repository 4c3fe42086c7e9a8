// The Kademlia routing table: 256 k-buckets indexed by the length of the
// prefix a peer's key shares with ours. A full bucket keeps its (longer
// lived) peers; newcomers wait in a bounded replacement list and move in
// when a member is removed (it failed to answer). Pure data structure, no I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "agentp2p/protocols/kad/key.hpp"

namespace agentp2p::kad {

class routing_table {
 public:
  using clock = std::chrono::steady_clock;

  struct entry {
    crypto::peer_id peer;
    kad_key key;
    clock::time_point added;
    clock::time_point last_useful;  // last time it answered a query
  };

  enum class add_result { added, updated, full, self };

  routing_table(crypto::peer_id self, std::size_t k);

  add_result add(const crypto::peer_id& peer, clock::time_point now = clock::now());
  // Removes `peer` (e.g. it did not answer); a waiting replacement takes its place.
  bool remove(const crypto::peer_id& peer);
  void mark_useful(const crypto::peer_id& peer, clock::time_point now = clock::now());
  bool contains(const crypto::peer_id& peer) const;

  // Up to `count` peers closest to `target`, nearest first.
  std::vector<crypto::peer_id> closest(const kad_key& target, std::size_t count) const;

  std::size_t size() const noexcept { return size_; }
  std::size_t bucket_size(std::size_t cpl) const { return buckets_.at(cpl).members.size(); }
  // The deepest non-empty bucket (the refresh covers buckets up to it).
  std::optional<std::size_t> max_common_prefix() const;
  std::vector<crypto::peer_id> peers() const;

  const kad_key& self_key() const noexcept { return self_key_; }
  std::size_t k() const noexcept { return k_; }

 private:
  struct bucket {
    std::vector<entry> members;
    std::deque<crypto::peer_id> replacements;
  };
  std::size_t index_of(const kad_key& key) const;

  crypto::peer_id self_;
  kad_key self_key_;
  std::size_t k_;
  std::size_t size_ = 0;
  std::array<bucket, key_bits> buckets_;
};

}  // namespace agentp2p::kad
