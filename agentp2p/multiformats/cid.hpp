// CID v1 (and v0 parsing): https://github.com/multiformats/cid
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agentp2p/base/result.hpp"
#include "agentp2p/multiformats/multibase.hpp"
#include "agentp2p/multiformats/multihash.hpp"

namespace agentp2p::multiformats {

// Multicodec codes used in CIDs.
namespace codec {
inline constexpr std::uint64_t raw = 0x55;
inline constexpr std::uint64_t dag_pb = 0x70;
inline constexpr std::uint64_t dag_cbor = 0x71;
inline constexpr std::uint64_t libp2p_key = 0x72;
}  // namespace codec

struct cid {
  std::uint64_t version = 1;
  std::uint64_t content_codec = codec::raw;
  multihash hash;

  // v1 binary, or a bare 34-byte sha2-256 multihash (v0: version 0, dag-pb).
  static result<cid> from_bytes(byte_span binary);
  // Multibase-prefixed v1 text, or a v0 "Qm..." base58 string.
  static result<cid> parse(std::string_view text);
  // A v0 CID (version 0) is written as its bare multihash; it must hold a
  // sha2-256 digest to read back.
  bytes to_bytes() const;
  // v1: multibase text in `b`; v0: bare base58btc ("Qm..."), `b` ignored.
  std::string to_string(base b = base::base32) const;
  bool operator==(const cid&) const = default;
};

}  // namespace agentp2p::multiformats
