#include <gtest/gtest.h>

#include <algorithm>

#include "agentp2p/protocols/kad/routing_table.hpp"
#include "agentp2p/protocols/kad/test_util.hpp"

using namespace agentp2p;
using namespace agentp2p::kad;

TEST(kad_key, distance_and_common_prefix) {
  kad_key a, b;
  EXPECT_EQ(a.common_prefix_length(b), 256u);
  b.bits[0] = 0x20;  // 0010 0000
  EXPECT_EQ(a.common_prefix_length(b), 2u);
  EXPECT_EQ(a.distance(b).bits[0], 0x20);
  // Peer keys are sha256 of the id bytes.
  std::mt19937_64 rng(3);
  auto p = testutil::random_peer(rng);
  EXPECT_EQ(kad_key::of(p), kad_key::of(p.to_bytes()));
}

TEST(kad_key, random_peer_with_prefix_lands_in_the_bucket) {
  std::mt19937_64 rng(4);
  auto self = kad_key::of(testutil::random_peer(rng));
  for (std::size_t cpl : {0u, 1u, 5u, 10u}) {
    auto id = random_peer_with_prefix(self, cpl, rng);
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(self.common_prefix_length(kad_key::of(id)), cpl);
    EXPECT_TRUE(crypto::peer_id::from_bytes(id));
  }
}

TEST(kad_routing_table, buckets_hold_k_and_replacements_move_in) {
  std::mt19937_64 rng(5);
  auto self = testutil::random_peer(rng);
  routing_table t(self, 4);
  EXPECT_EQ(t.add(self), routing_table::add_result::self);
  // Most random peers land in bucket 0 (first bit differs).
  std::vector<crypto::peer_id> in_bucket0;
  while (in_bucket0.size() < 6) {
    auto p = testutil::random_peer(rng);
    if (t.self_key().common_prefix_length(kad_key::of(p)) == 0) in_bucket0.push_back(p);
  }
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(t.add(in_bucket0[i]), routing_table::add_result::added);
  EXPECT_EQ(t.add(in_bucket0[0]), routing_table::add_result::updated);
  EXPECT_EQ(t.add(in_bucket0[4]), routing_table::add_result::full);
  EXPECT_EQ(t.bucket_size(0), 4u);
  EXPECT_FALSE(t.contains(in_bucket0[4]));
  EXPECT_TRUE(t.remove(in_bucket0[1]));
  EXPECT_TRUE(t.contains(in_bucket0[4]));  // the replacement moved in
  EXPECT_EQ(t.size(), 4u);
}

TEST(kad_routing_table, closest_is_sorted_by_xor_distance) {
  std::mt19937_64 rng(6);
  routing_table t(testutil::random_peer(rng), 20);
  std::vector<crypto::peer_id> all;
  for (int i = 0; i < 300; ++i) {
    auto p = testutil::random_peer(rng);
    if (t.add(p) == routing_table::add_result::added) all.push_back(p);
  }
  auto target = kad_key::of(testutil::random_peer(rng));
  auto got = t.closest(target, 10);
  ASSERT_EQ(got.size(), 10u);
  std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
    return kad_key::of(a).distance(target) < kad_key::of(b).distance(target);
  });
  EXPECT_TRUE(std::equal(got.begin(), got.end(), all.begin()));
  EXPECT_TRUE(t.max_common_prefix().has_value());
}
