// The Noise handshake over a byte_stream (the wire side of
// handshake_state), and the hand-over to secure_stream.
#include <algorithm>
#include <array>
#include <string>

#include <boost/asio/post.hpp>

#include "agentp2p/security/noise/ephemeral_pool.hpp"
#include "agentp2p/security/noise/handshake_payload.hpp"
#include "agentp2p/security/noise/handshake_state.hpp"
#include "agentp2p/security/noise/noise.hpp"
#include "agentp2p/security/noise/secure_stream.hpp"

namespace agentp2p::noise {

struct noise_protocol::state {
  state(crypto::private_key id, config c)
      : identity(std::move(id)), cfg(std::move(c)), static_keys(x25519_keypair::generate()) {}

  crypto::private_key identity;
  config cfg;
  x25519_keypair static_keys;
  // Our handshake payload never changes: encoded (and signed) once.
  bytes payload;
  // Ephemeral keys made ahead (null when cfg.ephemeral_keys_ahead is 0).
  // Shared with the refill steps posted to an executor, which may outlive us.
  std::shared_ptr<ephemeral_pool> ephemerals;
  // Remote signatures over static keys that verified (reconnecting peers).
  signature_cache verified_signatures{cfg.verified_signatures_cached};
};

namespace {

struct local_side {
  const x25519_keypair& static_keys;
  byte_span payload;
  std::size_t max_message;
  ephemeral_pool* ephemerals;  // may be null: handshake_state generates the key itself
  signature_cache* verified;
};

std::optional<x25519_keypair> ephemeral_for(const local_side& me) {
  if (!me.ephemerals) return std::nullopt;
  return me.ephemerals->take();
}

// Tops the pool up one key per posted step, so a pending network event waits
// for at most one key generation (~100 µs) rather than a whole refill.
void refill_step(std::shared_ptr<ephemeral_pool> pool, executor ex) {
  if (!pool->refill_one()) {
    pool->refill_done();
    return;
  }
  asio::post(ex, [pool = std::move(pool), ex]() mutable { refill_step(std::move(pool), std::move(ex)); });
}

// Called once a handshake is over (either way), never inside one: the
// refill is posted, so it runs when this thread next has nothing ready —
// typically while the connection waits for the remote's next message.
void schedule_refill(const std::shared_ptr<ephemeral_pool>& pool, const executor& ex) {
  if (!pool || !pool->claim_refill()) return;
  asio::post(ex, [pool, ex] { refill_step(pool, ex); });
}

struct outcome {
  handshake_state::transport_keys keys;
  verified_identity remote;
  extensions remote_ext;
};

error in_context(error e, std::string_view what) {
  e.message = "noise: " + std::string(what) + ": " + e.message;
  return e;
}

awaitable<result<void>> write_message(core::byte_stream& s, byte_span msg, int index) {
  const std::uint8_t prefix[2] = {static_cast<std::uint8_t>(msg.size() >> 8), static_cast<std::uint8_t>(msg.size())};
  const byte_span parts[] = {byte_span(prefix, 2), msg};
  auto w = co_await s.write_v(parts);
  if (!w) co_return in_context(std::move(w).error(), "sending handshake message " + std::to_string(index));
  co_return ok();
}

// Reads one length-prefixed handshake message, never past it: what follows
// belongs to the transport phase.
awaitable<result<bytes>> read_message(core::byte_stream& s, std::size_t max_size, int index) {
  const std::string what = "reading handshake message " + std::to_string(index);
  std::array<std::uint8_t, 2> prefix{};
  auto got = co_await core::read_exact(s, prefix);
  if (!got) co_return in_context(std::move(got).error(), what);
  const std::size_t len = (std::size_t{prefix[0]} << 8) | prefix[1];
  if (len > max_size)
    co_return make_error(errc::too_large, "noise: handshake message " + std::to_string(index) + " of " +
                                              std::to_string(len) + " bytes exceeds the limit of " +
                                              std::to_string(max_size));
  bytes msg(len);
  got = co_await core::read_exact(s, msg);
  if (!got) co_return in_context(std::move(got).error(), what);
  co_return msg;
}

// Checks the remote's payload against the static key it used in this handshake.
result<std::pair<verified_identity, extensions>> authenticate(byte_span payload, const dh_key& remote_static,
                                                              signature_cache* verified) {
  auto decoded = decode_handshake_payload(payload);
  if (!decoded) return make_error(errc::handshake_failed, "noise: the remote sent a malformed handshake payload");
  AP_TRY(auto who, verify_handshake_payload(*decoded, remote_static, verified));
  return std::pair{std::move(who), std::move(decoded->ext)};
}

awaitable<result<outcome>> run_initiator(local_side me, core::byte_stream& raw,
                                         const std::optional<crypto::peer_id>& expected) {
  handshake_state hs(role::initiator, me.static_keys, {}, ephemeral_for(me));
  AP_CO_TRY(auto m1, hs.write_message({}));  // -> e (no payload: it would travel in the clear)
  AP_CO_TRYV(co_await write_message(raw, m1, 1));
  AP_CO_TRY(auto m2, co_await read_message(raw, me.max_message, 2));
  AP_CO_TRY(auto p2, hs.read_message(m2));  // <- e, ee, s, es
  AP_CO_TRY(auto remote, authenticate(p2, *hs.remote_static(), me.verified));
  // Check who answered before revealing who we are in message 3.
  if (expected && *expected != remote.first.peer)
    co_return make_error(errc::peer_id_mismatch, "noise: dialed " + expected->to_string() +
                                                     " but the remote proved it is " + remote.first.peer.to_string());
  AP_CO_TRY(auto m3, hs.write_message(me.payload));  // -> s, se
  AP_CO_TRYV(co_await write_message(raw, m3, 3));
  AP_CO_TRY(auto keys, hs.split());
  co_return outcome{std::move(keys), std::move(remote.first), std::move(remote.second)};
}

awaitable<result<outcome>> run_responder(local_side me, core::byte_stream& raw) {
  AP_CO_TRY(auto m1, co_await read_message(raw, me.max_message, 1));
  // The key is taken only now: a connection that never sends message 1
  // does not use up a pooled key.
  handshake_state hs(role::responder, me.static_keys, {}, ephemeral_for(me));
  // The initiator's first payload is unauthenticated and unencrypted: ignored.
  AP_CO_TRYV(hs.read_message(m1));  // -> e
  AP_CO_TRY(auto m2, hs.write_message(me.payload));  // <- e, ee, s, es
  AP_CO_TRYV(co_await write_message(raw, m2, 2));
  AP_CO_TRY(auto m3, co_await read_message(raw, me.max_message, 3));
  AP_CO_TRY(auto p3, hs.read_message(m3));  // -> s, se
  AP_CO_TRY(auto remote, authenticate(p3, *hs.remote_static(), me.verified));
  AP_CO_TRY(auto keys, hs.split());
  co_return outcome{std::move(keys), std::move(remote.first), std::move(remote.second)};
}

core::secured_channel finish(std::unique_ptr<core::byte_stream> raw, outcome o, const config& cfg) {
  core::secured_channel ch{
      std::make_unique<secure_stream>(std::move(raw), std::move(o.keys.send), std::move(o.keys.recv),
                                      std::move(o.remote_ext), cfg.read_buffer_size, cfg.write_buffer_size),
      std::move(o.remote.key), std::move(o.remote.peer)};
  return ch;
}

}  // namespace

noise_protocol::noise_protocol(crypto::private_key identity, config cfg)
    : state_(std::make_unique<state>(std::move(identity), std::move(cfg))) {
  if (state_->cfg.ephemeral_keys_ahead > 0)
    state_->ephemerals = std::make_shared<ephemeral_pool>(state_->cfg.ephemeral_keys_ahead);
  auto payload = make_handshake_payload(state_->identity, state_->static_keys.public_key, state_->cfg.local_extensions);
  if (!payload) throw result_error(std::move(payload).error());
  state_->payload = encode(*payload);
}

noise_protocol::~noise_protocol() = default;

awaitable<result<core::secured_channel>> noise_protocol::secure_outbound(std::unique_ptr<core::byte_stream> raw,
                                                                         std::optional<crypto::peer_id> expected) {
  const local_side me{state_->static_keys, state_->payload, state_->cfg.max_handshake_message,
                      state_->ephemerals.get(), &state_->verified_signatures};
  auto done = co_await run_initiator(me, *raw, expected);
  schedule_refill(state_->ephemerals, co_await asio::this_coro::executor);
  if (!done) {
    raw->reset();  // the spec asks for immediate termination; a reset tells the remote at once
    co_return std::move(done).error();
  }
  co_return finish(std::move(raw), std::move(*done), state_->cfg);
}

awaitable<result<core::secured_channel>> noise_protocol::secure_inbound(std::unique_ptr<core::byte_stream> raw) {
  const local_side me{state_->static_keys, state_->payload, state_->cfg.max_handshake_message,
                      state_->ephemerals.get(), &state_->verified_signatures};
  auto done = co_await run_responder(me, *raw);
  schedule_refill(state_->ephemerals, co_await asio::this_coro::executor);
  if (!done) {
    raw->reset();
    co_return std::move(done).error();
  }
  co_return finish(std::move(raw), std::move(*done), state_->cfg);
}

const config& noise_protocol::settings() const { return state_->cfg; }

result<std::optional<std::string>> early_muxer(const extensions& local, const extensions& remote, bool initiator,
                                               const std::function<bool(std::string_view)>& supported) {
  if (local.stream_muxers.empty() || remote.stream_muxers.empty()) return std::optional<std::string>{};
  const auto& initiators = initiator ? local.stream_muxers : remote.stream_muxers;
  const auto& responders = initiator ? remote.stream_muxers : local.stream_muxers;
  for (const auto& m : initiators)
    if (std::find(responders.begin(), responders.end(), m) != responders.end() && supported(m))
      return std::optional<std::string>{m};
  return make_error(errc::handshake_failed,
                    "noise: early muxer negotiation: the peers have no stream muxer in common");
}

std::size_t noise_protocol::ephemeral_keys_ready() const {
  return state_->ephemerals ? state_->ephemerals->size() : 0;
}

const extensions* remote_extensions(const core::byte_stream& secured) {
  auto* s = dynamic_cast<const secure_stream*>(&secured);
  return s ? &s->remote_extensions() : nullptr;
}

result<std::optional<std::string>> noise_protocol::early_muxer(
    const core::byte_stream& secured, bool initiator, const std::function<bool(std::string_view)>& supported) const {
  const auto* remote = remote_extensions(secured);
  if (!remote) return std::optional<std::string>{};
  return noise::early_muxer(settings().local_extensions, *remote, initiator, supported);
}

}  // namespace agentp2p::noise
