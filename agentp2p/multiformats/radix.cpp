// base58btc and base36: the input is one big-endian number written in another
// radix. Quadratic, hence the max_radix_text cap on untrusted input.
#include <array>
#include <cstdint>
#include <vector>

#include "agentp2p/multiformats/multibase.hpp"
#include "agentp2p/multiformats/text_codecs.hpp"

namespace agentp2p::multiformats {
namespace detail {

namespace {

// The number is kept in limbs of Radix^K (< 2^32), least significant first,
// so each input byte costs one constant division per limb instead of one
// variable division per digit: peer ids are base58-encoded on hot paths
// (e.g. naming the caller of every tool call).
template <unsigned Radix, unsigned K>
std::string encode_in_limbs(byte_span data, std::size_t zeros, const radix_alphabet& a) {
  constexpr std::uint64_t limb_base = [] {
    std::uint64_t b = 1;
    for (unsigned i = 0; i < K; ++i) b *= Radix;
    return b;
  }();
  static_assert(limb_base <= 0xffffffffu);
  std::vector<std::uint32_t> limbs;
  limbs.reserve((data.size() - zeros) * 8 / (5 * K) + 2);
  for (std::size_t i = zeros; i < data.size(); ++i) {
    std::uint64_t carry = data[i];
    for (auto& l : limbs) {
      const std::uint64_t x = (std::uint64_t{l} << 8) | carry;
      l = static_cast<std::uint32_t>(x % limb_base);
      carry = x / limb_base;
    }
    while (carry > 0) {
      limbs.push_back(static_cast<std::uint32_t>(carry % limb_base));
      carry /= limb_base;
    }
  }
  std::string reversed;  // digits, least significant first
  reversed.reserve(limbs.size() * K);
  for (std::size_t i = 0; i < limbs.size(); ++i) {
    std::uint32_t l = limbs[i];
    const bool top = i + 1 == limbs.size();
    for (unsigned k = 0; k < K && (!top || l > 0); ++k) {
      reversed.push_back(a.chars[l % Radix]);
      l /= Radix;
    }
  }
  std::string out(zeros, a.chars[0]);
  out.append(reversed.rbegin(), reversed.rend());
  return out;
}

}  // namespace

std::string encode_radix(byte_span data, const radix_alphabet& a) {
  const unsigned radix = static_cast<unsigned>(a.chars.size());
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  if (radix == 58) return encode_in_limbs<58, 5>(data, zeros, a);
  if (radix == 36) return encode_in_limbs<36, 6>(data, zeros, a);
  // Digits, least significant first. Every radix used here is >= 32, so each
  // byte needs at most 8/5 digits.
  std::vector<std::uint8_t> digits;
  digits.reserve((data.size() - zeros) * 8 / 5 + 1);
  for (std::size_t i = zeros; i < data.size(); ++i) {
    unsigned carry = data[i];
    for (auto& d : digits) {
      carry += static_cast<unsigned>(d) << 8;
      d = static_cast<std::uint8_t>(carry % radix);
      carry /= radix;
    }
    while (carry > 0) {
      digits.push_back(static_cast<std::uint8_t>(carry % radix));
      carry /= radix;
    }
  }
  std::string out(zeros, a.chars[0]);
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(a.chars[*it]);
  return out;
}

result<bytes> decode_radix(std::string_view text, const radix_alphabet& a) {
  if (text.size() > max_radix_text)
    return make_error(errc::too_large, std::string(a.name) + ": input longer than " +
                                           std::to_string(max_radix_text) + " characters");
  std::array<std::int16_t, 256> table;
  table.fill(-1);
  for (std::size_t i = 0; i < a.chars.size(); ++i) {
    auto c = static_cast<unsigned char>(a.chars[i]);
    table[c] = static_cast<std::int16_t>(i);
    if (a.case_insensitive && c >= 'a' && c <= 'z') table[c - 'a' + 'A'] = static_cast<std::int16_t>(i);
  }
  const unsigned radix = static_cast<unsigned>(a.chars.size());
  std::size_t zeros = 0;
  while (zeros < text.size() && table[static_cast<unsigned char>(text[zeros])] == 0) ++zeros;
  std::vector<std::uint8_t> out_le;  // least significant byte first
  out_le.reserve(text.size());
  for (std::size_t i = zeros; i < text.size(); ++i) {
    auto v = table[static_cast<unsigned char>(text[i])];
    if (v < 0)
      return make_error(errc::decode_error, std::string(a.name) + ": invalid character " +
                                                quote(text.substr(i, 1)) + " at position " +
                                                std::to_string(i));
    unsigned carry = static_cast<unsigned>(v);
    for (auto& b : out_le) {
      carry += static_cast<unsigned>(b) * radix;
      b = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      out_le.push_back(static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  bytes out(zeros, 0);
  out.insert(out.end(), out_le.rbegin(), out_le.rend());
  return out;
}

}  // namespace detail

namespace {
constexpr detail::radix_alphabet base58btc_alphabet{
    "base58btc", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", false};
constexpr detail::radix_alphabet base36_lower{"base36", "0123456789abcdefghijklmnopqrstuvwxyz", true};
constexpr detail::radix_alphabet base36_upper{"base36", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", true};
}  // namespace

std::string base58btc_encode(byte_span data) { return detail::encode_radix(data, base58btc_alphabet); }
result<bytes> base58btc_decode(std::string_view text) { return detail::decode_radix(text, base58btc_alphabet); }

std::string base36_encode(byte_span data, bool upper) {
  return detail::encode_radix(data, upper ? base36_upper : base36_lower);
}
result<bytes> base36_decode(std::string_view text) { return detail::decode_radix(text, base36_lower); }

}  // namespace agentp2p::multiformats
