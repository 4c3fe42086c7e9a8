// mDNS discovery settings, with their defaults. The daemon maps its YAML keys
// onto these: mdns.enabled → (start or not), mdns.interfaces → interfaces,
// mdns.service_names → service_names.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace agentp2p::mdns {

struct config {
  // Network interfaces (by name, e.g. "eth0", "lo") to query and answer on.
  // Empty: the service sends and answers nothing. Never defaulted to "all
  // interfaces" here: the daemon chooses its own default.
  std::vector<std::string> interfaces;
  // DNS-SD service names we browse for and answer to. A name without
  // ".local" gets it appended, as go-libp2p does: "_p2p._udp" is the libp2p
  // standard (js-libp2p, go-libp2p, rust-libp2p), "praxis-p2p-mcp" is what
  // praxis-go-sdk passes to go-libp2p's mdns.
  std::vector<std::string> service_names = {"_p2p._udp", "praxis-p2p-mcp"};
  // How often we ask; the first query goes out at start.
  std::chrono::milliseconds query_interval{std::chrono::seconds(10)};
  // TTL of the records we announce (seconds). js-libp2p uses 120.
  std::uint32_t ttl = 120;
  // Our answer for one service on one interface is multicast at most this
  // often (RFC 6762 §6: one second); queries meanwhile are served by it.
  std::chrono::milliseconds min_answer_interval{std::chrono::seconds(1)};
  // Inbound packets handled per second, over all interfaces and per source
  // address; the rest is dropped unread.
  std::size_t max_packets_per_second = 500;
  std::size_t max_packets_per_source_per_second = 50;
  // Discovered peers acted upon (peer store, event, dial) per second, and
  // how many may wait for their turn; further ones are dropped (they are
  // announced again at the next query).
  std::size_t max_discoveries_per_second = 20;
  std::size_t max_pending_discoveries = 256;
  // A peer already acted upon is not acted upon again for this long unless
  // its connection is gone (then again after this long): no dial storms.
  std::chrono::milliseconds rediscovery_interval{std::chrono::seconds(30)};
  // Addresses announced per interface, and accepted per discovered peer.
  std::size_t max_addrs = 16;
  // Also use ff02::fb on interfaces that have IPv6.
  bool ipv6 = true;
  // Dial discovered peers (through the host, which shares concurrent dials).
  bool dial = true;
  // The instance label; empty = random, 32-63 characters (as go and js do).
  std::string peer_name;
  // UDP port; 5353 on real networks (tests on loopback may pick another).
  std::uint16_t port = 5353;
};

}  // namespace agentp2p::mdns
