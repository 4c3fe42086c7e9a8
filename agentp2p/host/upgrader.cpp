#include "agentp2p/host/upgrader.hpp"

#include <algorithm>

#include "agentp2p/multistream/multistream.hpp"
#include "agentp2p/security/pnet/pnet.hpp"

namespace agentp2p::host {

namespace {

template <class T>
std::vector<std::string> ids_of(const std::vector<std::unique_ptr<T>>& items) {
  std::vector<std::string> ids;
  for (const auto& i : items) ids.emplace_back(i->protocol_id());
  return ids;
}

template <class T>
T* by_id(const std::vector<std::unique_ptr<T>>& items, std::string_view id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const auto& i) { return i->protocol_id() == id; });
  return it == items.end() ? nullptr : it->get();
}

// The muxer agreed inside the security handshake, if both sides offered
// their lists there (saves the multistream round trip after the handshake).
result<std::optional<std::string>> early_muxer_of(const core::security_protocol& security,
                                                  const core::byte_stream& secured, bool initiator,
                                                  const std::vector<std::unique_ptr<core::muxer>>& muxers) {
  return security.early_muxer(secured, initiator, [&](std::string_view id) { return by_id(muxers, id) != nullptr; });
}

// The raw connection while its only security protocol is selected lazily
// (multistream::lazy_proposal / expect_echo, as js-libp2p's lazySelect and
// go-multistream's lazy handshake do for streams): the header and proposal
// go out in the same write as the handshake's first message, and the
// responder's echo is checked before the handshake's first read — the
// round trip of a full select before the handshake is gone. Afterwards it
// forwards without a coroutine frame of its own (one virtual call more).
class lazily_selected final : public core::byte_stream {
 public:
  lazily_selected(std::unique_ptr<core::byte_stream> inner, std::string protocol, upgrade_stage& stage)
      : inner_(std::move(inner)), protocol_(std::move(protocol)), select_(protocol_), stage_(stage) {}

  executor get_executor() const override { return inner_->get_executor(); }
  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    if (!select_.echo_pending()) return inner_->read_some(buf);
    return first_read(buf);
  }
  awaitable<result<void>> write(byte_span data) override {
    if (!select_.proposal_pending()) return inner_->write(data);
    return select_.write_with_proposal(*inner_, data);
  }
  awaitable<result<void>> write_v(std::span<const byte_span> parts) override {
    if (!select_.proposal_pending()) return inner_->write_v(parts);
    return select_.write_v_with_proposal(*inner_, parts);
  }
  awaitable<result<void>> close_write() override { return inner_->close_write(); }
  void reset() override { inner_->reset(); }

 private:
  awaitable<result<std::size_t>> first_read(mutable_byte_span buf) {
    auto echo = co_await select_.read_echo(*inner_, protocol_);
    if (!echo) {
      // A failed selection, not a failed handshake (explain() gives the
      // private-network hint for garbled multistream).
      stage_ = upgrade_stage::security_negotiation;
      co_return std::move(echo).error();
    }
    co_return co_await inner_->read_some(buf);
  }

  std::unique_ptr<core::byte_stream> inner_;
  std::string protocol_;
  multistream::lazy_select select_;
  upgrade_stage& stage_;
};

}  // namespace

agentp2p::error upgrader::explain(agentp2p::error e, upgrade_stage stage, bool have_psk) {
  if (e.is(errc::peer_id_mismatch) || e.is(errc::connection_refused) || e.is(errc::cancelled) || e.is(errc::closed))
    return e;
  if (have_psk && stage <= upgrade_stage::security_handshake) {
    e.message += pnet::mismatch_hint;
  } else if (!have_psk && stage == upgrade_stage::security_negotiation &&
             (e.is(errc::decode_error) || e.is(errc::protocol_error) || e.is(errc::too_large) || e.is(errc::timeout) ||
              e.is(errc::reset) || e.is(errc::end_of_stream) || e.is(errc::io_error))) {
    e.message += " (the peer does not speak multistream-select: it may be in a private network with a swarm key)";
  }
  return e;
}

awaitable<result<std::unique_ptr<core::byte_stream>>> upgrader::maybe_protect(
    std::unique_ptr<core::byte_stream> raw) const {
  stage_ = upgrade_stage::pnet;
  if (!psk_) co_return raw;
  co_return co_await pnet::protect(std::move(raw), *psk_);
}

awaitable<result<upgraded>> upgrader::outbound(std::unique_ptr<core::byte_stream> raw_in,
                                               std::optional<crypto::peer_id> expected) const {
  AP_CO_TRY(auto raw, co_await maybe_protect(std::move(raw_in)));
  stage_ = upgrade_stage::security_negotiation;
  const auto security_ids = ids_of(security_);
  std::string security_id;
  if (security_ids.size() == 1) {
    // One protocol only: a responder without it fails the connection either
    // way, so propose it along with the handshake's first message.
    security_id = security_ids.front();
    raw = std::make_unique<lazily_selected>(std::move(raw), security_id, stage_);
  } else {
    AP_CO_TRY(security_id, co_await multistream::select(*raw, security_ids));
  }
  auto* security = by_id(security_, security_id);
  stage_ = upgrade_stage::security_handshake;
  AP_CO_TRY(auto secured, co_await security->secure_outbound(std::move(raw), std::move(expected)));
  stage_ = upgrade_stage::muxer_negotiation;
  AP_CO_TRY(auto early, early_muxer_of(*security, *secured.stream, true, muxers_));
  std::string muxer_id;
  if (early) {
    muxer_id = std::move(*early);
  } else {
    const auto muxer_ids = ids_of(muxers_);
    AP_CO_TRY(muxer_id, co_await multistream::select(*secured.stream, muxer_ids));
  }
  auto* muxer = by_id(muxers_, muxer_id);
  stage_ = upgrade_stage::done;
  upgraded out{muxer->create(std::move(secured.stream), true), std::move(secured.remote_peer),
               std::move(secured.remote_key), std::move(security_id), std::move(muxer_id)};
  co_return out;
}

awaitable<result<upgraded>> upgrader::inbound(std::unique_ptr<core::byte_stream> raw_in) const {
  AP_CO_TRY(auto raw, co_await maybe_protect(std::move(raw_in)));
  stage_ = upgrade_stage::security_negotiation;
  const multistream::support_fn supports_security = [&](std::string_view id) { return by_id(security_, id) != nullptr; };
  AP_CO_TRY(auto security_id, co_await multistream::handle(*raw, supports_security));
  auto* security = by_id(security_, security_id);
  stage_ = upgrade_stage::security_handshake;
  AP_CO_TRY(auto secured, co_await security->secure_inbound(std::move(raw)));
  stage_ = upgrade_stage::muxer_negotiation;
  AP_CO_TRY(auto early, early_muxer_of(*security, *secured.stream, false, muxers_));
  std::string muxer_id;
  if (early) {
    muxer_id = std::move(*early);
  } else {
    const multistream::support_fn supports_muxer = [&](std::string_view id) { return by_id(muxers_, id) != nullptr; };
    AP_CO_TRY(muxer_id, co_await multistream::handle(*secured.stream, supports_muxer));
  }
  auto* muxer = by_id(muxers_, muxer_id);
  stage_ = upgrade_stage::done;
  upgraded out{muxer->create(std::move(secured.stream), false), std::move(secured.remote_peer),
               std::move(secured.remote_key), std::move(security_id), std::move(muxer_id)};
  co_return out;
}

}  // namespace agentp2p::host
