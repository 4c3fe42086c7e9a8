#include "agentp2p/host/interface_addrs.hpp"

#include <algorithm>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace agentp2p::host {

using multiformats::multiaddr;
using multiformats::protocol_code;

std::vector<multiaddr> expand_wildcard(const multiaddr& bound) {
  auto parts = bound.components();
  if (parts.empty()) return {bound};
  bool v4 = parts[0].code == protocol_code::ip4 && parts[0].value_string() == "0.0.0.0";
  bool v6 = parts[0].code == protocol_code::ip6 && parts[0].value_string() == "::";
  if (!v4 && !v6) return {bound};

  // Everything after the address component (e.g. /tcp/4001).
  multiaddr rest;
  {
    std::vector<multiformats::component> tail(parts.begin() + 1, parts.end());
    auto r = multiaddr::from_components(std::move(tail));
    if (r) rest = *r;
  }

  std::vector<multiaddr> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {bound};
  for (auto* ifa = list; ifa; ifa = ifa->ifa_next) {
    if (!ifa->ifa_addr || !(ifa->ifa_flags & IFF_UP)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    std::string prefix;
    if (v4 && ifa->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ifa->ifa_addr)->sin_addr, text, sizeof text);
      prefix = "/ip4/";
    } else if (v6 && ifa->ifa_addr->sa_family == AF_INET6) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(ifa->ifa_addr);
      // Link-local addresses need a zone to be dialable; leave them out.
      if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)) continue;
      inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
      prefix = "/ip6/";
    } else {
      continue;
    }
    auto addr = multiaddr::parse(prefix + text);
    if (!addr) continue;
    auto full = addr->encapsulate(rest);
    if (std::find(out.begin(), out.end(), full) == out.end()) out.push_back(std::move(full));
  }
  freeifaddrs(list);
  if (out.empty()) out.push_back(bound);
  return out;
}

}  // namespace agentp2p::host
