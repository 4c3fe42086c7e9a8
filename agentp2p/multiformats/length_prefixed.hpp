// Unsigned-varint length-prefixed messages, as used by multistream-select,
// identify and most libp2p protocols. Pure codec, no I/O.
#pragma once

#include <cstddef>
#include <optional>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::multiformats {

void append_length_prefixed(bytes& out, byte_span payload);

struct framed {
  byte_span payload;     // view into the input
  std::size_t consumed;  // prefix + payload
};

// nullopt: need more input. Errors: too_large when the announced length
// exceeds max_size (checked before the payload arrives), decode_error on a bad varint.
result<std::optional<framed>> try_parse_length_prefixed(byte_span in, std::size_t max_size);

}  // namespace agentp2p::multiformats
