// Multibase encodings: https://github.com/multiformats/multibase
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::multiformats {

enum class base : char {
  base16 = 'f',
  base16_upper = 'F',
  base32 = 'b',        // rfc4648 lower, no padding
  base32_upper = 'B',
  base32_pad = 'c',    // rfc4648 lower, with padding
  base32_pad_upper = 'C',
  base36 = 'k',        // used for IPNS / peer-id CIDs ("k51...")
  base36_upper = 'K',
  base58btc = 'z',
  base64 = 'm',        // rfc4648, no padding
  base64_pad = 'M',
  base64url = 'u',     // url-safe, no padding
  base64url_pad = 'U',
};

// Base58 and base36 decoding is quadratic in the input length, so text longer
// than this is rejected (too_large) before any work; real uses (peer ids, CIDs)
// are under 100 characters.
inline constexpr std::size_t max_radix_text = 4096;

// Bare encodings (no multibase prefix). Decoders reject characters outside the
// alphabet, impossible lengths and non-zero trailing bits with decode_error.
std::string base58btc_encode(byte_span data);
result<bytes> base58btc_decode(std::string_view text);
std::string base36_encode(byte_span data, bool upper = false);
result<bytes> base36_decode(std::string_view text);             // either case
std::string base16_encode(byte_span data, bool upper = false);
result<bytes> base16_decode(std::string_view text);             // either case
std::string base32_encode(byte_span data, bool upper = false, bool pad = false);
result<bytes> base32_decode(std::string_view text);              // either case, optional padding
std::string base64_encode(byte_span data, bool url = false, bool pad = false);
result<bytes> base64_decode(std::string_view text, bool url = false);  // optional padding

// Prefixed forms. Decoding accepts every base above (f F b B c C k K z m M u U);
// padding is tolerated whichever of the padded/unpadded prefixes is used.
std::string multibase_encode(base b, byte_span data);
result<bytes> multibase_decode(std::string_view text);

}  // namespace agentp2p::multiformats
