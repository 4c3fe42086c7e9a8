// Unsigned LEB128 varints as used by multiformats (max 9 bytes, minimal encoding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::uvarint {

// The multiformats spec caps varints at 9 bytes (63 bits of value).
inline constexpr std::size_t max_length = 9;

void append(bytes& out, std::uint64_t value);
std::size_t encoded_length(std::uint64_t value) noexcept;
// Writes into buf (must have max_length bytes); returns bytes written.
std::size_t encode(std::uint64_t value, std::uint8_t* buf) noexcept;

struct decoded {
  std::uint64_t value;
  std::size_t length;  // bytes consumed
};

// Decodes a varint at the start of `in`. Errors: decode_error when truncated
// (`in` ends mid-varint), too_large when longer than 9 bytes, and decode_error
// for non-minimal encodings (trailing 0x00 continuation groups).
result<decoded> decode(byte_span in);

// Like decode, but distinguishes "need more bytes" (nullopt) from a malformed
// varint (error); for incremental stream parsing.
result<std::optional<decoded>> try_decode(byte_span in);

}  // namespace agentp2p::uvarint
