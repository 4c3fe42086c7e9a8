// The pool of ephemeral X25519 keys made ahead: each key handed out once,
// never more than `capacity` held, consistent key pairs, safe across threads.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include <sodium.h>

#include "agentp2p/security/noise/ephemeral_pool.hpp"

using namespace agentp2p;
using noise::dh_key;
using noise::ephemeral_pool;
using noise::x25519_keypair;

namespace {

// The public key must be the private key times the base point.
bool consistent(const x25519_keypair& kp) {
  dh_key pub{};
  if (crypto_scalarmult_base(pub.data(), kp.private_key.data()) != 0) return false;
  return pub == kp.public_key;
}

}  // namespace

TEST(ephemeral_pool, starts_empty_and_take_still_gives_a_key) {
  ephemeral_pool pool(4);
  EXPECT_EQ(pool.size(), 0u);
  auto kp = pool.take();
  EXPECT_TRUE(consistent(kp));
  EXPECT_EQ(pool.size(), 0u);
}

TEST(ephemeral_pool, stays_bounded) {
  ephemeral_pool pool(3);
  int steps = 0;
  while (pool.refill_one()) ++steps;
  EXPECT_EQ(steps, 2);  // the third key fills it: no further step asked for
  EXPECT_EQ(pool.size(), 3u);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(pool.refill_one());
  EXPECT_EQ(pool.size(), 3u);
}

TEST(ephemeral_pool, zero_capacity_holds_nothing) {
  ephemeral_pool pool(0);
  EXPECT_FALSE(pool.refill_one());
  EXPECT_FALSE(pool.claim_refill());
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_TRUE(consistent(pool.take()));
}

TEST(ephemeral_pool, a_key_is_never_handed_out_twice) {
  ephemeral_pool pool(4);
  std::set<dh_key> privates, publics;
  for (int round = 0; round < 25; ++round) {
    while (pool.refill_one()) {
    }
    // Drain past empty: pooled keys first, then freshly generated ones.
    for (int i = 0; i < 6; ++i) {
      auto kp = pool.take();
      EXPECT_TRUE(consistent(kp));
      EXPECT_TRUE(privates.insert(kp.private_key).second) << "private key handed out twice";
      EXPECT_TRUE(publics.insert(kp.public_key).second);
    }
    EXPECT_EQ(pool.size(), 0u);
  }
  EXPECT_EQ(privates.size(), 25u * 6u);
}

TEST(ephemeral_pool, one_refill_scheduled_at_a_time) {
  ephemeral_pool pool(2);
  EXPECT_TRUE(pool.claim_refill());
  EXPECT_FALSE(pool.claim_refill());  // already scheduled
  while (pool.refill_one()) {
  }
  pool.refill_done();
  EXPECT_FALSE(pool.claim_refill());  // full: nothing to schedule
  (void)pool.take();
  EXPECT_TRUE(pool.claim_refill());
}

TEST(ephemeral_pool, threads_taking_and_refilling_never_share_a_key) {
  ephemeral_pool pool(8);
  constexpr int threads = 4, per_thread = 60;
  std::vector<std::vector<dh_key>> got(threads);
  std::atomic<bool> stop{false};
  std::thread refiller([&] {
    while (!stop.load()) pool.refill_one();
  });
  std::vector<std::thread> takers;
  for (int t = 0; t < threads; ++t)
    takers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) got[t].push_back(pool.take().private_key);
    });
  for (auto& t : takers) t.join();
  stop = true;
  refiller.join();
  std::set<dh_key> all;
  for (auto& v : got)
    for (auto& k : v) EXPECT_TRUE(all.insert(k).second);
  EXPECT_EQ(all.size(), std::size_t{threads * per_thread});
  EXPECT_LE(pool.size(), pool.capacity());
}
