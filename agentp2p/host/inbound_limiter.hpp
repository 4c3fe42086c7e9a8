// Per-IP admission of inbound connections, before any handshake work: a
// token bucket per remote IP (new connections a second, with a burst) and a
// cap on the handshakes one IP may have in progress. A single address
// flooding us with connections (finished or not) is refused at accept, while
// peers at other addresses keep connecting. State is bounded: at most
// `max_tracked` IPs (the least recently seen bucket is forgotten first, which
// only ever gives that IP a full bucket again; IPs with handshakes in
// progress are never forgotten, and beyond the bound new IPs are refused).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::host {

struct inbound_limits {
  // New inbound connections a second per remote IP, and the burst (0 = off).
  double per_ip_per_second = 64;
  double per_ip_burst = 128;
  // Handshakes in progress from one IP (0 = off).
  std::size_t max_pending_per_ip = 32;
  std::size_t max_tracked = 16384;
};

class inbound_limiter {
 public:
  using clock = std::chrono::steady_clock;
  explicit inbound_limiter(inbound_limits cfg = {}) : config_(cfg) {}

  // The key of a remote address: its IP bytes ("" when it has none: then no limit applies).
  static std::string ip_key(const multiformats::multiaddr& remote);

  // Admits a connection from `ip` (reserving a handshake slot), or says why not.
  std::optional<std::string> admit(const std::string& ip, clock::time_point now);
  // The handshake of an admitted connection ended (either way).
  void release(const std::string& ip);

  std::size_t tracked() const noexcept { return ips_.size(); }

 private:
  struct state {
    double tokens;
    clock::time_point last;
    std::size_t pending = 0;
  };
  bool forget_one_idle();

  inbound_limits config_;
  std::map<std::string, state> ips_;
};

}  // namespace agentp2p::host
