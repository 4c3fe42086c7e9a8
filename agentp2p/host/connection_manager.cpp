#include "agentp2p/host/connection_manager.hpp"

#include <algorithm>
#include <numeric>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/log.hpp"

namespace agentp2p::host {

struct connection_manager::ticker {
  explicit ticker(executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  bool stopped = false;
  std::set<std::uint64_t> closing;  // connection ids we are closing
};

connection_manager::connection_manager(std::shared_ptr<host> h, connection_manager_config cfg)
    : host_(h), config_(cfg) {}

std::shared_ptr<connection_manager> connection_manager::start(std::shared_ptr<host> h, connection_manager_config cfg) {
  if (cfg.high_water < cfg.low_water) cfg.high_water = cfg.low_water;
  std::shared_ptr<connection_manager> self(new connection_manager(h, cfg));
  self->ticker_ = std::make_shared<ticker>(h->get_executor());
  std::weak_ptr<connection_manager> weak = self;
  self->host_token_ = h->subscribe([weak](const event& e) {
    auto me = weak.lock();
    if (!me || me->stopped_) return;
    if (std::holds_alternative<connection_opened>(e)) {
      me->trim();
    } else if (const auto* c = std::get_if<connection_closed>(&e)) {
      me->ticker_->closing.erase(c->info->id);
    }
  });
  h->spawn(tick_loop(weak, self->ticker_), "connection manager");
  return self;
}

connection_manager::~connection_manager() { stop(); }

void connection_manager::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (auto h = host_.lock()) h->unsubscribe(host_token_);
  ticker_->stopped = true;
  ticker_->timer.cancel();
}

void connection_manager::protect(const crypto::peer_id& peer, const std::string& tag) { protected_[peer].insert(tag); }

bool connection_manager::unprotect(const crypto::peer_id& peer, const std::string& tag) {
  auto it = protected_.find(peer);
  if (it == protected_.end()) return false;
  it->second.erase(tag);
  if (it->second.empty()) {
    protected_.erase(it);
    return false;
  }
  return true;
}

bool connection_manager::is_protected(const crypto::peer_id& peer) const { return protected_.count(peer) > 0; }

void connection_manager::tag(const crypto::peer_id& peer, const std::string& t, int value) { tags_[peer][t] = value; }

void connection_manager::untag(const crypto::peer_id& peer, const std::string& t) {
  auto it = tags_.find(peer);
  if (it == tags_.end()) return;
  it->second.erase(t);
  if (it->second.empty()) tags_.erase(it);
}

int connection_manager::score(const crypto::peer_id& peer) const {
  auto it = tags_.find(peer);
  if (it == tags_.end()) return 0;
  return std::accumulate(it->second.begin(), it->second.end(), 0,
                         [](int sum, const auto& kv) { return sum + kv.second; });
}

std::size_t connection_manager::trim() {
  auto h = host_.lock();
  if (!h || stopped_ || h->is_closed()) return 0;
  auto all = h->connections();
  auto& closing = ticker_->closing;
  std::size_t open = 0;
  for (const auto& c : all)
    if (!c->is_closed() && !closing.count(c->info().id)) ++open;
  if (open <= config_.high_water) return 0;

  const auto now = std::chrono::steady_clock::now();
  // Connections per peer, to rank duplicates first.
  std::map<crypto::peer_id, std::size_t> per_peer;
  for (const auto& c : all)
    if (!c->is_closed() && !closing.count(c->info().id)) ++per_peer[c->remote_peer()];

  struct candidate {
    std::shared_ptr<connection> conn;
    bool duplicate;
    int score;
  };
  std::vector<candidate> candidates;
  for (const auto& c : all) {
    const auto& info = c->info();
    if (c->is_closed() || closing.count(info.id)) continue;
    if (now - info.opened_at < config_.grace_period) continue;
    if (c->muxed().stream_count() > 0) continue;  // in use
    if (is_protected(info.remote_peer)) continue;
    candidates.push_back({c, per_peer[info.remote_peer] > 1, score(info.remote_peer)});
  }
  std::sort(candidates.begin(), candidates.end(), [](const candidate& a, const candidate& b) {
    if (a.duplicate != b.duplicate) return a.duplicate;
    if (a.score != b.score) return a.score < b.score;
    return a.conn->info().opened_at < b.conn->info().opened_at;
  });

  const std::size_t excess = open - config_.low_water;
  std::size_t closed = 0;
  for (auto& cand : candidates) {
    if (closed >= excess) break;
    // A duplicate stops being one once its sibling is the only one left.
    auto& n = per_peer[cand.conn->remote_peer()];
    if (cand.duplicate && n <= 1) continue;
    --n;
    closing.insert(cand.conn->info().id);
    h->spawn(close_connection(cand.conn), "trim connection " + cand.conn->remote_peer().short_string());
    ++closed;
  }
  trimmed_total_ += closed;
  if (closed > 0)
    log::info("connection manager: " + std::to_string(open) + " connections above the high water mark of " +
              std::to_string(config_.high_water) + "; closing " + std::to_string(closed));
  return closed;
}

awaitable<void> connection_manager::close_connection(std::shared_ptr<connection> c) { co_await c->muxed().close(); }

awaitable<void> connection_manager::tick_loop(std::weak_ptr<connection_manager> weak, std::shared_ptr<ticker> t) {
  for (;;) {
    std::chrono::milliseconds interval;
    {
      auto self = weak.lock();
      if (!self || t->stopped) co_return;
      self->trim();
      interval = std::max(self->config_.check_interval, std::chrono::milliseconds(10));
    }
    t->timer.expires_after(interval);
    (void)co_await t->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace agentp2p::host
