#include "agentp2p/base/uvarint.hpp"

namespace agentp2p::uvarint {

std::size_t encode(std::uint64_t value, std::uint8_t* buf) noexcept {
  std::size_t n = 0;
  while (value >= 0x80) {
    buf[n++] = static_cast<std::uint8_t>(value | 0x80);
    value >>= 7;
  }
  buf[n++] = static_cast<std::uint8_t>(value);
  return n;
}

void append(bytes& out, std::uint64_t value) {
  std::uint8_t buf[10];
  auto n = encode(value, buf);
  out.insert(out.end(), buf, buf + n);
}

std::size_t encoded_length(std::uint64_t value) noexcept {
  std::size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

result<std::optional<decoded>> try_decode(byte_span in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (i >= max_length) return make_error(errc::too_large, "varint longer than 9 bytes");
    std::uint8_t b = in[i];
    value |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return make_error(errc::decode_error, "varint is not minimally encoded");
      return std::optional<decoded>(decoded{value, i + 1});
    }
  }
  if (in.size() >= max_length) return make_error(errc::too_large, "varint longer than 9 bytes");
  return std::optional<decoded>{};
}

result<decoded> decode(byte_span in) {
  AP_TRY(auto d, try_decode(in));
  if (!d) return make_error(errc::decode_error, "truncated varint");
  return *d;
}

}  // namespace agentp2p::uvarint
