// Internal: alphabet-driven codecs shared by multibase and the multiaddr value
// codecs (onion and garlic addresses use rfc4648 with their own alphabets).
// Not part of the public API.
#pragma once

#include <string>
#include <string_view>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::multiformats::detail {

// rfc4648-style bit packing, `bits` per character (4, 5 or 6).
struct bit_alphabet {
  std::string_view name;   // for error messages: "base32"
  std::string_view chars;  // 1 << bits characters
  int bits;
  bool case_insensitive;
  // Go's garlic32 decoder ignores set bits after the last whole byte; multibase
  // (like js-multiformats) rejects them so that every value has one spelling.
  bool strict_trailing_bits = true;
};

std::string encode_bits(byte_span data, const bit_alphabet& a, bool pad);
// Trailing '=' padding is accepted (for bits 5 and 6) when it completes a block.
result<bytes> decode_bits(std::string_view text, const bit_alphabet& a);

// Big-number radix conversion as in base58btc; leading zero bytes map to
// leading chars[0] one to one.
struct radix_alphabet {
  std::string_view name;
  std::string_view chars;
  bool case_insensitive;
};

std::string encode_radix(byte_span data, const radix_alphabet& a);
result<bytes> decode_radix(std::string_view text, const radix_alphabet& a);

// Printable, bounded rendering of untrusted text for error messages.
std::string quote(std::string_view text);

}  // namespace agentp2p::multiformats::detail
