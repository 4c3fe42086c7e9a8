// The libp2p NoiseHandshakePayload: how each side proves that its Noise
// static key belongs to its libp2p identity. A pure codec plus the check of
// the signature; no I/O, so it is unit-tested and fuzzed directly.
#pragma once

#include <string>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/security/noise/noise.hpp"
#include "agentp2p/security/noise/signature_cache.hpp"

namespace agentp2p::noise {

struct handshake_payload {
  bytes identity_key;  // protobuf PublicKey
  bytes identity_sig;
  extensions ext;
  bool has_extensions = false;
};

bytes encode(const handshake_payload& p);
// decode_error on malformed protobuf.
result<handshake_payload> decode_handshake_payload(byte_span in);

// The bytes an identity key signs: "noise-libp2p-static-key:" || static key.
bytes static_key_signing_input(byte_span noise_static_public_key);

// Our payload: identity key, its signature of our static key, our extensions.
result<handshake_payload> make_handshake_payload(const crypto::private_key& identity,
                                                 byte_span noise_static_public_key, const extensions& ext);

struct verified_identity {
  crypto::public_key key;
  crypto::peer_id peer;
};

// Decodes the remote's identity key and checks that it signed the Noise
// static key the remote used in this handshake: handshake_failed otherwise.
// With a cache, a triple found there is not verified again, and one that
// verifies is added.
result<verified_identity> verify_handshake_payload(const handshake_payload& p,
                                                   byte_span remote_noise_static_public_key,
                                                   signature_cache* verified = nullptr);

}  // namespace agentp2p::noise
