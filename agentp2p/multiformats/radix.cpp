// base58btc and base36: the input is one big-endian number written in another
// radix. Quadratic, hence the max_radix_text cap on untrusted input.
#include <array>
#include <cstdint>
#include <vector>

#include "agentp2p/multiformats/multibase.hpp"
#include "agentp2p/multiformats/text_codecs.hpp"

namespace agentp2p::multiformats {
namespace detail {

std::string encode_radix(byte_span data, const radix_alphabet& a) {
  const unsigned radix = static_cast<unsigned>(a.chars.size());
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
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
