// The multiaddr protocol table: https://github.com/multiformats/multiaddr/blob/master/protocols.csv
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::multiformats {

// protocol_info::size for values carried with a varint length prefix.
inline constexpr int variable_size = -1;

struct protocol_info {
  protocol_code code;
  std::string_view name;
  int size;           // value size in bytes: 0 none, > 0 fixed, variable_size
  bool path = false;  // the string value is the rest of the address (unix)
};

// nullptr when unknown. Lookup by name accepts the legacy alias "ipfs" for p2p.
const protocol_info* protocol_by_code(std::uint64_t code) noexcept;
const protocol_info* protocol_by_name(std::string_view name) noexcept;
// Every protocol this library understands, in code order.
std::span<const protocol_info> known_protocols() noexcept;

}  // namespace agentp2p::multiformats
