#include "agentp2p/host/bootstrap.hpp"

#include <algorithm>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/log.hpp"

namespace agentp2p::host {

using multiformats::multiaddr;
using multiformats::protocol_code;

struct bootstrap::entry {
  entry(executor ex, bootstrap_peer_status s) : wake(std::move(ex)), status(std::move(s)) {}
  asio::steady_timer wake;  // the loop sleeps on it; a disconnect wakes it
  bootstrap_peer_status status;
  bool stopped = false;
};

bootstrap::bootstrap(std::shared_ptr<host> h, bootstrap_config cfg, std::shared_ptr<connection_manager> cm)
    : host_(h), config_(std::move(cfg)), manager_(std::move(cm)) {}

result<std::shared_ptr<bootstrap>> bootstrap::start(std::shared_ptr<host> h, bootstrap_config cfg,
                                                    std::shared_ptr<connection_manager> cm) {
  std::shared_ptr<bootstrap> self(new bootstrap(h, cfg, std::move(cm)));
  for (const auto& text : cfg.peers) {
    auto addr = multiaddr::parse(text);
    if (!addr) return make_error(errc::invalid_argument, "bootstrap peer \"" + text + "\": " + addr.error().message);
    auto p2p = addr->find(protocol_code::p2p);
    if (!p2p) return make_error(errc::invalid_argument, "bootstrap peer \"" + text + "\" has no /p2p/<peer id>");
    auto id = crypto::peer_id::from_bytes(p2p->value);
    if (!id) return make_error(errc::invalid_argument, "bootstrap peer \"" + text + "\": " + id.error().message);
    if (*id == h->id()) continue;  // ourselves (a shared config file)
    bootstrap_peer_status s{*addr, *id, false, 0, 0, std::string(), std::chrono::milliseconds(0)};
    self->entries_.push_back(std::make_shared<entry>(h->get_executor(), std::move(s)));
  }
  std::weak_ptr<bootstrap> weak = self;
  self->host_token_ = h->subscribe([weak](const event& e) {
    auto me = weak.lock();
    if (!me || me->stopped_) return;
    if (const auto* d = std::get_if<peer_disconnected>(&e)) {
      for (auto& en : me->entries_)
        if (en->status.peer == d->peer) {
          en->status.connected = false;
          en->wake.cancel();
        }
    } else if (const auto* c = std::get_if<peer_connected>(&e)) {
      for (auto& en : me->entries_)
        if (en->status.peer == c->peer) en->status.connected = true;
    }
  });
  for (auto& e : self->entries_) {
    if (self->manager_) self->manager_->protect(e->status.peer, "bootstrap");
    h->spawn(keep_connected(weak, e), "bootstrap " + e->status.peer.short_string());
  }
  return self;
}

bootstrap::~bootstrap() { stop(); }

void bootstrap::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (auto h = host_.lock()) h->unsubscribe(host_token_);
  for (auto& e : entries_) {
    e->stopped = true;
    e->wake.cancel();
    if (manager_) manager_->unprotect(e->status.peer, "bootstrap");
  }
}

std::vector<bootstrap_peer_status> bootstrap::status() const {
  std::vector<bootstrap_peer_status> out;
  for (const auto& e : entries_) out.push_back(e->status);
  return out;
}

awaitable<void> bootstrap::keep_connected(std::weak_ptr<bootstrap> weak, std::shared_ptr<entry> e) {
  std::mt19937 gen(std::random_device{}());
  for (;;) {
    std::shared_ptr<host> h;
    std::chrono::milliseconds initial, max_backoff;
    {
      auto self = weak.lock();
      if (!self || e->stopped) co_return;
      h = self->host_.lock();
      initial = self->config_.initial_backoff;
      max_backoff = std::max(self->config_.max_backoff, initial);
    }
    if (!h || h->is_closed()) co_return;
    auto& s = e->status;
    std::chrono::milliseconds wait;
    if (h->is_connected(s.peer)) {
      s.connected = true;
      s.failures_in_a_row = 0;
      s.backoff = std::chrono::milliseconds(0);
      wait = std::chrono::hours(1);  // until a disconnect wakes us
    } else {
      ++s.attempts;
      auto r = co_await h->connect(s.addr);
      if (e->stopped) co_return;
      if (r) {
        s.connected = true;
        s.failures_in_a_row = 0;
        s.backoff = std::chrono::milliseconds(0);
        s.last_error.clear();
        log::debug("bootstrap: connected to " + s.addr.to_string());
        wait = std::chrono::hours(1);
      } else {
        s.connected = false;
        ++s.failures_in_a_row;
        s.last_error = r.error().what();
        // initial · 2^(failures-1), capped, then ±25 % jitter so peers do not retry in lockstep.
        auto next = initial;
        for (std::size_t i = 1; i < s.failures_in_a_row && next < max_backoff; ++i) next *= 2;
        next = std::min(next, max_backoff);
        std::uniform_int_distribution<long> jitter(-next.count() / 4, next.count() / 4);
        s.backoff = std::max(std::chrono::milliseconds(1), next + std::chrono::milliseconds(jitter(gen)));
        log::info("bootstrap: " + s.addr.to_string() + " unreachable (" + s.last_error + "); retrying in " +
                  std::to_string(s.backoff.count()) + " ms");
        wait = s.backoff;
      }
    }
    h.reset();
    e->wake.expires_after(wait);
    (void)co_await e->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace agentp2p::host
