#include "agentp2p/agent/card/exchange.hpp"

#include <array>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "agentp2p/agent/card/signed_card.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::card {

namespace json = boost::json;

// ---- the exchange -----------------------------------------------------------

namespace {

awaitable<result<void>> send_card(host::stream& s, json::value mine) {
  AP_CO_TRYV(co_await agent::write_json_line(s, mine));
  co_return co_await s.close_write();
}

awaitable<result<agent_card>> swap(host::stream& s, agent_card ours, exchange_config cfg) {
  using namespace asio::experimental::awaitable_operators;
  agent::json_line_reader reader(s, cfg.max_line);
  // Write and read at once: two large cards written first by both sides
  // would otherwise wait on each other's flow-control window.
  auto [sent, theirs] = co_await (send_card(s, to_json(ours)) && reader.read());
  if (!theirs) {
    auto e = std::move(theirs).error();
    e.message = "reading the card of " + s.remote_peer().to_string() + ": " + e.message;
    co_return e;
  }
  if (!sent) co_return std::move(sent).error();
  AP_CO_TRY(auto card, from_json(*theirs, cfg.card_limits));
  auto claimed = crypto::peer_id::parse(card.peer_id);
  if (!claimed || *claimed != s.remote_peer())
    co_return make_error(errc::peer_id_mismatch, "card from " + s.remote_peer().to_string() + " claims peerId \"" +
                                                     card.peer_id + "\"; rejected");
  auto checked = verify_card(*theirs, &s.remote_peer());
  if (checked.state == signature_state::invalid)
    co_return make_error(errc::crypto_error, "card from " + s.remote_peer().to_string() +
                                                 " has an invalid signature (" + checked.reason + "); rejected");
  card.verified = checked.state;
  co_return card;
}

}  // namespace

awaitable<result<agent_card>> exchange_over(host::stream& s, agent_card ours, exchange_config cfg) {
  auto timeout = cfg.timeout;
  auto linger = cfg.linger;
  auto r = co_await with_deadline(swap(s, std::move(ours), std::move(cfg)), timeout,
                                  "card exchange with " + s.remote_peer().to_string());
  if (r) {
    co_await core::finish(s, linger);
  } else {
    s.reset();
  }
  co_return r;
}

awaitable<result<agent_card>> exchange_card(host::host& h, crypto::peer_id peer, agent_card ours, exchange_config cfg) {
  auto opened = co_await with_deadline(h.new_stream(peer, protocol_id), cfg.timeout,
                                       "opening " + std::string(protocol_id) + " to " + peer.to_string());
  if (!opened) co_return std::move(opened).error();
  auto s = std::move(*opened);
  co_return co_await exchange_over(*s, std::move(ours), std::move(cfg));
}

awaitable<result<agent_card>> exchange_card(host::host& h, crypto::peer_id peer, agent_card ours) {
  return exchange_card(h, std::move(peer), std::move(ours), exchange_config());
}

// ---- the service ------------------------------------------------------------

service::service(std::shared_ptr<host::host> h, card_source_for ours, exchange_config cfg)
    : host_(h), source_(std::move(ours)), config_(std::move(cfg)) {}

service::~service() = default;

std::shared_ptr<service> service::start(std::shared_ptr<host::host> h, card_source ours, exchange_config cfg) {
  card_source_for for_anyone = [ours = std::move(ours)](std::string_view) { return ours(); };
  return start(std::move(h), std::move(for_anyone), std::move(cfg));
}

agent_card service::card_for(const crypto::peer_id& peer) const {
  auto c = source_(peer.to_string());
  if (config_.sign) {
    if (auto h = host_.lock(); h && c.peer_id == h->id().to_string()) {
      if (auto signed_ok = sign_card(c, h->identity()); !signed_ok)
        log::warn("could not sign our card: " + signed_ok.error().what());
    }
  }
  return c;
}

std::shared_ptr<service> service::start(std::shared_ptr<host::host> h, card_source_for ours, exchange_config cfg) {
  std::shared_ptr<service> self(new service(h, std::move(ours), std::move(cfg)));
  std::weak_ptr<service> weak = self;
  h->set_stream_handler(std::string(protocol_id), [weak](std::shared_ptr<host::stream> s) -> awaitable<void> {
    return serve(weak.lock(), std::move(s));
  });
  return self;
}

void service::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (auto h = host_.lock()) h->remove_stream_handler(protocol_id);
}

awaitable<void> service::serve(std::shared_ptr<service> self, std::shared_ptr<host::stream> s) {
  if (!self || self->stopped_) {
    s->reset();
    co_return;
  }
  auto peer = s->remote_peer();
  auto r = co_await exchange_over(*s, self->card_for(peer), self->config_);
  self->record(peer, r, "inbound");
}

awaitable<result<agent_card>> service::exchange(crypto::peer_id peer) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "card service: the host is gone");
  auto self = shared_from_this();
  auto r = co_await exchange_card(*h, peer, card_for(peer), config_);
  record(peer, r, "outbound");
  co_return r;
}

void service::record(const crypto::peer_id& peer, const result<agent_card>& r, std::string_view direction) {
  if (!r) {
    ++failed_;
    if (r.error().is(errc::peer_id_mismatch)) {
      ++spoofed_;
      static auto& spoofed = counters::get("card", "spoofed", "cards naming another peer than their sender");
      counters::count_and_log(spoofed, "spoofed praxis card (" + std::string(direction) + "): " + r.error().message);
    } else if (r.error().is(errc::crypto_error)) {
      ++invalid_;
      static auto& bad = counters::get("card", "invalid_signature", "cards whose signature did not verify");
      counters::count_and_log(bad, "praxis card rejected (" + std::string(direction) + "): " + r.error().message);
    } else {
      log::debug("card exchange (" + std::string(direction) + ") with " + peer.to_string() + " failed: " + r.error().what());
    }
    return;
  }
  ++received_;
  auto snapshot = listeners_;  // a listener may add or remove listeners
  for (auto& [_, l] : snapshot) l(peer, *r);
}

std::uint64_t service::on_card(listener l) {
  auto token = next_listener_++;
  listeners_.emplace(token, std::move(l));
  return token;
}

void service::remove_listener(std::uint64_t token) { listeners_.erase(token); }

}  // namespace agentp2p::card
