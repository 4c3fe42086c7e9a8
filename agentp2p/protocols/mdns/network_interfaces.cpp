#include "agentp2p/protocols/mdns/network_interfaces.hpp"

#include <algorithm>
#include <cstring>

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace agentp2p::mdns {

std::vector<network_interface> list_interfaces() {
  std::vector<network_interface> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (auto* ifa = list; ifa; ifa = ifa->ifa_next) {
    if (!ifa->ifa_name) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const network_interface& n) { return n.name == ifa->ifa_name; });
    if (it == out.end()) {
      network_interface n;
      n.name = ifa->ifa_name;
      n.index = if_nametoindex(ifa->ifa_name);
      out.push_back(std::move(n));
      it = std::prev(out.end());
    }
    it->up = it->up || (ifa->ifa_flags & IFF_UP);
    it->loopback = it->loopback || (ifa->ifa_flags & IFF_LOOPBACK);
    if (!ifa->ifa_addr) continue;
    if (ifa->ifa_addr->sa_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr);
      const auto* p = reinterpret_cast<const std::uint8_t*>(&a->sin_addr);
      it->ipv4.emplace_back(p, p + 4);
    } else if (ifa->ifa_addr->sa_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr);
      it->has_ipv6 = true;
      if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr)) continue;
      const auto* p = reinterpret_cast<const std::uint8_t*>(&a->sin6_addr);
      it->ipv6.emplace_back(p, p + 16);
    }
  }
  freeifaddrs(list);
  return out;
}

std::optional<network_interface> find_interface(std::string_view name) {
  for (auto& n : list_interfaces())
    if (n.name == name) return n;
  return std::nullopt;
}

}  // namespace agentp2p::mdns
