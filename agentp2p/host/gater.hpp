// Connection gater: allow and deny lists of peer ids and IP networks.
//
// Checked as early as each fact is known: the remote address before any
// handshake (inbound: right after accept; outbound: before the TCP dial and
// again on the connected socket's address, which covers DNS names), the
// peer id after the security handshake (and before dialing, when the dial
// names the peer). A refused connection costs us no handshake crypto.
//
// Rules: a deny entry always refuses. When an allow list is non-empty, only
// what it lists passes (peers and networks are judged separately: with both
// allow lists set, a connection must match both). Addresses that carry no
// IP (memory transports, unresolved names) pass the network rules.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::host {

// An IPv4 or IPv6 network in CIDR form ("10.0.0.0/8", "fd00::/8",
// "192.168.1.7" = /32). IPv4-mapped IPv6 addresses match IPv4 networks.
struct ip_network {
  bool v6 = false;
  std::array<std::uint8_t, 16> addr{};  // v4 uses the first 4 bytes
  unsigned prefix = 0;

  static result<ip_network> parse(std::string_view cidr);
  bool contains(bool is_v6, const std::uint8_t* ip) const;
  std::string to_string() const;
};

struct gater_rules {
  std::vector<crypto::peer_id> allow_peers;
  std::vector<crypto::peer_id> deny_peers;
  std::vector<ip_network> allow_networks;
  std::vector<ip_network> deny_networks;

  bool empty() const {
    return allow_peers.empty() && deny_peers.empty() && allow_networks.empty() && deny_networks.empty();
  }
};

class gater {
 public:
  explicit gater(gater_rules rules = {}) : rules_(std::move(rules)) {}

  // Why `remote` may not connect (either direction), or nullopt to allow it.
  std::optional<std::string> refuse_address(const multiformats::multiaddr& remote) const;
  // Why `peer` may not connect, or nullopt.
  std::optional<std::string> refuse_peer(const crypto::peer_id& peer) const;

  const gater_rules& rules() const noexcept { return rules_; }
  // Replaces the rules (existing connections are not re-checked).
  void set_rules(gater_rules rules) { rules_ = std::move(rules); }

 private:
  gater_rules rules_;
};

}  // namespace agentp2p::host
