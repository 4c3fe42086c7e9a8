#include "agentp2p/multiformats/protocols.hpp"

#include <array>

namespace agentp2p::multiformats {
namespace {

using pc = protocol_code;

// Sizes from protocols.csv (there in bits, here in bytes).
constexpr std::array table{
    protocol_info{pc::ip4, "ip4", 4},
    protocol_info{pc::tcp, "tcp", 2},
    protocol_info{pc::dccp, "dccp", 2},
    protocol_info{pc::ip6, "ip6", 16},
    protocol_info{pc::ip6zone, "ip6zone", variable_size},
    protocol_info{pc::ipcidr, "ipcidr", 1},
    protocol_info{pc::dns, "dns", variable_size},
    protocol_info{pc::dns4, "dns4", variable_size},
    protocol_info{pc::dns6, "dns6", variable_size},
    protocol_info{pc::dnsaddr, "dnsaddr", variable_size},
    protocol_info{pc::sctp, "sctp", 2},
    protocol_info{pc::udp, "udp", 2},
    protocol_info{pc::p2p_webrtc_star, "p2p-webrtc-star", 0},
    protocol_info{pc::p2p_webrtc_direct, "p2p-webrtc-direct", 0},
    protocol_info{pc::webrtc_direct, "webrtc-direct", 0},
    protocol_info{pc::webrtc, "webrtc", 0},
    protocol_info{pc::p2p_circuit, "p2p-circuit", 0},
    protocol_info{pc::udt, "udt", 0},
    protocol_info{pc::utp, "utp", 0},
    protocol_info{pc::unix_path, "unix", variable_size, true},
    protocol_info{pc::p2p, "p2p", variable_size},
    protocol_info{pc::https, "https", 0},
    protocol_info{pc::onion, "onion", 12},
    protocol_info{pc::onion3, "onion3", 37},
    protocol_info{pc::garlic64, "garlic64", variable_size},
    protocol_info{pc::garlic32, "garlic32", variable_size},
    protocol_info{pc::tls, "tls", 0},
    protocol_info{pc::sni, "sni", variable_size},
    protocol_info{pc::noise, "noise", 0},
    protocol_info{pc::quic, "quic", 0},
    protocol_info{pc::quic_v1, "quic-v1", 0},
    protocol_info{pc::webtransport, "webtransport", 0},
    protocol_info{pc::certhash, "certhash", variable_size},
    protocol_info{pc::ws, "ws", 0},
    protocol_info{pc::wss, "wss", 0},
    protocol_info{pc::p2p_websocket_star, "p2p-websocket-star", 0},
    protocol_info{pc::http, "http", 0},
    protocol_info{pc::http_path, "http-path", variable_size},
    protocol_info{pc::memory, "memory", 8},
};

}  // namespace

const protocol_info* protocol_by_code(std::uint64_t code) noexcept {
  for (const auto& p : table)
    if (static_cast<std::uint64_t>(p.code) == code) return &p;
  return nullptr;
}

const protocol_info* protocol_by_name(std::string_view name) noexcept {
  if (name == "ipfs") name = "p2p";  // pre-2018 spelling, still in old configs
  for (const auto& p : table)
    if (p.name == name) return &p;
  return nullptr;
}

std::span<const protocol_info> known_protocols() noexcept { return table; }

}  // namespace agentp2p::multiformats
