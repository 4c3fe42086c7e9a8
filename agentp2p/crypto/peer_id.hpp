// Peer IDs: the multihash of a protobuf-encoded public key (identity multihash
// when the encoding is at most 42 bytes, sha2-256 otherwise).
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/keys.hpp"

namespace agentp2p::crypto {

class peer_id {
 public:
  static peer_id from_public_key(const public_key& key);
  // The multihash bytes (as carried in /p2p/ multiaddrs and identify).
  static result<peer_id> from_bytes(byte_span multihash);
  // Base58btc ("12D3KooW...", "Qm...") or CIDv1 with the libp2p-key codec ("bafz...", any multibase).
  static result<peer_id> parse(std::string_view text);

  const bytes& to_bytes() const noexcept { return multihash_; }
  std::string to_base58() const;      // the canonical text form
  std::string to_cid_string() const;  // CIDv1 libp2p-key, base32
  std::string to_string() const { return to_base58(); }
  // A short form for logs: last 6 characters of the base58 form.
  std::string short_string() const;

  // The public key when it is inlined (identity multihash), e.g. Ed25519.
  std::optional<public_key> extract_public_key() const;
  // True when `key` hashes to this peer id.
  bool matches(const public_key& key) const;

  auto operator<=>(const peer_id&) const = default;
  bool operator==(const peer_id&) const = default;

 private:
  explicit peer_id(bytes mh) : multihash_(std::move(mh)) {}
  bytes multihash_;
};

}  // namespace agentp2p::crypto

template <>
struct std::hash<agentp2p::crypto::peer_id> {
  std::size_t operator()(const agentp2p::crypto::peer_id& p) const noexcept;
};
