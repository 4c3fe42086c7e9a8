// Internal: per-protocol value codecs for multiaddr components (string <->
// binary, and validation of binary values from the wire). Not public API.
#pragma once

#include <string>
#include <string_view>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/multiformats/protocols.hpp"

namespace agentp2p::multiformats::detail {

// `text` is the value as written in the string form; for path protocols it
// includes the leading '/'. The result has already passed validate_value.
result<bytes> value_from_string(const protocol_info& p, std::string_view text);
// Checks a binary value whose length already matches p.size.
result<void> validate_value(const protocol_info& p, byte_span value);
// Precondition: validate_value(p, value) succeeded.
std::string value_to_string(const protocol_info& p, byte_span value);

}  // namespace agentp2p::multiformats::detail
