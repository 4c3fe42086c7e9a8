// Poly1305 (RFC 8439, section 2.5) for the small-message path of the Noise
// cipher: 64-bit arithmetic with three 44/44/42-bit limbs, full 16-byte
// blocks only (the AEAD pads everything it authenticates to 16 bytes).
//
// Why not libsodium's: for a ping-sized message its init/update/final and
// state wiping cost about 1,250 instructions, this about 250. Constant time:
// no branch or index depends on the key or the data; the final reduction
// selects with a mask. Checked against libsodium on random and extreme
// inputs (noise_test.cpp).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace agentp2p::noise::detail {

static_assert(std::endian::native == std::endian::little, "poly1305.hpp loads limbs little-endian");

class poly1305 {
 public:
  // key: 32 bytes, r (clamped here) then s.
  explicit poly1305(const std::uint8_t* key) noexcept {
    const std::uint64_t t0 = load64(key), t1 = load64(key + 8);
    r0_ = t0 & 0xffc0fffffffULL;
    r1_ = ((t0 >> 44) | (t1 << 20)) & 0xfffffc0ffffULL;
    r2_ = (t1 >> 24) & 0x00ffffffc0fULL;
    s1_ = r1_ * (5 << 2);
    s2_ = r2_ * (5 << 2);
    pad0_ = load64(key + 16);
    pad1_ = load64(key + 24);
  }
  ~poly1305() { wipe(); }  // the one-time key must not outlive the message
  poly1305(const poly1305&) = delete;
  poly1305& operator=(const poly1305&) = delete;

  // Absorbs n / 16 full blocks (n a multiple of 16).
  void blocks(const std::uint8_t* m, std::size_t n) noexcept {
    using u128 = unsigned __int128;
    constexpr std::uint64_t hibit = std::uint64_t{1} << 40;  // 2^128 in the top limb
    std::uint64_t h0 = h0_, h1 = h1_, h2 = h2_;
    for (; n >= 16; n -= 16, m += 16) {
      const std::uint64_t t0 = load64(m), t1 = load64(m + 8);
      h0 += t0 & mask44;
      h1 += ((t0 >> 44) | (t1 << 20)) & mask44;
      h2 += ((t1 >> 24) & mask42) | hibit;
      const u128 d0 = u128{h0} * r0_ + u128{h1} * s2_ + u128{h2} * s1_;
      u128 d1 = u128{h0} * r1_ + u128{h1} * r0_ + u128{h2} * s2_;
      u128 d2 = u128{h0} * r2_ + u128{h1} * r1_ + u128{h2} * r0_;
      std::uint64_t c = static_cast<std::uint64_t>(d0 >> 44);
      h0 = static_cast<std::uint64_t>(d0) & mask44;
      d1 += c;
      c = static_cast<std::uint64_t>(d1 >> 44);
      h1 = static_cast<std::uint64_t>(d1) & mask44;
      d2 += c;
      c = static_cast<std::uint64_t>(d2 >> 42);
      h2 = static_cast<std::uint64_t>(d2) & mask42;
      h0 += c * 5;
      c = h0 >> 44;
      h0 &= mask44;
      h1 += c;
    }
    h0_ = h0;
    h1_ = h1;
    h2_ = h2;
  }

  // Absorbs `n` bytes, zero-padded to a whole number of blocks.
  void padded(const std::uint8_t* m, std::size_t n) noexcept {
    const std::size_t whole = n & ~std::size_t{15};
    blocks(m, whole);
    if (n > whole) {
      std::uint8_t last[16] = {};
      std::memcpy(last, m + whole, n - whole);
      blocks(last, 16);
    }
  }

  void finish(std::uint8_t tag[16]) noexcept {
    std::uint64_t h0 = h0_, h1 = h1_, h2 = h2_;
    // Full carry: h < 2^130.
    std::uint64_t c = h1 >> 44;
    h1 &= mask44;
    h2 += c;
    c = h2 >> 42;
    h2 &= mask42;
    h0 += c * 5;
    c = h0 >> 44;
    h0 &= mask44;
    h1 += c;
    c = h1 >> 44;
    h1 &= mask44;
    h2 += c;
    c = h2 >> 42;
    h2 &= mask42;
    h0 += c * 5;
    c = h0 >> 44;
    h0 &= mask44;
    h1 += c;
    // g = h + 5 - 2^130; take g when it did not go negative (h >= p).
    std::uint64_t g0 = h0 + 5;
    c = g0 >> 44;
    g0 &= mask44;
    std::uint64_t g1 = h1 + c;
    c = g1 >> 44;
    g1 &= mask44;
    const std::uint64_t g2 = h2 + c - (std::uint64_t{1} << 42);
    const std::uint64_t use_g = (g2 >> 63) - 1;  // all ones when g2 did not borrow
    h0 = (h0 & ~use_g) | (g0 & use_g);
    h1 = (h1 & ~use_g) | (g1 & use_g);
    h2 = (h2 & ~use_g) | (g2 & mask42 & use_g);
    // tag = (h + s) mod 2^128.
    const std::uint64_t s0 = pad0_, s1 = pad1_;
    h0 += s0 & mask44;
    c = h0 >> 44;
    h0 &= mask44;
    h1 += (((s0 >> 44) | (s1 << 20)) & mask44) + c;
    c = h1 >> 44;
    h1 &= mask44;
    h2 += ((s1 >> 24) & mask42) + c;
    h2 &= mask42;
    store64(tag, h0 | (h1 << 44));
    store64(tag + 8, (h1 >> 20) | (h2 << 24));
    wipe();
  }

 private:
  static constexpr std::uint64_t mask44 = 0xfffffffffffULL;
  static constexpr std::uint64_t mask42 = 0x3ffffffffffULL;

  static std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);  // x86-64 and every target we build for: little-endian
    return v;
  }
  static void store64(std::uint8_t* p, std::uint64_t v) noexcept { std::memcpy(p, &v, 8); }

  void wipe() noexcept {
    volatile std::uint64_t* fields[] = {&r0_, &r1_, &r2_, &s1_, &s2_, &pad0_, &pad1_, &h0_, &h1_, &h2_};
    for (auto* f : fields) *f = 0;
  }

  std::uint64_t r0_, r1_, r2_, s1_, s2_, pad0_, pad1_;
  std::uint64_t h0_ = 0, h1_ = 0, h2_ = 0;
};

}  // namespace agentp2p::noise::detail
