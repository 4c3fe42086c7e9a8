#include "agentp2p/security/noise/chacha20.hpp"

#include <cstring>

#include <immintrin.h>
#include <sodium.h>

namespace agentp2p::noise::detail {

namespace {

#define AP_AVX2 __attribute__((target("avx2")))

AP_AVX2 inline __m256i rotl16(__m256i x) {
  const __m256i m = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5,
                                     10, 11, 8, 9, 14, 15, 12, 13);
  return _mm256_shuffle_epi8(x, m);
}
AP_AVX2 inline __m256i rotl8(__m256i x) {
  const __m256i m = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6,
                                     11, 8, 9, 10, 15, 12, 13, 14);
  return _mm256_shuffle_epi8(x, m);
}
template <int n>
AP_AVX2 inline __m256i rotl(__m256i x) {
  return _mm256_or_si256(_mm256_slli_epi32(x, n), _mm256_srli_epi32(x, 32 - n));
}

// The four quarter rounds of a column (or, after the shuffles, diagonal)
// round, on two blocks at once: each 128-bit lane of a row is one block's row.
AP_AVX2 inline void quarter_rounds(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  a = _mm256_add_epi32(a, b);
  d = rotl16(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d);
  b = rotl<12>(_mm256_xor_si256(b, c));
  a = _mm256_add_epi32(a, b);
  d = rotl8(_mm256_xor_si256(d, a));
  c = _mm256_add_epi32(c, d);
  b = rotl<7>(_mm256_xor_si256(b, c));
}

AP_AVX2 void xor_avx2(std::uint8_t* buf, std::size_t len, const std::uint8_t nonce[12], const std::uint8_t key[32]) {
  const __m128i sigma = _mm_setr_epi32(0x61707865, 0x3320646e, 0x79622d32, 0x6b206574);  // "expand 32-byte k"
  const __m128i k0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  const __m128i k1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
  std::uint32_t n[3];
  std::memcpy(n, nonce, 12);
  const __m256i a0 = _mm256_broadcastsi128_si256(sigma);
  const __m256i b0 = _mm256_broadcastsi128_si256(k0);
  const __m256i c0 = _mm256_broadcastsi128_si256(k1);
  // Row d: block counter, then the nonce; the high lane is the next block.
  __m256i d0 = _mm256_setr_epi32(0, static_cast<int>(n[0]), static_cast<int>(n[1]), static_cast<int>(n[2]), 1,
                                 static_cast<int>(n[0]), static_cast<int>(n[1]), static_cast<int>(n[2]));
  const __m256i two = _mm256_setr_epi32(2, 0, 0, 0, 2, 0, 0, 0);
  while (len > 0) {
    __m256i a = a0, b = b0, c = c0, d = d0;
    for (int i = 0; i < 10; ++i) {
      quarter_rounds(a, b, c, d);
      b = _mm256_shuffle_epi32(b, 0x39);
      c = _mm256_shuffle_epi32(c, 0x4e);
      d = _mm256_shuffle_epi32(d, 0x93);
      quarter_rounds(a, b, c, d);
      b = _mm256_shuffle_epi32(b, 0x93);
      c = _mm256_shuffle_epi32(c, 0x4e);
      d = _mm256_shuffle_epi32(d, 0x39);
    }
    a = _mm256_add_epi32(a, a0);
    b = _mm256_add_epi32(b, b0);
    c = _mm256_add_epi32(c, c0);
    d = _mm256_add_epi32(d, d0);
    // Keystream: block i = low lanes of a, b, c, d; block i+1 = high lanes.
    const __m256i ks[4] = {_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(c, d, 0x20),
                           _mm256_permute2x128_si256(a, b, 0x31), _mm256_permute2x128_si256(c, d, 0x31)};
    if (len >= 128) {
      for (int i = 0; i < 4; ++i) {
        auto* p = reinterpret_cast<__m256i*>(buf + 32 * i);
        _mm256_storeu_si256(p, _mm256_xor_si256(_mm256_loadu_si256(p), ks[i]));
      }
      buf += 128;
      len -= 128;
    } else {
      alignas(32) std::uint8_t stream[128];
      for (int i = 0; i < 4; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(stream + 32 * i), ks[i]);
      for (std::size_t i = 0; i < len; ++i) buf[i] ^= stream[i];
      sodium_memzero(stream, sizeof stream);
      len = 0;
    }
    d0 = _mm256_add_epi32(d0, two);
  }
}

#undef AP_AVX2

bool detect_avx2() {
  __builtin_cpu_init();  // may run before libgcc's own initialiser
  return __builtin_cpu_supports("avx2");
}

const bool have_avx2 = detect_avx2();

}  // namespace

bool chacha20_uses_avx2() { return have_avx2; }

void chacha20_xor(std::uint8_t* buf, std::size_t len, const std::uint8_t nonce[12], const std::uint8_t key[32]) {
  if (have_avx2) xor_avx2(buf, len, nonce, key);
  else crypto_stream_chacha20_ietf_xor(buf, buf, len, nonce, key);
}

}  // namespace agentp2p::noise::detail
