// Identify message codec: pure, no I/O (unit-tested and fuzzed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::identify {

// One Identify message. Optional fields stay empty when absent, so a push
// can update only what it carries.
struct message {
  std::optional<std::string> protocol_version;
  std::optional<std::string> agent_version;
  std::optional<crypto::public_key> public_key;
  std::vector<multiformats::multiaddr> listen_addrs;
  std::optional<multiformats::multiaddr> observed_addr;
  std::vector<std::string> protocols;
  bool has_protocols = false;  // an empty list is distinct from "not sent"
  bool has_listen_addrs = false;
};

bytes encode(const message& m);
// Malformed addresses inside are skipped (peers send addresses of transports
// we do not know); a malformed message or public key is an error.
result<message> decode(byte_span data);
// Merges a later message into an earlier one (go-libp2p splits large ones).
void merge(message& into, message&& from);

}  // namespace agentp2p::identify
