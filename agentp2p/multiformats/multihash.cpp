#include "agentp2p/multiformats/multihash.hpp"

#include <string>

#include "agentp2p/base/uvarint.hpp"

namespace agentp2p::multiformats {

multihash multihash::identity(byte_span data) {
  return {static_cast<std::uint64_t>(hash_code::identity), bytes(data.begin(), data.end())};
}

multihash multihash::from_digest(hash_code code, byte_span digest) {
  return {static_cast<std::uint64_t>(code), bytes(digest.begin(), digest.end())};
}

result<multihash> multihash::from_bytes(byte_span binary) {
  auto code = uvarint::decode(binary);
  if (!code) return make_error(errc::decode_error, "multihash: bad hash code: " + code.error().message);
  auto rest = binary.subspan(code->length);
  auto length = uvarint::decode(rest);
  if (!length) return make_error(errc::decode_error, "multihash: bad digest length: " + length.error().message);
  rest = rest.subspan(length->length);
  if (length->value > max_digest_size)
    return make_error(errc::too_large, "multihash: digest of " + std::to_string(length->value) +
                                           " bytes exceeds " + std::to_string(max_digest_size));
  if (rest.size() < length->value)
    return make_error(errc::decode_error, "multihash: digest truncated (" + std::to_string(rest.size()) + " of " +
                                              std::to_string(length->value) + " bytes)");
  if (rest.size() > length->value)
    return make_error(errc::decode_error, "multihash: " + std::to_string(rest.size() - length->value) +
                                              " trailing bytes after the digest");
  if (code->value == static_cast<std::uint64_t>(hash_code::sha2_256) && length->value != 32)
    return make_error(errc::decode_error,
                      "multihash: sha2-256 digest must be 32 bytes, got " + std::to_string(length->value));
  return multihash{code->value, bytes(rest.begin(), rest.end())};
}

bytes multihash::to_bytes() const {
  bytes out;
  out.reserve(digest.size() + 4);
  uvarint::append(out, code);
  uvarint::append(out, digest.size());
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

}  // namespace agentp2p::multiformats
