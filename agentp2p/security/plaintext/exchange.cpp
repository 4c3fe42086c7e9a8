#include "agentp2p/security/plaintext/exchange.hpp"

#include "plaintext_exchange.pb.h"

namespace agentp2p::plaintext {

bytes encode_exchange(const crypto::public_key& key) {
  pb::Exchange msg;
  const auto id = crypto::peer_id::from_public_key(key).to_bytes();
  const auto pub = key.to_protobuf();
  msg.set_id(id.data(), id.size());
  msg.set_pubkey(pub.data(), pub.size());
  bytes out(msg.ByteSizeLong());
  msg.SerializeWithCachedSizesToArray(out.data());
  return out;
}

result<remote_identity> decode_exchange(byte_span in) {
  pb::Exchange msg;
  if (!msg.ParseFromArray(in.data(), static_cast<int>(in.size())))
    return make_error(errc::decode_error, "plaintext: malformed Exchange message");
  if (!msg.has_id() || !msg.has_pubkey())
    return make_error(errc::handshake_failed, "plaintext: the remote's Exchange lacks its id or public key");
  auto key = crypto::public_key::from_protobuf(as_bytes(msg.pubkey()));
  if (!key)
    return make_error(errc::handshake_failed, "plaintext: the remote's public key is unusable: " + key.error().message);
  auto peer = crypto::peer_id::from_public_key(*key);
  if (as_string_view(peer.to_bytes()) != msg.id()) {
    auto claimed = crypto::peer_id::from_bytes(as_bytes(msg.id()));
    const std::string claimed_text = claimed ? claimed->to_string() : "an invalid peer id (" + to_hex(as_bytes(msg.id())) + ")";
    return make_error(errc::handshake_failed,
                      "plaintext: the remote claims to be " + claimed_text + " but sent the key of " + peer.to_string());
  }
  return remote_identity{std::move(*key), std::move(peer)};
}

}  // namespace agentp2p::plaintext
