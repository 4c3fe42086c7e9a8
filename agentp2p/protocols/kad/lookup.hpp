// The iterative Kademlia lookup (kad-dht spec, "Peer routing"), independent
// of the network: the caller supplies how one peer is queried, so the same
// engine runs FIND_NODE, GET_VALUE and GET_PROVIDERS and is unit-tested on a
// simulated network.
//
// Up to `alpha` queries are in flight at once, always to the nearest
// candidates not yet asked. The lookup ends when the `k` nearest candidates
// that did not fail have all answered, when a reply says it found what the
// caller wanted (query_reply::done), or when a bound is hit: `max_requests`
// queries, the overall `deadline`, each query limited to `request_timeout`.
// Each reply contributes at most `max_closer_per_reply` (its nearest)
// candidates and the candidate list keeps at most `max_candidates`, so a
// peer answering with thousands of bogus peers cannot make the lookup work
// without bound.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/protocols/kad/key.hpp"
#include "agentp2p/protocols/kad/wire.hpp"

namespace agentp2p::kad {

struct lookup_config {
  std::size_t k = 20;
  std::size_t alpha = 3;
  std::size_t max_requests = 150;
  std::size_t max_candidates = 200;
  std::size_t max_closer_per_reply = 20;
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds deadline{std::chrono::seconds(60)};
};

struct query_reply {
  std::vector<peer_info> closer;
  bool done = false;  // the caller has what it wanted: stop the lookup
};

// Queries one peer. `hop` is 1 for the seeds, n+1 for peers learned from a hop-n reply.
using query_fn = std::function<awaitable<result<query_reply>>(const peer_info& peer, std::size_t hop)>;

struct lookup_stats {
  std::size_t requests = 0;
  std::size_t failures = 0;
  std::size_t max_hop = 0;         // deepest hop that answered
  std::size_t done_hop = 0;        // hop of the reply that set done (0: none)
  std::size_t ignored_closer = 0;  // closer peers over the per-reply or candidate caps
  bool done = false;
  bool request_limit_hit = false;
  bool deadline_hit = false;
  std::chrono::steady_clock::duration elapsed{};
};

struct lookup_result {
  std::vector<peer_info> closest;  // up to k peers that answered, nearest first
  lookup_stats stats;
};

awaitable<lookup_result> run_lookup(kad_key target, std::vector<peer_info> seeds, query_fn query, lookup_config cfg,
                                    crypto::peer_id self);

}  // namespace agentp2p::kad
