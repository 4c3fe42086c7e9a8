#include "agentp2p/multiformats/length_prefixed.hpp"

#include <string>

#include "agentp2p/base/uvarint.hpp"

namespace agentp2p::multiformats {

void append_length_prefixed(bytes& out, byte_span payload) {
  uvarint::append(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

result<std::optional<framed>> try_parse_length_prefixed(byte_span in, std::size_t max_size) {
  auto prefix = uvarint::try_decode(in);
  // An over-long varint is malformed framing, not a big message: decode_error.
  if (!prefix) return make_error(errc::decode_error, "length prefix: " + prefix.error().message);
  if (!*prefix) return std::optional<framed>{};
  auto [length, prefix_size] = **prefix;
  if (length > max_size)
    return make_error(errc::too_large, "length prefix: message of " + std::to_string(length) +
                                           " bytes exceeds the limit of " + std::to_string(max_size));
  if (in.size() - prefix_size < length) return std::optional<framed>{};
  return std::optional<framed>(framed{in.subspan(prefix_size, length), prefix_size + length});
}

}  // namespace agentp2p::multiformats
