// The libp2p mDNS records (https://github.com/libp2p/specs/blob/master/discovery/mdns.md),
// built and read without I/O:
//
//   query:     <service> PTR ?
//   response:  answer      <service> PTR <peer-name>.<service>
//              additional  <peer-name>.<service> SRV 0 0 <port> <peer-name>.local
//                          <peer-name>.<service> TXT "dnsaddr=<multiaddr>/p2p/<id>" ...
//                          <peer-name>.local A / AAAA <address>
//
// <service> is "_p2p._udp.local" for libp2p; go-libp2p's mdns (which
// praxis-go-sdk uses with the name "praxis-p2p-mcp") turns a service name S
// into "S.local" — so "praxis-p2p-mcp.local", without underscores. All
// dnsaddr strings go into one TXT record: go-libp2p (zeroconf) keeps only the
// last TXT record of an instance, js-libp2p reads all of them. zeroconf also
// ignores an instance without an A/AAAA record for the SRV target, hence those.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"
#include "agentp2p/protocols/mdns/dns_message.hpp"

namespace agentp2p::mdns {

inline constexpr std::string_view dnsaddr_prefix = "dnsaddr=";

// "_p2p._udp" → "_p2p._udp.local", "praxis-p2p-mcp" → "praxis-p2p-mcp.local";
// a name already ending in ".local" (or "local.") is kept (without the dot).
std::string full_service_name(std::string_view name);
// A fresh peer-name label: 32 to 63 random lowercase letters and digits.
std::string random_peer_name();

message make_query(std::string_view service);

struct announcement {
  std::string service;  // full service name
  std::string peer_name;
  std::vector<multiformats::multiaddr> addrs;  // each ends in /p2p/<our id>
  std::vector<bytes> ips;                      // A (4 bytes) / AAAA (16 bytes) addresses
  std::uint16_t port = 4001;                   // for the SRV record; libp2p reads the TXT record
  std::uint32_t ttl = 120;
};
// Addresses whose dnsaddr string would exceed a TXT string (255 bytes) are left out.
message make_response(const announcement& a);

// Whether `query` (a question, not a response) asks for `service`'s PTR
// records. Known-answer suppression (RFC 6762 §7.1): false when the query
// already lists `our_instance` with at least half of `ttl` left.
bool asks_for(const message& query, std::string_view service, std::string_view our_instance, std::uint32_t ttl);

struct found_peer {
  crypto::peer_id peer;
  std::vector<multiformats::multiaddr> addrs;  // without /p2p/
  std::string service;
  std::uint32_t ttl = 0;
};

struct read_limits {
  std::size_t max_peers_per_packet = 8;
  std::size_t max_addrs_per_peer = 16;
  std::size_t max_strings_per_packet = 64;  // dnsaddr strings parsed
};

// The peers a response announces under one of `services` (full names),
// except the instance named `own_peer_name`. Strings that are not
// "dnsaddr=<multiaddr ending in /p2p/<id>>", and relay (/p2p-circuit)
// addresses, are skipped.
std::vector<found_peer> read_response(const message& m, const std::vector<std::string>& services,
                                      std::string_view own_peer_name, const read_limits& limits = {});

}  // namespace agentp2p::mdns
