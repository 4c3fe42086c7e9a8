// Multihash: https://github.com/multiformats/multihash
#pragma once

#include <cstddef>
#include <cstdint>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::multiformats {

enum class hash_code : std::uint64_t { identity = 0x00, sha2_256 = 0x12 };

// Largest digest from_bytes accepts. Peer ids inline keys up to 42 bytes and
// sha2-512 digests are 64; the cap keeps a peer from making us hold megabytes.
inline constexpr std::size_t max_digest_size = 128;

struct multihash {
  std::uint64_t code;
  bytes digest;

  static multihash identity(byte_span data);
  // Wraps a digest computed elsewhere (hashing lives in crypto/, so this
  // layer stays free of OpenSSL): multihash::from_digest(hash_code::sha2_256, crypto::sha256(x)).
  static multihash from_digest(hash_code code, byte_span digest);
  // Validates the varint header and that the digest length matches; rejects
  // trailing bytes, digests over max_digest_size, and sha2-256 digests that are
  // not 32 bytes. Other hash codes are accepted (CIDs may use them).
  static result<multihash> from_bytes(byte_span binary);
  bytes to_bytes() const;
  bool operator==(const multihash&) const = default;
};

}  // namespace agentp2p::multiformats
