// The machine's network interfaces and their addresses (getifaddrs).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/bytes.hpp"

namespace agentp2p::mdns {

struct network_interface {
  std::string name;
  unsigned index = 0;
  bool up = false;
  bool loopback = false;
  std::vector<bytes> ipv4;  // 4 bytes each
  std::vector<bytes> ipv6;  // 16 bytes each, link-local ones left out (not dialable without a zone)
  bool has_ipv6 = false;    // any IPv6 address, link-local included (ff02::fb works there)
};

std::vector<network_interface> list_interfaces();
std::optional<network_interface> find_interface(std::string_view name);

}  // namespace agentp2p::mdns
