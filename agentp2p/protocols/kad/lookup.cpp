#include "agentp2p/protocols/kad/lookup.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/task_group.hpp"

namespace agentp2p::kad {

namespace {

using clock = std::chrono::steady_clock;

enum class state { waiting, in_flight, answered, failed };

struct candidate {
  peer_info info;
  std::size_t hop;
  state st = state::waiting;
};

struct lookup_state {
  lookup_state(executor ex, kad_key t, query_fn q, lookup_config c, crypto::peer_id s)
      : target(t), query(std::move(q)), cfg(c), self(std::move(s)), changed(ex) {
    changed.expires_at(clock::time_point::max());
  }
  kad_key target;
  query_fn query;
  lookup_config cfg;
  crypto::peer_id self;
  std::map<kad_key, candidate> candidates;  // by distance to the target
  std::set<crypto::peer_id> seen;
  std::size_t in_flight = 0;
  lookup_stats stats;
  clock::time_point deadline;
  bool stop = false;
  // Never expires; cancel() wakes every waiting worker (expiry stays at max).
  asio::steady_timer changed;

  void add(peer_info p, std::size_t hop) {
    if (p.id == self || !seen.insert(p.id).second) return;
    auto d = kad_key::of(p.id).distance(target);
    candidates.emplace(d, candidate{std::move(p), hop});
    // Keep the list bounded: drop the farthest candidates nobody is asking.
    while (candidates.size() > cfg.max_candidates) {
      auto it = std::prev(candidates.end());
      while (it != candidates.begin() && it->second.st == state::in_flight) --it;
      if (it->second.st == state::in_flight) break;
      candidates.erase(it);
      ++stats.ignored_closer;
    }
  }

  enum class next_step { query, wait, finished };
  // The nearest waiting candidate among the k nearest that have not failed.
  next_step pick(std::map<kad_key, candidate>::iterator& out) {
    if (stop) return in_flight ? next_step::wait : next_step::finished;
    bool out_of_budget = stats.requests >= cfg.max_requests;
    bool late = clock::now() >= deadline;
    if (out_of_budget) stats.request_limit_hit = true;
    if (late) stats.deadline_hit = true;
    std::size_t counted = 0;
    bool busy = false;
    for (auto it = candidates.begin(); it != candidates.end() && counted < cfg.k; ++it) {
      if (it->second.st == state::failed) continue;
      ++counted;
      if (it->second.st == state::in_flight) busy = true;
      if (it->second.st == state::waiting && !out_of_budget && !late) {
        out = it;
        return next_step::query;
      }
    }
    return (busy || in_flight) ? next_step::wait : next_step::finished;
  }
};

awaitable<void> worker(std::shared_ptr<lookup_state> s) {
  for (;;) {
    std::map<kad_key, candidate>::iterator it;
    auto step = s->pick(it);
    if (step == lookup_state::next_step::finished) break;
    if (step == lookup_state::next_step::wait) {
      (void)co_await s->changed.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    it->second.st = state::in_flight;
    ++s->in_flight;
    ++s->stats.requests;
    auto hop = it->second.hop;
    auto info = it->second.info;
    auto reply = co_await with_deadline(s->query(info, hop), s->cfg.request_timeout, "kad request");
    --s->in_flight;
    // Candidates are only erased when not in flight, so `it` is still valid.
    if (!reply) {
      it->second.st = state::failed;
      ++s->stats.failures;
    } else {
      it->second.st = state::answered;
      s->stats.max_hop = std::max(s->stats.max_hop, hop);
      if (reply->done && !s->stop) {
        s->stop = true;
        s->stats.done = true;
        s->stats.done_hop = hop;
      }
      // Only the nearest few of what the peer sent become candidates.
      auto& closer = reply->closer;
      auto keep = std::min(closer.size(), s->cfg.max_closer_per_reply);
      if (closer.size() > keep) {
        std::partial_sort(closer.begin(), closer.begin() + static_cast<std::ptrdiff_t>(keep), closer.end(),
                          [&](const peer_info& a, const peer_info& b) {
                            return kad_key::of(a.id).distance(s->target) < kad_key::of(b.id).distance(s->target);
                          });
        s->stats.ignored_closer += closer.size() - keep;
      }
      for (std::size_t i = 0; i < keep; ++i) s->add(std::move(closer[i]), hop + 1);
    }
    s->changed.cancel();
  }
}

}  // namespace

awaitable<lookup_result> run_lookup(kad_key target, std::vector<peer_info> seeds, query_fn query, lookup_config cfg,
                                    crypto::peer_id self) {
  auto ex = co_await asio::this_coro::executor;
  auto start = clock::now();
  auto s = std::make_shared<lookup_state>(ex, target, std::move(query), cfg, std::move(self));
  s->deadline = start + cfg.deadline;
  for (auto& p : seeds) s->add(std::move(p), 1);
  {
    task_group workers(ex);
    for (std::size_t i = 0; i < std::max<std::size_t>(1, cfg.alpha); ++i) workers.spawn(worker(s), "kad lookup");
    co_await workers.join();
  }
  lookup_result out;
  for (auto& [d, c] : s->candidates) {
    if (c.st != state::answered) continue;
    out.closest.push_back(c.info);
    if (out.closest.size() >= cfg.k) break;
  }
  out.stats = s->stats;
  out.stats.elapsed = clock::now() - start;
  co_return out;
}

}  // namespace agentp2p::kad
