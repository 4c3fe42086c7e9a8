// /plaintext/2.0.0: the "no security" channel, for tests and debugging only,
// https://github.com/libp2p/specs/blob/master/plaintext/README.md.
// Each side sends its peer id and public key (one varint-length-prefixed
// Exchange message) and checks the other's; the connection then carries
// application bytes unchanged. Nothing is encrypted or authenticated: anyone
// on the path can read, alter or impersonate. Never enable it in production.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "agentp2p/core/security.hpp"
#include "agentp2p/crypto/keys.hpp"

namespace agentp2p::plaintext {

inline constexpr std::string_view protocol_id = "/plaintext/2.0.0";

struct config {
  // Largest Exchange message accepted. An RSA-8192 key needs about 1.1 KiB.
  std::size_t max_exchange_size = 8 * 1024;
};

class plaintext_protocol final : public core::security_protocol {
 public:
  explicit plaintext_protocol(crypto::private_key identity, config cfg = {});
  ~plaintext_protocol() override;

  std::string_view protocol_id() const override { return plaintext::protocol_id; }

  awaitable<result<core::secured_channel>> secure_outbound(std::unique_ptr<core::byte_stream> raw,
                                                           std::optional<crypto::peer_id> expected) override;
  awaitable<result<core::secured_channel>> secure_inbound(std::unique_ptr<core::byte_stream> raw) override;

 private:
  awaitable<result<core::secured_channel>> exchange(std::unique_ptr<core::byte_stream> raw,
                                                    const std::optional<crypto::peer_id>& expected);
  config cfg_;
  bytes local_exchange_;  // our encoded Exchange, built once
};

}  // namespace agentp2p::plaintext
