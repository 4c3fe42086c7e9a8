#include "agentp2p/agent/registry/peer_registry.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/log.hpp"

namespace agentp2p::registry {

std::string_view to_string(event_kind k) noexcept {
  switch (k) {
    case event_kind::found: return "found";
    case event_kind::connected: return "connected";
    case event_kind::card_updated: return "card_updated";
    case event_kind::disconnected: return "disconnected";
    case event_kind::removed: return "removed";
  }
  return "unknown";
}

// The sweep's timer, shared by the loop (which waits on it) and the registry
// (which cancels it on stop), so neither outlives the other's use of it.
struct peer_registry::sweeper {
  explicit sweeper(executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  bool stopped = false;
};

peer_registry::peer_registry(std::shared_ptr<host::host> h, std::shared_ptr<identify::service> id,
                             std::shared_ptr<card::service> cards, config cfg)
    : host_(h), identify_(std::move(id)), cards_(std::move(cards)), config_(cfg) {}

std::shared_ptr<peer_registry> peer_registry::start(std::shared_ptr<host::host> h, std::shared_ptr<identify::service> id,
                                                    std::shared_ptr<card::service> cards, config cfg) {
  std::shared_ptr<peer_registry> self(new peer_registry(h, std::move(id), std::move(cards), cfg));
  self->attach();
  return self;
}

void peer_registry::attach() {
  auto h = host_.lock();
  std::weak_ptr<peer_registry> weak = weak_from_this();
  host_token_ = h->subscribe([weak](const host::event& e) {
    if (auto self = weak.lock()) self->on_host_event(e);
  });
  // identify has no way to unsubscribe: the listener checks that we still run.
  identify_->on_identified([weak](const identify::peer_info& info) {
    if (auto self = weak.lock()) self->on_identified(info);
  });
  card_token_ = cards_->on_card([weak](const crypto::peer_id& peer, const card::agent_card& c) {
    if (auto self = weak.lock()) self->on_card(peer, c);
  });
  // Peers connected (and perhaps identified) before we started.
  for (const auto& conn : h->connections()) {
    const auto& peer = conn->remote_peer();
    if (peers_.count(peer)) continue;
    if (auto* e = touch(peer)) {
      e->connected = true;
      emit(event_kind::connected, peer);
    }
    if (auto info = identify_->identified(peer)) on_identified(*info);
  }
  sweeper_ = std::make_shared<sweeper>(h->get_executor());
  h->spawn(sweep_loop(weak, sweeper_), "peer registry sweep");
}

peer_registry::~peer_registry() { stop(); }

void peer_registry::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (auto h = host_.lock()) h->unsubscribe(host_token_);
  cards_->remove_listener(card_token_);
  if (sweeper_) {
    sweeper_->stopped = true;
    sweeper_->timer.cancel();
  }
}

// ---- inputs -------------------------------------------------------------------

void peer_registry::on_host_event(const host::event& e) {
  if (stopped_) return;
  if (const auto* c = std::get_if<host::peer_connected>(&e)) {
    auto* entry = touch(c->peer);
    if (!entry) return;
    entry->connected = true;
    emit(event_kind::connected, c->peer);
  } else if (const auto* d = std::get_if<host::peer_disconnected>(&e)) {
    auto it = peers_.find(d->peer);
    if (it == peers_.end()) return;
    it->second.connected = false;
    it->second.last_seen = clock::now();
    emit(event_kind::disconnected, d->peer);
  }
}

void peer_registry::on_identified(const identify::peer_info& info) {
  if (stopped_) return;
  auto* entry = touch(info.peer);
  if (!entry) return;
  entry->protocols = info.protocols;
  const bool speaks_card =
      std::find(info.protocols.begin(), info.protocols.end(), card::protocol_id) != info.protocols.end();
  // Once per peer: a card that changes later is pushed by its owner (an
  // inbound exchange) or pulled with refresh_card.
  if (config_.auto_exchange && speaks_card && !entry->card) fetch_card(info.peer);
}

void peer_registry::on_card(const crypto::peer_id& peer, const card::agent_card& c) {
  if (stopped_) return;
  auto* entry = touch(peer);
  if (!entry) return;
  const bool changed = !entry->card || !card::same_content(*entry->card, c);
  entry->card = c;
  entry->card_received_at = clock::now();
  entry->card_changed = changed;
  if (changed) {
    ++entry->card_versions;
    log::debug("praxis card of " + peer.to_string() + ": " + c.name + " " + c.version + ", " +
               std::to_string(c.tools.size()) + " tools");
    emit(event_kind::card_updated, peer);
  }
}

void peer_registry::add_peer(const crypto::peer_id& peer) {
  if (stopped_) return;
  touch(peer);
}

void peer_registry::set_a2a_card(const crypto::peer_id& peer, boost::json::value card) {
  auto* entry = touch(peer);
  if (!entry) return;
  entry->a2a_card = std::move(card);
  emit(event_kind::card_updated, peer);
}

peer_entry* peer_registry::touch(const crypto::peer_id& peer) {
  if (auto h = host_.lock(); h && peer == h->id()) return nullptr;  // not ourselves
  const auto now = clock::now();
  auto it = peers_.find(peer);
  if (it != peers_.end()) {
    it->second.last_seen = now;
    return &it->second;
  }
  if (peers_.size() >= config_.max_peers) {
    log::debug("peer registry full (" + std::to_string(config_.max_peers) + "); not tracking " + peer.to_string());
    return nullptr;
  }
  peer_entry e(peer);
  e.first_seen = e.last_seen = now;
  auto& stored = peers_.emplace(peer, std::move(e)).first->second;
  emit(event_kind::found, peer);
  return &stored;
}

// ---- card fetching ------------------------------------------------------------

void peer_registry::fetch_card(const crypto::peer_id& peer) {
  auto h = host_.lock();
  if (!h) return;
  // One exchange per peer at a time. One asked for meanwhile runs after it:
  // the exchange in flight may have sent our card before what prompted this.
  if (auto [it, fresh] = fetching_.try_emplace(peer, false); !fresh) {
    it->second = true;
    return;
  }
  h->spawn(fetch_task(weak_from_this(), peer), "praxis card of " + peer.short_string());
}

awaitable<void> peer_registry::fetch_task(std::weak_ptr<peer_registry> weak, crypto::peer_id peer) {
  std::shared_ptr<card::service> cards;
  if (auto self = weak.lock()) cards = self->cards_;
  if (!cards) co_return;
  for (;;) {
    auto r = co_await cards->exchange(peer);  // on success the card arrives through on_card
    if (!r) log::debug("fetching the praxis card of " + peer.to_string() + " failed: " + r.error().what());
    auto self = weak.lock();
    if (!self) co_return;
    auto it = self->fetching_.find(peer);
    if (it == self->fetching_.end()) co_return;
    if (!it->second || self->stopped_) {
      self->fetching_.erase(it);
      co_return;
    }
    it->second = false;  // asked for again while this one ran: once more
  }
}

awaitable<result<card::agent_card>> peer_registry::refresh_card(crypto::peer_id peer) {
  auto cards = cards_;
  co_return co_await cards->exchange(std::move(peer));
}

void peer_registry::refresh_all_cards() {
  if (stopped_) return;
  for (const auto& [peer, e] : peers_)
    if (e.connected && e.card) fetch_card(peer);
}

// ---- staleness ----------------------------------------------------------------

awaitable<void> peer_registry::sweep_loop(std::weak_ptr<peer_registry> weak, std::shared_ptr<sweeper> s) {
  for (;;) {
    clock::duration interval;
    {
      auto self = weak.lock();
      if (!self || s->stopped) co_return;
      interval = self->config_.sweep_interval;
    }
    s->timer.expires_after(interval);
    (void)co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (s->stopped) co_return;
    if (auto self = weak.lock()) self->sweep();
  }
}

void peer_registry::sweep() {
  const auto now = clock::now();
  std::vector<crypto::peer_id> gone;
  for (auto& [peer, e] : peers_) {
    if (e.connected) {
      e.last_seen = now;
    } else if (now - e.last_seen >= config_.stale_after) {
      gone.push_back(peer);
    }
  }
  for (const auto& peer : gone) {
    peers_.erase(peer);
    emit(event_kind::removed, peer);
  }
}

// ---- queries and events -------------------------------------------------------

std::vector<peer_entry> peer_registry::peers() const {
  std::vector<peer_entry> out;
  out.reserve(peers_.size());
  for (const auto& [_, e] : peers_) out.push_back(e);
  return out;
}

std::optional<peer_entry> peer_registry::get(const crypto::peer_id& peer) const {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t peer_registry::subscribe(listener l) {
  auto token = next_listener_++;
  listeners_.emplace(token, std::move(l));
  return token;
}

void peer_registry::unsubscribe(std::uint64_t token) { listeners_.erase(token); }

void peer_registry::emit(event_kind k, const crypto::peer_id& peer) {
  const event e{k, peer};
  auto snapshot = listeners_;
  for (auto& [_, l] : snapshot) l(e);
}

}  // namespace agentp2p::registry
