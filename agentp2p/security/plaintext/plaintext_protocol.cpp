#include <string>

#include "agentp2p/security/plaintext/exchange.hpp"
#include "agentp2p/security/plaintext/plaintext.hpp"

namespace agentp2p::plaintext {

plaintext_protocol::plaintext_protocol(crypto::private_key identity, config cfg)
    : cfg_(cfg), local_exchange_(encode_exchange(identity.public_key())) {}

plaintext_protocol::~plaintext_protocol() = default;

namespace {

awaitable<result<remote_identity>> run_exchange(core::byte_stream& raw, byte_span local_exchange,
                                                std::size_t max_size, const std::optional<crypto::peer_id>& expected) {
  // Both sides send first, then read: the messages are small enough for any
  // socket buffer, so this cannot deadlock.
  auto w = co_await core::write_length_prefixed(raw, local_exchange);
  if (!w) co_return agentp2p::error(w.error().code, "plaintext: sending Exchange: " + w.error().message);
  // read_length_prefixed never reads past the message: the rest is application data.
  auto msg = co_await core::read_length_prefixed(raw, max_size);
  if (!msg) co_return agentp2p::error(msg.error().code, "plaintext: reading Exchange: " + msg.error().message);
  AP_CO_TRY(auto remote, decode_exchange(*msg));
  if (expected && *expected != remote.peer)
    co_return make_error(errc::peer_id_mismatch, "plaintext: dialed " + expected->to_string() +
                                                     " but the remote is " + remote.peer.to_string());
  co_return remote;
}

}  // namespace

awaitable<result<core::secured_channel>> plaintext_protocol::exchange(std::unique_ptr<core::byte_stream> raw,
                                                                      const std::optional<crypto::peer_id>& expected) {
  auto remote = co_await run_exchange(*raw, local_exchange_, cfg_.max_exchange_size, expected);
  if (!remote) {
    raw->reset();  // the spec asks for abrupt termination on failure
    co_return std::move(remote).error();
  }
  co_return core::secured_channel{std::move(raw), std::move(remote->key), std::move(remote->peer)};
}

awaitable<result<core::secured_channel>> plaintext_protocol::secure_outbound(std::unique_ptr<core::byte_stream> raw,
                                                                             std::optional<crypto::peer_id> expected) {
  co_return co_await exchange(std::move(raw), expected);
}

awaitable<result<core::secured_channel>> plaintext_protocol::secure_inbound(std::unique_ptr<core::byte_stream> raw) {
  co_return co_await exchange(std::move(raw), std::nullopt);
}

}  // namespace agentp2p::plaintext
