// Kademlia DHT message codec (the `Message` protobuf of the kad-dht spec):
// pure, no I/O, unit-tested and fuzzed. Every count and size read from the
// network is capped; entries that do not parse (a peer id that is not a
// multihash, an address we cannot read) are skipped and counted, so a reply
// that is partly garbage still yields its good part and the caller can log
// how much was thrown away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::kad {

enum class message_type : std::uint8_t {
  put_value = 0,
  get_value = 1,
  add_provider = 2,
  get_providers = 3,
  find_node = 4,
  ping = 5,
};
std::string_view to_string(message_type t) noexcept;

enum class connection_type : std::uint8_t { not_connected = 0, connected = 1, can_connect = 2, cannot_connect = 3 };

// A peer as carried in closerPeers / providerPeers.
struct peer_info {
  crypto::peer_id id;
  std::vector<multiformats::multiaddr> addrs;
  connection_type connection = connection_type::not_connected;
};

struct record {
  bytes key;
  bytes value;
  std::string time_received;  // RFC 3339, set by the receiver; informational
  bool operator==(const record&) const = default;
};

struct message {
  message_type type = message_type::ping;
  bytes key;
  std::optional<kad::record> rec;
  std::vector<peer_info> closer_peers;
  std::vector<peer_info> provider_peers;
};

struct wire_limits {
  // One message on the wire (checked by the reader before the payload arrives).
  std::size_t max_message_size = 1024 * 1024;
  std::size_t max_key_size = 1024;
  std::size_t max_value_size = 256 * 1024;
  // Entries kept per peer list; the rest are dropped (and counted).
  std::size_t max_peers_per_list = 64;
  std::size_t max_addrs_per_peer = 16;
};

// What decode threw away (for log lines; never an error by itself).
struct decode_report {
  std::size_t dropped_peers = 0;  // over the cap, or with an unreadable id
  std::size_t dropped_addrs = 0;  // over the cap, or unreadable
};

bytes encode(const message& m);
// errc::decode_error for malformed protobuf or an unknown message type;
// errc::too_large for a key or value over the limits.
result<message> decode(byte_span data, const wire_limits& limits, decode_report* report = nullptr);

bytes encode_record(const record& r);

}  // namespace agentp2p::kad
