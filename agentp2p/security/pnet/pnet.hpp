// libp2p private networks (pnet, PSK v1): every byte of a connection, from
// the first multistream header on, is XORed with an XSalsa20 keystream keyed
// by the network's pre-shared key. Each side first sends a random 24-byte
// nonce in the clear; it encrypts what it sends with its own nonce and
// decrypts what it receives with the peer's. A peer without the key (or with
// another key) sees only noise, so its multistream negotiation fails and the
// connection is dropped before any handshake: the network is closed.
//
// Spec: https://github.com/libp2p/specs/blob/master/pnet/Private-Networks-PSK-V1.md
// XSalsa20 comes from libsodium (OpenSSL 3 has Salsa20 only in its legacy
// code, and no XSalsa20 at all).
//
// pnet only hides the network from strangers; authentication and secrecy
// between peers are still Noise's job (it runs inside the protected stream).
#pragma once

#include <memory>

#include "agentp2p/core/byte_stream.hpp"
#include "agentp2p/security/pnet/psk.hpp"

namespace agentp2p::pnet {

inline constexpr std::size_t nonce_size = 24;

// Exchanges nonces over `raw` and returns the protected stream wrapping it.
// The caller bounds the exchange with its handshake deadline.
awaitable<result<std::unique_ptr<core::byte_stream>>> protect(std::unique_ptr<core::byte_stream> raw, const psk& key);

// The hint appended to errors of a handshake that runs over a protected
// stream and fails to make sense of the peer's bytes.
inline constexpr std::string_view mismatch_hint =
    " (private network: does the peer use the same swarm key? a peer with another key, or none, sends only noise)";

// XSalsa20 keystream at a byte position (exposed for the test vectors).
class xsalsa20 {
 public:
  xsalsa20(const psk& key, const std::array<std::uint8_t, nonce_size>& nonce);
  ~xsalsa20();
  // XORs the next data.size() bytes of keystream into `data`.
  void apply(std::span<std::uint8_t> data);
  std::uint64_t position() const noexcept { return pos_; }

 private:
  std::array<std::uint8_t, 32> key_;
  std::array<std::uint8_t, nonce_size> nonce_;
  std::array<std::uint8_t, 64> block_{};  // keystream of the block containing pos_ (when pos_ % 64 != 0)
  std::uint64_t pos_ = 0;
};

}  // namespace agentp2p::pnet
