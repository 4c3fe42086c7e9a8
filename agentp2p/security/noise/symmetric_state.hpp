// The Noise SymmetricState (Noise spec rev 34, section 5.2) with SHA-256:
// the chaining key ck, the handshake hash h and the handshake CipherState.
#pragma once

#include <array>
#include <string_view>
#include <utility>

#include "agentp2p/security/noise/cipher_state.hpp"

namespace agentp2p::noise {

inline constexpr std::size_t hash_len = 32;
using hash_value = std::array<std::uint8_t, hash_len>;

class symmetric_state {
 public:
  explicit symmetric_state(std::string_view protocol_name);
  symmetric_state(symmetric_state&&) noexcept = default;
  symmetric_state& operator=(symmetric_state&&) noexcept = default;
  ~symmetric_state();  // wipes ck and h

  void mix_hash(byte_span data);
  void mix_key(byte_span input_key_material);

  bool has_key() const noexcept { return cipher_.has_key(); }
  const hash_value& handshake_hash() const noexcept { return h_; }

  // EncryptAndHash: appends the ciphertext of `plaintext` to `out` (the
  // plaintext itself while there is no key yet) and mixes it into h.
  result<void> encrypt_and_hash(byte_span plaintext, bytes& out);
  // DecryptAndHash: appends the plaintext of `ciphertext` to `out`.
  result<void> decrypt_and_hash(byte_span ciphertext, bytes& out);

  // Split(): the two transport CipherStates, initiator→responder first.
  std::pair<cipher_state, cipher_state> split();

 private:
  hash_value ck_{};
  hash_value h_{};
  cipher_state cipher_;
};

// HKDF as defined by Noise (HMAC-SHA256 based, two outputs), exposed for tests.
std::pair<hash_value, hash_value> hkdf2(const hash_value& chaining_key, byte_span input_key_material);

}  // namespace agentp2p::noise
