// Internal to agentp2p/crypto: the per-type halves of keys.cpp. Each key type
// validates its public encoding (returning the canonical form that peer ids
// hash), verifies, and loads/generates private keys. keys.cpp dispatches.
#pragma once

#include <memory>

#include "agentp2p/crypto/private_key_impl.hpp"

namespace agentp2p::crypto::detail {

using impl_ptr = std::unique_ptr<private_key::impl>;

namespace ed25519_key {
result<bytes> check_public(byte_span data);
bool verify(byte_span public_data, byte_span message, byte_span signature);
// 64 bytes seed||public; also a bare 32-byte seed and the legacy 96-byte form.
result<impl_ptr> load_private(byte_span data);
impl_ptr generate();
}  // namespace ed25519_key

namespace secp256k1_key {
result<bytes> check_public(byte_span data);
bool verify(byte_span public_data, byte_span message, byte_span signature);
result<impl_ptr> load_private(byte_span data);
impl_ptr generate();
result<bytes> sign(byte_span secret, byte_span message);
}  // namespace secp256k1_key

namespace ecdsa_key {
result<bytes> check_public(byte_span data);
bool verify(byte_span public_data, byte_span message, byte_span signature);
result<impl_ptr> load_private(byte_span data);
impl_ptr generate();
}  // namespace ecdsa_key

namespace rsa_key {
inline constexpr unsigned min_bits = 2048;
inline constexpr unsigned max_bits = 8192;
result<bytes> check_public(byte_span data);
bool verify(byte_span public_data, byte_span message, byte_span signature);
result<impl_ptr> load_private(byte_span data);
result<impl_ptr> generate(unsigned bits);
}  // namespace rsa_key

}  // namespace agentp2p::crypto::detail
