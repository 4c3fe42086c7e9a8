// The Noise CipherState (Noise spec rev 34, section 5.1) for ChaChaPoly:
// ChaCha20-Poly1305 (RFC 8439) with a 64-bit counter nonce. One OpenSSL
// context is created per key (by the first large message) and reused, and data is
// encrypted from wherever it lies to wherever it must go (in place or
// straight into the output frame), so the transport path never allocates.
//
// Two implementations of the same cipher: messages up to small_message
// bytes go through libsodium (one call, no per-message setup), larger ones
// through OpenSSL (its vectorised ChaCha20 and Poly1305 win on bulk data).
// OpenSSL 3's per-message nonce and tag calls cost more than encrypting a
// ping or a window update does.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

namespace agentp2p::noise {

inline constexpr std::size_t key_len = 32;
inline constexpr std::size_t tag_len = 16;
// Every Noise message, handshake or transport, is at most 65535 bytes.
inline constexpr std::size_t max_message_len = 65535;
inline constexpr std::size_t max_plaintext_len = max_message_len - tag_len;
// Plaintexts up to this size are sealed and opened with libsodium.
inline constexpr std::size_t small_message = 1024;

using cipher_key = std::array<std::uint8_t, key_len>;

class cipher_state {
 public:
  cipher_state() = default;
  cipher_state(cipher_state&& o) noexcept;
  cipher_state& operator=(cipher_state&& o) noexcept;
  ~cipher_state();

  // InitializeKey(k): sets the key and resets the nonce to 0.
  void initialize_key(const cipher_key& k);
  bool has_key() const noexcept { return keyed_; }
  std::uint64_t nonce() const noexcept { return n_; }
  // For tests of nonce exhaustion only.
  void set_nonce(std::uint64_t n) noexcept { n_ = n; }

  // EncryptWithAd(ad, plaintext): writes plaintext.size() + tag_len bytes to
  // `out` (which may alias plaintext.data()). Requires a key.
  result<void> encrypt_with_ad(byte_span ad, byte_span plaintext, std::uint8_t* out);
  // DecryptWithAd(ad, ciphertext): writes ciphertext.size() - tag_len bytes
  // to `out` (which may alias ciphertext.data()); crypto_error when the tag
  // does not verify (then `out` holds garbage). Requires a key.
  result<std::size_t> decrypt_with_ad(byte_span ad, byte_span ciphertext, std::uint8_t* out);

  // The same encryption, fed in pieces: begin, update* (each may write to a
  // different place), finish writes the tag. Lets a framing layer gather
  // scattered parts into one ciphertext without copying them first.
  result<void> begin_encrypt(byte_span ad);
  result<void> update_encrypt(byte_span in, std::uint8_t* out);
  result<void> finish_encrypt(std::uint8_t* tag_out);

  // DecryptWithAd for a large message (no associated data) whose plaintext
  // goes to several places: authenticate() checks the tag over the whole
  // ciphertext (Poly1305 needs only the ciphertext) and advances the nonce;
  // only then does reveal() decrypt it, in order, piece by piece, straight
  // to where each piece is wanted (no in-place pass and copy). Until the
  // next authenticate() or decrypt_with_ad(), reveal() continues the last
  // authenticated message; its pieces together must not exceed it.
  result<void> authenticate(byte_span ciphertext);
  result<void> reveal(const std::uint8_t* in, std::size_t n, std::uint8_t* out);

 private:
  struct ctx_free {
    void operator()(evp_cipher_ctx_st* c) const noexcept;
  };
  struct mac_free {
    void operator()(evp_mac_ctx_st* c) const noexcept;
  };
  result<void> bind_context();
  result<void> set_nonce_iv(bool encrypt);

  void nonce_bytes(std::uint8_t out[12]) const noexcept;

  // The OpenSSL context wipes its copy of the key when freed; key_ (for
  // libsodium) is wiped by the destructor and when moved from.
  std::unique_ptr<evp_cipher_ctx_st, ctx_free> ctx_;
  // authenticate()/reveal(): raw ChaCha20 and Poly1305, made by the first use.
  std::unique_ptr<evp_cipher_ctx_st, ctx_free> stream_ctx_;
  std::unique_ptr<evp_mac_ctx_st, mac_free> mac_ctx_;
  cipher_key key_{};
  std::uint64_t n_ = 0;
  bool keyed_ = false;
};

}  // namespace agentp2p::noise
