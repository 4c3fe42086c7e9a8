// The lookup engine on a simulated network: no sockets, each simulated peer
// knows its nearest neighbours plus a few random peers.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <boost/asio/io_context.hpp>

#include "agentp2p/protocols/kad/lookup.hpp"
#include "agentp2p/protocols/kad/routing_table.hpp"
#include "agentp2p/protocols/kad/test_util.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace agentp2p::kad;

namespace {

struct sim_network {
  std::vector<crypto::peer_id> peers;
  std::map<crypto::peer_id, std::unique_ptr<routing_table>> tables;
  std::set<crypto::peer_id> malicious;  // answer with thousands of bogus peers
  std::set<crypto::peer_id> dead;       // never answer
  std::size_t bogus_per_reply = 3000;
  std::mt19937_64 rng{42};
  std::size_t queries = 0;

  explicit sim_network(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) peers.push_back(testutil::random_peer(rng));
    for (auto& p : peers) {
      auto t = std::make_unique<routing_table>(p, 20);
      for (auto& q : peers) t->add(q);
      tables.emplace(p, std::move(t));
    }
  }

  result<query_reply> answer(const crypto::peer_id& who, const kad_key& target) {
    ++queries;
    if (dead.contains(who)) return make_error(errc::timeout, "dead");
    query_reply r;
    if (malicious.contains(who)) {
      for (std::size_t i = 0; i < bogus_per_reply; ++i) r.closer.push_back(peer_info{testutil::random_peer(rng), {}, {}});
      return r;
    }
    auto it = tables.find(who);
    if (it == tables.end()) return make_error(errc::connection_refused, "no such peer");
    for (auto& p : it->second->closest(target, 20)) r.closer.push_back(peer_info{p, {}, {}});
    return r;
  }
};

awaitable<result<query_reply>> ask(sim_network* net, peer_info p, kad_key target) {
  co_return net->answer(p.id, target);
}

std::vector<crypto::peer_id> true_closest(const sim_network& net, const kad_key& target, std::size_t n,
                                          const std::set<crypto::peer_id>& exclude) {
  std::vector<crypto::peer_id> all;
  for (auto& p : net.peers)
    if (!exclude.contains(p)) all.push_back(p);
  std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
    return kad_key::of(a).distance(target) < kad_key::of(b).distance(target);
  });
  if (all.size() > n) all.erase(all.begin() + static_cast<std::ptrdiff_t>(n), all.end());
  return all;
}

lookup_result run(sim_network& net, const crypto::peer_id& from, const kad_key& target, lookup_config cfg,
                  std::size_t seeds = 3) {
  asio::io_context ctx;
  std::vector<peer_info> seed_peers;
  // A sparse start: a few random peers only.
  for (std::size_t i = 0; i < seeds; ++i) seed_peers.push_back(peer_info{net.peers[(i * 37 + 5) % net.peers.size()], {}, {}});
  query_fn q = [&net, target](const peer_info& p, std::size_t) { return ask(&net, p, target); };
  return test::run<lookup_result>(ctx, [&](executor) { return run_lookup(target, seed_peers, q, cfg, from); });
}

}  // namespace

TEST(kad_lookup, finds_the_k_closest_peers_of_a_500_peer_network) {
  sim_network net(500);
  std::mt19937_64 rng(9);
  auto target = kad_key::of(testutil::random_peer(rng));
  auto r = run(net, net.peers[0], target, lookup_config{});
  auto expected = true_closest(net, target, 20, {net.peers[0]});
  ASSERT_EQ(r.closest.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(r.closest[i].id, expected[i]) << i;
  EXPECT_GE(r.stats.max_hop, 2u);
  EXPECT_LE(r.stats.requests, lookup_config{}.max_requests);
  EXPECT_FALSE(r.stats.request_limit_hit);
}

TEST(kad_lookup, done_stops_early) {
  sim_network net(200);
  auto target_peer = net.peers[100];
  auto target = kad_key::of(target_peer);
  asio::io_context ctx;
  std::vector<peer_info> seeds{peer_info{net.peers[1], {}, {}}};
  query_fn q = [&net, target, target_peer](const peer_info& p, std::size_t) {
    return [](sim_network* net, peer_info p, kad_key target, crypto::peer_id want) -> awaitable<result<query_reply>> {
      auto r = net->answer(p.id, target);
      if (r) for (auto& c : r->closer) if (c.id == want) r->done = true;
      co_return r;
    }(&net, p, target, target_peer);
  };
  auto r = test::run<lookup_result>(ctx, [&](executor) { return run_lookup(target, seeds, q, lookup_config{}, net.peers[0]); });
  EXPECT_TRUE(r.stats.done);
  EXPECT_GE(r.stats.done_hop, 1u);
  EXPECT_LT(r.stats.requests, 20u);
}

TEST(kad_lookup, dead_peers_are_skipped) {
  sim_network net(300);
  std::mt19937_64 rng(10);
  auto target = kad_key::of(testutil::random_peer(rng));
  // The 5 nearest peers to the target never answer.
  auto nearest = true_closest(net, target, 5, {});
  net.dead.insert(nearest.begin(), nearest.end());
  auto r = run(net, net.peers[0], target, lookup_config{});
  std::set<crypto::peer_id> exclude(nearest.begin(), nearest.end());
  exclude.insert(net.peers[0]);
  auto expected = true_closest(net, target, 20, exclude);
  ASSERT_EQ(r.closest.size(), 20u);
  // Kademlia guarantees no exact k-set, but the nearest live peers are found.
  for (std::size_t i = 0; i < 15; ++i) EXPECT_EQ(r.closest[i].id.to_string(), expected[i].to_string()) << i;
  EXPECT_GE(r.stats.failures, 5u);
}

TEST(kad_lookup, malicious_peers_flooding_bogus_closer_peers_cause_bounded_work) {
  sim_network net(300);
  std::mt19937_64 rng(11);
  // Ten malicious peers among the seeds' neighbours answer with 3000 random ids each.
  for (std::size_t i = 0; i < 10; ++i) net.malicious.insert(net.peers[(i * 37 + 5) % net.peers.size()]);
  auto target_peer = net.peers[250];
  auto target = kad_key::of(target_peer);
  lookup_config cfg;
  auto r = run(net, net.peers[0], target, cfg, 12);  // seeds: the 10 malicious + 2 honest
  // Bounded: at most max_requests queries, and most bogus ids never entered the candidate list.
  EXPECT_LE(r.stats.requests, cfg.max_requests);
  EXPECT_LE(net.queries, cfg.max_requests);
  EXPECT_GT(r.stats.ignored_closer, 3000u);
  // Bogus ids fail (nobody answers for them) and the honest part still finds the target.
  bool found = std::any_of(r.closest.begin(), r.closest.end(), [&](const peer_info& p) { return p.id == target_peer; });
  EXPECT_TRUE(found) << "requests " << r.stats.requests << " failures " << r.stats.failures;
}
