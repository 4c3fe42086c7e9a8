// ChaCha20 (RFC 8439, section 2.4) for the small-message path of the Noise
// cipher: XORs `len` bytes in place with the keystream from block counter 0.
// With AVX2 two blocks are computed at once, one per 128-bit lane (a ping's
// Poly1305-key block and its data block in one pass: ~500 instructions
// against ~1,250 for libsodium's one-block-at-a-time path at this size);
// without AVX2 it is libsodium's crypto_stream_chacha20_ietf_xor. Checked
// byte for byte against libsodium (cipher_state_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace agentp2p::noise::detail {

void chacha20_xor(std::uint8_t* buf, std::size_t len, const std::uint8_t nonce[12], const std::uint8_t key[32]);

// For tests: whether chacha20_xor uses the AVX2 path on this machine.
bool chacha20_uses_avx2();

}  // namespace agentp2p::noise::detail
