// The Noise cipher's two implementations (small messages: libsodium's
// ChaCha20 + our Poly1305; large: OpenSSL) against libsodium's
// ChaCha20-Poly1305 AEAD, byte for byte, and our Poly1305 against
// libsodium's on inputs that stress its carries and final reduction.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <random>
#include <vector>

#include "agentp2p/security/noise/chacha20.hpp"
#include "agentp2p/security/noise/cipher_state.hpp"
#include "agentp2p/security/noise/poly1305.hpp"

using namespace agentp2p;

namespace {

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

std::vector<std::uint8_t> reference_seal(const noise::cipher_key& key, std::uint64_t nonce,
                                         const std::vector<std::uint8_t>& plain) {
  std::uint8_t iv[12] = {};
  for (int i = 0; i < 8; ++i) iv[4 + i] = static_cast<std::uint8_t>(nonce >> (8 * i));
  std::vector<std::uint8_t> out(plain.size() + noise::tag_len);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(out.data(), out.data() + plain.size(), nullptr, plain.data(),
                                                     plain.size(), nullptr, 0, nullptr, iv, key.data());
  return out;
}

}  // namespace

TEST(noise_cipher, every_size_matches_the_reference_aead) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937_64 rng(7);
  for (std::size_t size = 0; size <= 1100; size += (size < 80 ? 1 : 13)) {
    noise::cipher_key key;
    auto k = random_bytes(rng, key.size());
    std::copy(k.begin(), k.end(), key.begin());
    noise::cipher_state tx, rx;
    tx.initialize_key(key);
    rx.initialize_key(key);
    const std::uint64_t nonce = rng() % 1000;
    tx.set_nonce(nonce);
    rx.set_nonce(nonce);
    auto plain = random_bytes(rng, size);
    std::vector<std::uint8_t> sealed(size + noise::tag_len);
    ASSERT_TRUE(tx.encrypt_with_ad({}, plain, sealed.data()));
    EXPECT_EQ(sealed, reference_seal(key, nonce, plain)) << "size " << size;
    std::vector<std::uint8_t> opened(size);
    auto n = rx.decrypt_with_ad({}, sealed, opened.data());
    ASSERT_TRUE(n) << "size " << size;
    EXPECT_EQ(*n, size);
    EXPECT_EQ(opened, plain);
    // In place, as the Noise stream does it.
    noise::cipher_state tx2;
    tx2.initialize_key(key);
    tx2.set_nonce(nonce);
    auto inplace = plain;
    inplace.resize(size + noise::tag_len);
    ASSERT_TRUE(tx2.encrypt_with_ad({}, byte_span(inplace.data(), size), inplace.data()));
    EXPECT_EQ(inplace, sealed);
  }
}

TEST(noise_cipher, any_flipped_bit_fails_to_decrypt) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937_64 rng(11);
  noise::cipher_key key{};
  key[0] = 1;
  for (std::size_t size : {0u, 1u, 44u, 1024u}) {
    auto plain = random_bytes(rng, size);
    auto sealed = reference_seal(key, 0, plain);
    for (std::size_t bit = 0; bit < sealed.size() * 8; bit += 7) {
      auto bad = sealed;
      bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      noise::cipher_state rx;
      rx.initialize_key(key);
      std::vector<std::uint8_t> out(size);
      EXPECT_FALSE(rx.decrypt_with_ad({}, bad, out.data())) << "size " << size << " bit " << bit;
    }
  }
}

TEST(noise_cipher, poly1305_matches_the_reference_on_extreme_inputs) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937_64 rng(13);
  for (int round = 0; round < 400; ++round) {
    std::uint8_t key[32];
    const int kind = round % 4;
    for (auto& b : key) b = kind == 0 ? 0xff : kind == 1 ? 0 : static_cast<std::uint8_t>(rng());
    const std::size_t blocks = 1 + static_cast<std::size_t>(rng() % 40);
    std::vector<std::uint8_t> msg(blocks * 16);
    for (auto& b : msg) b = round % 3 == 0 ? 0xff : round % 3 == 1 ? static_cast<std::uint8_t>(rng()) : 0;
    std::uint8_t ours[16], theirs[16];
    {
      noise::detail::poly1305 mac(key);
      mac.blocks(msg.data(), msg.size());
      mac.finish(ours);
    }
    crypto_onetimeauth_poly1305(theirs, msg.data(), msg.size(), key);
    EXPECT_EQ(0, std::memcmp(ours, theirs, 16)) << "round " << round;
  }
}

// authenticate() + reveal(): the large-message path the Noise stream uses
// when a frame is read in pieces.
TEST(noise_cipher, authenticated_then_revealed_in_pieces_matches_the_reference) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937_64 rng(17);
  noise::cipher_key key;
  auto k = random_bytes(rng, key.size());
  std::copy(k.begin(), k.end(), key.begin());
  noise::cipher_state rx;
  rx.initialize_key(key);
  for (std::uint64_t nonce = 0; nonce < 6; ++nonce) {
    const std::size_t size = nonce == 0 ? 1025 : noise::max_plaintext_len - nonce * 999;
    auto plain = random_bytes(rng, size);
    auto sealed = reference_seal(key, nonce, plain);
    ASSERT_TRUE(rx.authenticate(sealed));
    EXPECT_EQ(rx.nonce(), nonce + 1);
    std::vector<std::uint8_t> out(size);
    // Pieces of odd sizes, crossing ChaCha20's 64-byte blocks.
    std::size_t at = 0;
    for (std::size_t piece = 12; at < size; piece = piece * 3 + 1) {
      const std::size_t n = std::min(piece, size - at);
      ASSERT_TRUE(rx.reveal(sealed.data() + at, n, out.data() + at));
      at += n;
    }
    EXPECT_EQ(out, plain) << "size " << size;
  }
  // A flipped bit anywhere fails before anything is revealed.
  auto plain = random_bytes(rng, 5000);
  auto sealed = reference_seal(key, rx.nonce(), plain);
  for (std::size_t i : {std::size_t{0}, std::size_t{2500}, sealed.size() - 1}) {
    auto bad = sealed;
    bad[i] ^= 0x20;
    noise::cipher_state other;
    other.initialize_key(key);
    other.set_nonce(rx.nonce());
    EXPECT_FALSE(other.authenticate(bad)) << "byte " << i;
  }
  EXPECT_TRUE(rx.authenticate(sealed));
}

TEST(noise_cipher, chacha20_matches_libsodium_for_every_length) {
  ASSERT_GE(sodium_init(), 0);
  std::mt19937_64 rng(19);
  for (std::size_t len = 0; len <= 1100; ++len) {
    auto key = random_bytes(rng, 32);
    auto nonce = random_bytes(rng, 12);
    auto data = random_bytes(rng, len);
    auto ours = data, theirs = data;
    theirs.reserve(len + 1);  // libsodium declares its pointers nonnull; an empty vector's data() is null
    noise::detail::chacha20_xor(ours.data(), len, nonce.data(), key.data());
    crypto_stream_chacha20_ietf_xor(theirs.data(), theirs.data(), len, nonce.data(), key.data());
    ASSERT_EQ(ours, theirs) << "length " << len << (noise::detail::chacha20_uses_avx2() ? " (AVX2)" : "");
  }
}
