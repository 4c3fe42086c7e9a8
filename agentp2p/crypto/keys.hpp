// libp2p keys per https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md
// Public keys of all four types verify signatures (so peers with any of
// these identities can connect); private keys sign. Ed25519 is our default.
#pragma once

#include <cstdint>
#include <memory>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::crypto {

// Values of the KeyType enum in the libp2p keys protobuf.
enum class key_type : std::uint8_t { rsa = 0, ed25519 = 1, secp256k1 = 2, ecdsa = 3 };

std::string_view to_string(key_type t) noexcept;

class public_key {
 public:
  // `data` is the type-specific encoding carried in the protobuf Data field:
  // ed25519 raw 32 bytes, secp256k1 33-byte compressed point, RSA/ECDSA DER
  // SubjectPublicKeyInfo (PKIX).
  static result<public_key> from_raw(key_type type, byte_span data);
  // Deterministic protobuf `PublicKey { Type, Data }`; rejects unknown types,
  // missing fields and RSA keys outside 2048..8192 bits.
  static result<public_key> from_protobuf(byte_span encoded);
  bytes to_protobuf() const;

  key_type type() const noexcept { return type_; }
  const bytes& raw() const noexcept { return data_; }

  // Verifies per key type: ed25519 (pure), secp256k1 and ECDSA P-256 over
  // SHA-256 of msg with a DER signature, RSA PKCS#1 v1.5 with SHA-256.
  bool verify(byte_span message, byte_span signature) const;

  bool operator==(const public_key&) const = default;

 private:
  public_key(key_type t, bytes d) : type_(t), data_(std::move(d)) {}
  key_type type_ = key_type::ed25519;
  bytes data_;
};

class private_key {
 public:
  static private_key generate_ed25519();
  // Non-default identities, used by tests and by users who bring their own keys.
  static private_key generate_secp256k1();
  static private_key generate_ecdsa_p256();
  static result<private_key> generate_rsa(unsigned bits = 2048);

  // protobuf `PrivateKey { Type, Data }`: ed25519 64 bytes (seed || public),
  // secp256k1 32-byte scalar, RSA PKCS#1 DER, ECDSA SEC1/DER.
  static result<private_key> from_protobuf(byte_span encoded);
  bytes to_protobuf() const;

  key_type type() const noexcept;
  const crypto::public_key& public_key() const noexcept;
  result<bytes> sign(byte_span message) const;

  // Copies share the immutable OpenSSL key. A moved-from private_key may
  // only be assigned to or destroyed.
  private_key(private_key&&) noexcept;
  private_key& operator=(private_key&&) noexcept;
  private_key(const private_key&);
  private_key& operator=(const private_key&);
  ~private_key();

  struct impl;

 private:
  explicit private_key(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace agentp2p::crypto
