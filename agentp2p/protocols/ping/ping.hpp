// Ping (/ipfs/ping/1.0.0): https://github.com/libp2p/specs/blob/master/ping/ping.md
// The dialer sends 32 random bytes, the listener echoes them; repeated on one
// stream for as long as the dialer wants.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

#include "agentp2p/host/host.hpp"

namespace agentp2p::ping {

inline constexpr std::string_view protocol_id = "/ipfs/ping/1.0.0";
inline constexpr std::size_t payload_size = 32;

struct config {
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // per round trip
  // Round trips one inbound stream may ask for before we close it.
  std::size_t max_pings_per_stream = 100000;
};

using rtt = std::chrono::microseconds;

class service {
 public:
  // Registers the responder on the host.
  static std::shared_ptr<service> start(std::shared_ptr<host::host> h, config cfg = {});
  ~service();

  // `count` round trips on one new stream, each bounded by config::timeout;
  // the last RTT is recorded in the peer store as the peer's latency.
  awaitable<result<std::vector<rtt>>> ping(const crypto::peer_id& peer, std::size_t count = 1);
  awaitable<result<std::vector<rtt>>> ping(std::shared_ptr<host::connection> conn, std::size_t count = 1);

 private:
  service(std::shared_ptr<host::host> h, config cfg) : host_(h), config_(cfg) {}
  awaitable<result<std::vector<rtt>>> run_pings(std::shared_ptr<host::stream> s, std::size_t count);

  std::weak_ptr<host::host> host_;
  config config_;
};

// The responder loop, exposed for hosts that wire handlers themselves.
awaitable<void> serve(std::shared_ptr<host::stream> s, config cfg);

}  // namespace agentp2p::ping
