// Internal to agentp2p/crypto: the libp2p PublicKey/PrivateKey protobuf
// messages. The only place that sees the generated code (keys.proto).
#pragma once

#include <cstddef>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/keys.hpp"

namespace agentp2p::crypto::detail {

// Far above the largest legitimate message (an 8192-bit RSA private key is
// about 4.7 KiB) and small enough that parsing hostile input is cheap.
inline constexpr std::size_t max_key_message_size = 8 * 1024;

struct key_message {
  key_type type;
  bytes data;
};

// Errors: too_large over max_key_message_size; decode_error when malformed,
// when Type or Data is missing, or when Type is not one of the four known.
result<key_message> decode_public_key(byte_span encoded);
result<key_message> decode_private_key(byte_span encoded);

// Canonical encoding: Type then Data, minimal varints.
bytes encode_public_key(key_type type, byte_span data);
bytes encode_private_key(key_type type, byte_span data);

}  // namespace agentp2p::crypto::detail
