// Noise (/noise): the libp2p secure channel,
// https://github.com/libp2p/specs/blob/master/noise/README.md.
// Noise_XX_25519_ChaChaPoly_SHA256 with an empty prologue; each side proves
// its libp2p identity by signing its Noise static key in the handshake
// payload. Afterwards every write is sent as ChaCha20-Poly1305 frames of at
// most 65535 bytes, each behind a 2-byte big-endian length.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/core/security.hpp"
#include "agentp2p/crypto/keys.hpp"

namespace agentp2p::noise {

inline constexpr std::string_view protocol_id = "/noise";

// NoiseExtensions: early data carried in the (encrypted) handshake payload.
struct extensions {
  std::vector<bytes> webtransport_certhashes;
  std::vector<std::string> stream_muxers;  // e.g. "/yamux/1.0.0", in preference order
};

struct config {
  // Largest handshake message we accept from a peer (the wire allows 65535).
  // An RSA-8192 identity needs about 2.2 KiB; 16 KiB leaves room for extensions.
  std::size_t max_handshake_message = 16 * 1024;
  // Bytes read from the connection at a time after the handshake. At least
  // one full frame (65537) is always allowed for; more reads ahead, so a
  // bulk transfer needs fewer system calls.
  std::size_t read_buffer_size = 256 * 1024;
  // Encrypted bytes gathered before they are handed to the connection: a
  // large write goes out as several full frames per system call (four: one
  // Yamux write request of four full frames is one system call). Allocated
  // by the first large write, freed when the connection goes quiet.
  std::size_t write_buffer_size = 4 * 65537;
  // Sent to the remote in our handshake payload (not interpreted here).
  extensions local_extensions;
  // Ephemeral X25519 key pairs generated ahead, off the handshake's critical
  // path (after a handshake, posted to its executor; each used once, wiped
  // when taken or dropped). 0: generate each when the handshake needs it.
  std::size_t ephemeral_keys_ahead = 4;
  // Remote identity signatures over Noise static keys that verified, kept so
  // a reconnecting peer (same identity key, static key and signature) is not
  // verified again; exact bytes, only successes. 0: verify every handshake.
  std::size_t verified_signatures_cached = 32;
};

// A Noise security protocol for one local identity. The Noise static key
// is generated when it is constructed and signed once; it is never stored.
// One static key per host for its lifetime is what js-libp2p does (one per
// Noise instance, `staticKey`); the libp2p noise spec leaves the static
// key's lifetime to the implementation, and the signature over it depends
// only on the identity and that key, so signing it once is equivalent.
class noise_protocol final : public core::security_protocol {
 public:
  // Throws result_error when the identity cannot sign (a start-up error).
  explicit noise_protocol(crypto::private_key identity, config cfg = {});
  ~noise_protocol() override;

  std::string_view protocol_id() const override { return noise::protocol_id; }

  awaitable<result<core::secured_channel>> secure_outbound(std::unique_ptr<core::byte_stream> raw,
                                                           std::optional<crypto::peer_id> expected) override;
  awaitable<result<core::secured_channel>> secure_inbound(std::unique_ptr<core::byte_stream> raw) override;
  // From both sides' NoiseExtensions (see early_muxer below).
  result<std::optional<std::string>> early_muxer(const core::byte_stream& secured, bool initiator,
                                                 const std::function<bool(std::string_view)>& supported) const override;

  // Ephemeral key pairs waiting in the pool (tests, diagnostics).
  std::size_t ephemeral_keys_ready() const;
  const config& settings() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// The extensions the remote sent during the handshake of `secured` (a stream
// returned by noise_protocol), or nullptr for any other stream.
const extensions* remote_extensions(const core::byte_stream& secured);

// Early (inlined) stream muxer negotiation, libp2p specs
// connections/inlined-muxer-negotiation.md: when both handshake payloads
// listed stream muxers, the muxer is the first of the initiator's list that
// both sides support (`supported` says what our host can run), and no
// multistream round trip follows the handshake. nullopt when either list is
// empty (a peer without the feature: negotiate with multistream as before);
// handshake_failed when both listed muxers but none in common (the spec
// says the handshake MUST fail).
result<std::optional<std::string>> early_muxer(const extensions& local, const extensions& remote, bool initiator,
                                               const std::function<bool(std::string_view)>& supported);

}  // namespace agentp2p::noise
