// Command-line flags of go-libp2p-daemon's `p2pd`, parsed the way Go's `flag`
// package does (so scripts written for p2pd run unchanged): `-name value`,
// `-name=value`, `--name`, booleans as `-name` or `-name=true|false`; parsing
// stops at `--` or the first argument that is not a flag.
//
// The flags a feature we do not have would need (TLS, QUIC, pubsub, mplex,
// relay hop, NAT port mapping, ...) are refused with a message naming them,
// rather than silently ignored.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/result.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::p2pd {

enum class dht_mode { off, client, server };
enum class security { noise, plaintext };

struct options {
  // -listen: the control endpoint, /unix/<path> or /ip4|ip6/<loopback>/tcp/<port>.
  multiformats::multiaddr control;
  // -id: a protobuf-encoded libp2p private key (Ed25519, secp256k1, ECDSA,
  // RSA); a fresh Ed25519 key when absent.
  std::optional<std::filesystem::path> identity;
  // -hostAddrs (comma separated); -noListenAddrs empties it.
  std::vector<multiformats::multiaddr> host_addrs;
  bool no_listen = false;
  // -announceAddrs: what identify and IDENTIFY report instead of the listen addresses.
  std::vector<multiformats::multiaddr> announce_addrs;
  // -dht / -dhtServer: server mode; -dhtClient: client mode.
  p2pd::dht_mode dht = dht_mode::off;
  // -noise, -plaintext (in order of preference; noise when neither is given).
  std::vector<p2pd::security> security;
  // -bootstrapPeers (comma separated, with /p2p/) and -b (connect to them at start).
  std::vector<multiformats::multiaddr> bootstrap_peers;
  bool bootstrap = false;
  // -q: no start-up banner on stdout.
  bool quiet = false;
};

struct parsed_options {
  options opts;
  bool help = false;  // -h / -help: print usage(), exit 0
};

// errc::invalid_argument with a message naming the flag.
result<parsed_options> parse_options(std::span<const std::string_view> args);
std::string usage();

}  // namespace agentp2p::p2pd
