// The plaintext Exchange message: a pure codec plus the consistency check
// (the claimed id must be the hash of the sent key). No I/O; fuzzed.
#pragma once

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::plaintext {

struct remote_identity {
  crypto::public_key key;
  crypto::peer_id peer;
};

bytes encode_exchange(const crypto::public_key& key);

// Decodes a remote's Exchange and checks that its id matches its key:
// decode_error for malformed input, handshake_failed when the id and key
// disagree or the key is unusable.
result<remote_identity> decode_exchange(byte_span in);

}  // namespace agentp2p::plaintext
