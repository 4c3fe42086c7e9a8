// X25519 (RFC 7748) key pairs and Diffie-Hellman for the Noise "25519" DH
// functions, via OpenSSL.
#pragma once

#include <array>
#include <cstdint>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::noise {

inline constexpr std::size_t dh_len = 32;
using dh_key = std::array<std::uint8_t, dh_len>;

struct x25519_keypair {
  dh_key private_key{};
  dh_key public_key{};

  // A fresh key pair from the OS CSPRNG.
  static x25519_keypair generate();
  // The key pair whose private key is `priv` (test vectors, fuzzers).
  static x25519_keypair from_private(const dh_key& priv);

  x25519_keypair() = default;
  x25519_keypair(const x25519_keypair&) = default;
  x25519_keypair& operator=(const x25519_keypair&) = default;
  ~x25519_keypair();  // wipes the private key
};

// DH(priv, pub). Fails (crypto_error) when the result is all zeros, i.e. the
// remote sent a low-order point: a peer has no honest reason to do that.
result<dh_key> x25519(const dh_key& priv, byte_span remote_public);

}  // namespace agentp2p::noise
