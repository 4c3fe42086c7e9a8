// SHA-256 via OpenSSL.
#pragma once

#include <array>
#include <cstdint>

#include "agentp2p/base/bytes.hpp"

namespace agentp2p::crypto {

using sha256_digest = std::array<std::uint8_t, 32>;
sha256_digest sha256(byte_span data);

}  // namespace agentp2p::crypto
