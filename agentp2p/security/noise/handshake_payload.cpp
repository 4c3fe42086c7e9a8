#include "agentp2p/security/noise/handshake_payload.hpp"

#include "noise_payload.pb.h"

namespace agentp2p::noise {

namespace {
constexpr std::string_view signing_prefix = "noise-libp2p-static-key:";
}

bytes encode(const handshake_payload& p) {
  pb::NoiseHandshakePayload msg;
  msg.set_identity_key(p.identity_key.data(), p.identity_key.size());
  msg.set_identity_sig(p.identity_sig.data(), p.identity_sig.size());
  if (p.has_extensions) {
    auto* ext = msg.mutable_extensions();
    for (const auto& h : p.ext.webtransport_certhashes) ext->add_webtransport_certhashes(h.data(), h.size());
    for (const auto& m : p.ext.stream_muxers) ext->add_stream_muxers(m);
  }
  bytes out(msg.ByteSizeLong());
  msg.SerializeWithCachedSizesToArray(out.data());
  return out;
}

result<handshake_payload> decode_handshake_payload(byte_span in) {
  pb::NoiseHandshakePayload msg;
  if (!msg.ParseFromArray(in.data(), static_cast<int>(in.size())))
    return make_error(errc::decode_error, "noise: malformed handshake payload");
  handshake_payload p;
  p.identity_key.assign(msg.identity_key().begin(), msg.identity_key().end());
  p.identity_sig.assign(msg.identity_sig().begin(), msg.identity_sig().end());
  if (msg.has_extensions()) {
    p.has_extensions = true;
    for (const auto& h : msg.extensions().webtransport_certhashes())
      p.ext.webtransport_certhashes.emplace_back(h.begin(), h.end());
    for (const auto& m : msg.extensions().stream_muxers()) p.ext.stream_muxers.push_back(m);
  }
  return p;
}

bytes static_key_signing_input(byte_span noise_static_public_key) {
  bytes msg = to_bytes(signing_prefix);
  msg.insert(msg.end(), noise_static_public_key.begin(), noise_static_public_key.end());
  return msg;
}

result<handshake_payload> make_handshake_payload(const crypto::private_key& identity,
                                                 byte_span noise_static_public_key, const extensions& ext) {
  handshake_payload p;
  p.identity_key = identity.public_key().to_protobuf();
  AP_TRY(p.identity_sig, identity.sign(static_key_signing_input(noise_static_public_key)));
  p.has_extensions = !ext.stream_muxers.empty() || !ext.webtransport_certhashes.empty();
  p.ext = ext;
  return p;
}

result<verified_identity> verify_handshake_payload(const handshake_payload& p,
                                                   byte_span remote_noise_static_public_key,
                                                   signature_cache* verified) {
  if (p.identity_key.empty())
    return make_error(errc::handshake_failed, "noise: the remote's handshake payload carries no identity key");
  auto key = crypto::public_key::from_protobuf(p.identity_key);
  if (!key)
    return make_error(errc::handshake_failed,
                      "noise: the remote's identity key is unusable: " + key.error().message);
  if (p.identity_sig.empty())
    return make_error(errc::handshake_failed, "noise: the remote's handshake payload carries no signature");
  auto peer = crypto::peer_id::from_public_key(*key);
  if (verified && verified->verified_before(p.identity_key, remote_noise_static_public_key, p.identity_sig))
    return verified_identity{std::move(*key), std::move(peer)};
  if (!key->verify(static_key_signing_input(remote_noise_static_public_key), p.identity_sig))
    return make_error(errc::handshake_failed, "noise: the signature of " + peer.to_string() +
                                                  " over its Noise static key is invalid");
  if (verified) verified->remember(p.identity_key, remote_noise_static_public_key, p.identity_sig);
  return verified_identity{std::move(*key), std::move(peer)};
}

}  // namespace agentp2p::noise
