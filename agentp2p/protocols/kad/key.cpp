#include "agentp2p/protocols/kad/key.hpp"

#include <bit>

#include "agentp2p/crypto/sha256.hpp"

namespace agentp2p::kad {

kad_key kad_key::of(byte_span key) {
  kad_key k;
  k.bits = crypto::sha256(key);
  return k;
}

kad_key kad_key::distance(const kad_key& other) const noexcept {
  kad_key d;
  for (std::size_t i = 0; i < bits.size(); ++i) d.bits[i] = bits[i] ^ other.bits[i];
  return d;
}

std::size_t kad_key::common_prefix_length(const kad_key& other) const noexcept {
  for (std::size_t i = 0; i < bits.size(); ++i) {
    std::uint8_t x = bits[i] ^ other.bits[i];
    if (x != 0) return i * 8 + static_cast<std::size_t>(std::countl_zero(x));
  }
  return key_bits;
}

bytes random_peer_with_prefix(const kad_key& self, std::size_t cpl, std::mt19937_64& rng, std::size_t max_tries) {
  bytes id(34);
  id[0] = 0x12;  // sha2-256
  id[1] = 32;
  for (std::size_t i = 0; i < max_tries; ++i) {
    for (std::size_t j = 2; j < id.size(); j += 8) {
      auto r = rng();
      for (std::size_t b = 0; b < 8 && j + b < id.size(); ++b) id[j + b] = static_cast<std::uint8_t>(r >> (8 * b));
    }
    if (self.common_prefix_length(kad_key::of(id)) == cpl) return id;
  }
  return {};
}

}  // namespace agentp2p::kad
