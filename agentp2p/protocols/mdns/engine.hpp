// The mDNS protocol logic without sockets or timers: what to answer to a
// packet, which peers a packet announces, and the rate limits in front of
// both. The service feeds it packets and the clock; tests and the fuzzer do
// the same with made-up packets.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agentp2p/protocols/mdns/config.hpp"
#include "agentp2p/protocols/mdns/records.hpp"

namespace agentp2p::mdns {

using clock = std::chrono::steady_clock;

// What we announce on one interface.
struct interface_view {
  std::string name;
  unsigned index = 0;
  std::vector<multiformats::multiaddr> addrs;  // reachable there, each ending in /p2p/<our id>
  std::vector<bytes> ips;                      // that interface's addresses in those (4 or 16 bytes)
  std::uint16_t port = 4001;                   // the first TCP port, for SRV
};

struct counters {
  std::uint64_t packets = 0;            // accepted for handling
  std::uint64_t packets_rate_limited = 0;
  std::uint64_t packets_malformed = 0;
  std::uint64_t queries_answered = 0;
  std::uint64_t answers_held_back = 0;  // within min_answer_interval, or known answer
  std::uint64_t peers_announced = 0;    // peer announcements read from responses
  std::uint64_t discoveries = 0;        // handed out by next()
  std::uint64_t discoveries_dropped = 0;
};

class engine {
 public:
  engine(config cfg, crypto::peer_id self, std::string peer_name);

  const std::string& peer_name() const noexcept { return peer_name_; }
  const std::vector<std::string>& services() const noexcept { return services_; }
  const counters& stats() const noexcept { return stats_; }

  // The queries to multicast on each interface (one packet per service).
  std::vector<bytes> queries() const;

  struct reply {
    bytes packet;
    bool unicast = false;  // to the query's source (a legacy, non-5353-port querier)
  };
  // One inbound packet from `source` (an address, for the per-source limit)
  // on `iface`; returns what to send back on that interface.
  std::vector<reply> on_packet(byte_span packet, const interface_view& iface, std::string_view source,
                               bool legacy_source, clock::time_point now);

  // The next discovered peer to act on, if the rate limit allows one now.
  std::optional<found_peer> next(clock::time_point now);
  // When next() may return something (now if it can, max() if nothing waits).
  clock::time_point next_ready(clock::time_point now) const;
  std::size_t pending() const noexcept { return pending_.size(); }

  // Forget that `peer` was acted upon (e.g. it disconnected), so the next
  // announcement of it is acted upon after rediscovery_interval from the last.
  void forget(const crypto::peer_id& peer);

 private:
  bool admit(std::string_view source, clock::time_point now);
  void enqueue(found_peer f, clock::time_point now);

  config config_;
  crypto::peer_id self_;
  std::string peer_name_;
  std::vector<std::string> services_;  // full names
  counters stats_;

  // Fixed one-second windows for packet admission.
  clock::time_point window_start_{};
  std::size_t window_packets_ = 0;
  std::unordered_map<std::string, std::size_t> window_sources_;
  // Last multicast answer per (interface index, service).
  std::map<std::pair<unsigned, std::string>, clock::time_point> last_answer_;
  // Discoveries waiting for their turn, and when each peer was last acted upon.
  std::deque<found_peer> pending_;
  std::map<crypto::peer_id, clock::time_point> acted_;
  double tokens_ = 0;
  clock::time_point tokens_at_{};
};

}  // namespace agentp2p::mdns
