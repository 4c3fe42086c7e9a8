#include "agentp2p/host/host.hpp"
#include "agentp2p/muxer/yamux/yamux.hpp"
#include "agentp2p/security/noise/noise.hpp"
#include "agentp2p/security/plaintext/plaintext.hpp"
#include "agentp2p/transport/tcp/tcp_transport.hpp"

namespace agentp2p::host {

builder& builder::identity(crypto::private_key key) {
  identity_ = std::move(key);
  return *this;
}
builder& builder::settings(config cfg) {
  config_ = std::move(cfg);
  return *this;
}
builder& builder::transport(std::unique_ptr<core::transport> t) {
  transports_.push_back(std::move(t));
  return *this;
}
builder& builder::security(std::unique_ptr<core::security_protocol> s) {
  security_.push_back(std::move(s));
  return *this;
}
builder& builder::muxer(std::unique_ptr<core::muxer> m) {
  muxers_.push_back(std::move(m));
  return *this;
}
builder& builder::plaintext() {
  plaintext_ = true;
  return *this;
}
builder& builder::plaintext_only() {
  plaintext_only_ = true;
  return *this;
}

std::shared_ptr<host> builder::build(executor ex) {
  host::parts p{identity_ ? std::move(*identity_) : crypto::private_key::generate_ed25519(), std::move(config_),
                std::move(transports_), std::move(security_), std::move(muxers_)};
  if (p.transports.empty()) p.transports.push_back(std::make_unique<tcp::tcp_transport>(ex));
  if (p.muxers.empty()) p.muxers.push_back(std::make_unique<yamux::yamux_muxer>());
  if (plaintext_only_) {
    p.security.clear();
    p.security.push_back(std::make_unique<plaintext::plaintext_protocol>(p.identity));
  } else {
    if (p.security.empty()) {
      // Our muxers, in preference order, in the Noise handshake payload: a
      // peer that lists its own too (js-libp2p, go-libp2p, us) agrees on one
      // inside the handshake, without the multistream round trip after it.
      noise::config cfg;
      for (const auto& m : p.muxers) cfg.local_extensions.stream_muxers.emplace_back(m->protocol_id());
      p.security.push_back(std::make_unique<noise::noise_protocol>(p.identity, std::move(cfg)));
    }
    if (plaintext_) p.security.push_back(std::make_unique<plaintext::plaintext_protocol>(p.identity));
  }
  return std::make_shared<host>(std::move(ex), std::move(p));
}

}  // namespace agentp2p::host
