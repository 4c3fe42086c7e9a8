// The Yamux frame header: a pure codec, no I/O.
//
//   version(8) type(8) flags(16) stream_id(32) length(32), big-endian
//
// `length` means: Data → payload bytes that follow; WindowUpdate → window
// delta; Ping → opaque value echoed back; GoAway → error code.
// Spec: https://github.com/hashicorp/yamux/blob/master/spec.md
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::yamux {

inline constexpr std::size_t header_size = 12;
inline constexpr std::uint8_t protocol_version = 0;

// Both sides assume this window for every new stream (spec); a larger one is
// granted with a WindowUpdate, a smaller one cannot be announced.
inline constexpr std::uint32_t default_window = 256 * 1024;

enum class frame_type : std::uint8_t { data = 0, window_update = 1, ping = 2, go_away = 3 };

namespace flag {
inline constexpr std::uint16_t syn = 0x1;  // opens a stream / ping request
inline constexpr std::uint16_t ack = 0x2;  // accepts a stream / ping response
inline constexpr std::uint16_t fin = 0x4;  // half-close
inline constexpr std::uint16_t rst = 0x8;  // abort
}  // namespace flag

enum class go_away_code : std::uint32_t { normal = 0, protocol_error = 1, internal_error = 2 };

struct header {
  frame_type type = frame_type::data;
  std::uint16_t flags = 0;
  std::uint32_t stream_id = 0;
  std::uint32_t length = 0;

  bool has(std::uint16_t f) const noexcept { return (flags & f) != 0; }
  friend bool operator==(const header&, const header&) = default;
};

using header_bytes = std::array<std::uint8_t, header_size>;

header_bytes encode(const header& h) noexcept;

// Decodes exactly header_size bytes. Unknown flag bits are ignored (as the
// reference implementations do); a version other than 0 or an unknown type is
// errc::protocol_error, a wrong input size errc::decode_error.
result<header> decode(byte_span in);

// "Data stream=3 flags=SYN|FIN length=10", for error messages and logs.
std::string describe(const header& h);

}  // namespace agentp2p::yamux
