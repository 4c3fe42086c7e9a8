#include "agentp2p/host/gater.hpp"

#include <algorithm>
#include <arpa/inet.h>

namespace agentp2p::host {

using multiformats::protocol_code;

namespace {

bool prefix_matches(const std::uint8_t* net, const std::uint8_t* ip, unsigned prefix) {
  const unsigned full = prefix / 8, rest = prefix % 8;
  if (!std::equal(net, net + full, ip)) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (net[full] & mask) == (ip[full] & mask);
}

bool is_v4_mapped(const std::uint8_t* ip6) {
  static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(mapped, mapped + 12, ip6);
}

}  // namespace

result<ip_network> ip_network::parse(std::string_view cidr) {
  ip_network n;
  std::string_view host = cidr;
  std::optional<unsigned> prefix;
  if (auto slash = cidr.find('/'); slash != std::string_view::npos) {
    host = cidr.substr(0, slash);
    auto digits = cidr.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), ::isdigit))
      return make_error(errc::invalid_argument, "invalid prefix length in \"" + std::string(cidr) + "\"");
    prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
  }
  const std::string text(host);
  if (inet_pton(AF_INET, text.c_str(), n.addr.data()) == 1) {
    n.v6 = false;
  } else if (inet_pton(AF_INET6, text.c_str(), n.addr.data()) == 1) {
    n.v6 = true;
  } else {
    return make_error(errc::invalid_argument, "\"" + std::string(cidr) + "\" is not an IP address or CIDR network");
  }
  const unsigned bits = n.v6 ? 128 : 32;
  n.prefix = prefix.value_or(bits);
  if (n.prefix > bits)
    return make_error(errc::invalid_argument, "prefix length of \"" + std::string(cidr) + "\" exceeds " +
                                                  std::to_string(bits));
  // Canonical: clear the host bits, so to_string shows the network.
  for (unsigned i = n.prefix; i < bits; ++i) n.addr[i / 8] &= static_cast<std::uint8_t>(~(0x80 >> (i % 8)));
  return n;
}

bool ip_network::contains(bool is_v6, const std::uint8_t* ip) const {
  if (is_v6 && !v6 && is_v4_mapped(ip)) return prefix_matches(addr.data(), ip + 12, prefix);
  if (is_v6 != v6) return false;
  return prefix_matches(addr.data(), ip, prefix);
}

std::string ip_network::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

std::optional<std::string> gater::refuse_address(const multiformats::multiaddr& remote) const {
  if (rules_.allow_networks.empty() && rules_.deny_networks.empty()) return std::nullopt;
  bool v6 = false;
  auto ip = remote.find(protocol_code::ip4);
  if (!ip) {
    ip = remote.find(protocol_code::ip6);
    v6 = true;
  }
  if (!ip || ip->value.size() != (v6 ? 16u : 4u)) return std::nullopt;
  for (const auto& n : rules_.deny_networks)
    if (n.contains(v6, ip->value.data())) return "address " + remote.to_string() + " is in denied network " + n.to_string();
  if (!rules_.allow_networks.empty() &&
      std::none_of(rules_.allow_networks.begin(), rules_.allow_networks.end(),
                   [&](const ip_network& n) { return n.contains(v6, ip->value.data()); }))
    return "address " + remote.to_string() + " is in no allowed network";
  return std::nullopt;
}

std::optional<std::string> gater::refuse_peer(const crypto::peer_id& peer) const {
  const auto& deny = rules_.deny_peers;
  if (std::find(deny.begin(), deny.end(), peer) != deny.end()) return "peer " + peer.to_string() + " is denied";
  const auto& allow = rules_.allow_peers;
  if (!allow.empty() && std::find(allow.begin(), allow.end(), peer) == allow.end())
    return "peer " + peer.to_string() + " is not on the allow list";
  return std::nullopt;
}

}  // namespace agentp2p::host
