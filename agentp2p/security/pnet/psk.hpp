// The pre-shared key of a libp2p private network (pnet), in the swarm key
// file format of https://github.com/libp2p/specs/blob/master/pnet/Private-Networks-PSK-V1.md:
//
//   /key/swarm/psk/1.0.0/
//   /base16/
//   <64 hex digits: the 32-byte key>
//
// (go-libp2p also accepts /base64/ and /bin/ encodings; we read those too.)
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "agentp2p/base/result.hpp"

namespace agentp2p::pnet {

inline constexpr std::string_view swarm_key_header = "/key/swarm/psk/1.0.0/";

struct psk {
  std::array<std::uint8_t, 32> key{};
  bool operator==(const psk&) const = default;

  // A short, non-secret fingerprint for logs: the first 8 hex digits of
  // SHA-256 of the key, so two operators can compare keys without showing them.
  std::string fingerprint() const;
};

// Parses a swarm key file's contents (trailing whitespace and \r\n allowed).
result<psk> parse_swarm_key(std::string_view text);
// Reads and parses a swarm key file; one readable by group or others
// (mode not 0600 or stricter) is refused, naming the file and its mode.
result<psk> load_swarm_key(const std::filesystem::path& file);
// A new random key, and its file form (base16).
psk generate_psk();
std::string format_swarm_key(const psk& k);

}  // namespace agentp2p::pnet
