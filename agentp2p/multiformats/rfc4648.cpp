// base16, base32 and base64 (RFC 4648) as one bit-packing codec driven by an
// alphabet, so each base is a table rather than its own loop.
#include <array>
#include <cstdint>

#include "agentp2p/multiformats/multibase.hpp"
#include "agentp2p/multiformats/text_codecs.hpp"

namespace agentp2p::multiformats {
namespace detail {
namespace {

// Characters per padded block: the smallest count whose bits fill whole bytes.
std::size_t block_chars(int bits) {
  std::size_t n = 1;
  while ((n * static_cast<std::size_t>(bits)) % 8 != 0) ++n;
  return n;
}

std::array<std::int8_t, 256> reverse_table(const bit_alphabet& a) {
  std::array<std::int8_t, 256> t;
  t.fill(-1);
  for (std::size_t i = 0; i < a.chars.size(); ++i) {
    auto c = static_cast<unsigned char>(a.chars[i]);
    t[c] = static_cast<std::int8_t>(i);
    if (a.case_insensitive) {
      if (c >= 'a' && c <= 'z') t[c - 'a' + 'A'] = static_cast<std::int8_t>(i);
      if (c >= 'A' && c <= 'Z') t[c - 'A' + 'a'] = static_cast<std::int8_t>(i);
    }
  }
  return t;
}

}  // namespace

std::string encode_bits(byte_span data, const bit_alphabet& a, bool pad) {
  std::string out;
  out.reserve((data.size() * 8 + a.bits - 1) / a.bits + 8);
  const unsigned mask = (1u << a.bits) - 1;
  unsigned buffer = 0;
  int held = 0;
  for (auto b : data) {
    buffer = (buffer << 8) | b;
    held += 8;
    while (held >= a.bits) {
      held -= a.bits;
      out.push_back(a.chars[(buffer >> held) & mask]);
    }
    buffer &= (1u << held) - 1;  // keep only the bits not yet written
  }
  if (held > 0) out.push_back(a.chars[(buffer << (a.bits - held)) & mask]);
  if (pad) {
    auto block = block_chars(a.bits);
    while (out.size() % block != 0) out.push_back('=');
  }
  return out;
}

result<bytes> decode_bits(std::string_view text, const bit_alphabet& a) {
  // Padding: strip it, then require that it completed a whole block.
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') --end;
  if (end != text.size()) {
    auto block = block_chars(a.bits);
    if (a.bits == 4 || text.size() % block != 0 || text.size() - end >= block)
      return make_error(errc::decode_error, std::string(a.name) + ": invalid padding");
  }
  auto table = reverse_table(a);
  bytes out;
  out.reserve(end * a.bits / 8);
  unsigned buffer = 0;
  int held = 0;
  for (std::size_t i = 0; i < end; ++i) {
    auto v = table[static_cast<unsigned char>(text[i])];
    if (v < 0)
      return make_error(errc::decode_error, std::string(a.name) + ": invalid character " +
                                                quote(text.substr(i, 1)) + " at position " +
                                                std::to_string(i));
    buffer = (buffer << a.bits) | static_cast<unsigned>(v);
    held += a.bits;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> held));
      buffer &= (1u << held) - 1;
    }
  }
  // A whole character left over means the length was impossible (e.g. one
  // base64 char); set leftover bits mean a non-canonical spelling.
  if (held >= a.bits)
    return make_error(errc::decode_error, std::string(a.name) + ": invalid length " + std::to_string(end));
  if (a.strict_trailing_bits && buffer != 0)
    return make_error(errc::decode_error, std::string(a.name) + ": non-zero trailing bits");
  return out;
}

}  // namespace detail

namespace {

constexpr detail::bit_alphabet base16_lower{"base16", "0123456789abcdef", 4, true};
constexpr detail::bit_alphabet base16_upper{"base16", "0123456789ABCDEF", 4, true};
constexpr detail::bit_alphabet base32_lower{"base32", "abcdefghijklmnopqrstuvwxyz234567", 5, true};
constexpr detail::bit_alphabet base32_upper{"base32", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 5, true};
constexpr detail::bit_alphabet base64_std{
    "base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 6, false};
constexpr detail::bit_alphabet base64_url{
    "base64url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6, false};

}  // namespace

std::string base16_encode(byte_span data, bool upper) {
  return detail::encode_bits(data, upper ? base16_upper : base16_lower, false);
}
result<bytes> base16_decode(std::string_view text) { return detail::decode_bits(text, base16_lower); }

std::string base32_encode(byte_span data, bool upper, bool pad) {
  return detail::encode_bits(data, upper ? base32_upper : base32_lower, pad);
}
result<bytes> base32_decode(std::string_view text) { return detail::decode_bits(text, base32_lower); }

std::string base64_encode(byte_span data, bool url, bool pad) {
  return detail::encode_bits(data, url ? base64_url : base64_std, pad);
}
result<bytes> base64_decode(std::string_view text, bool url) {
  return detail::decode_bits(text, url ? base64_url : base64_std);
}

}  // namespace agentp2p::multiformats
