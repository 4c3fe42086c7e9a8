#include <gtest/gtest.h>

#include "agentp2p/protocols/kad/store.hpp"
#include "agentp2p/protocols/kad/test_util.hpp"
#include "agentp2p/protocols/kad/validator.hpp"

using namespace agentp2p;
using namespace agentp2p::kad;
using namespace std::chrono_literals;

TEST(kad_record_store, expires_after_36_hours_and_is_bounded) {
  record_store_limits limits;
  limits.max_records = 2;
  record_store s(limits);
  auto t0 = system_clock::now();
  ASSERT_TRUE(s.put(record{to_bytes("a"), to_bytes("1"), {}}, t0));
  ASSERT_TRUE(s.put(record{to_bytes("b"), to_bytes("2"), {}}, t0));
  EXPECT_FALSE(s.put(record{to_bytes("c"), to_bytes("3"), {}}, t0));  // full
  EXPECT_TRUE(s.put(record{to_bytes("a"), to_bytes("9"), {}}, t0));   // replacing is fine
  EXPECT_EQ(s.get(to_bytes("a"), t0)->value, to_bytes("9"));
  EXPECT_TRUE(s.get(to_bytes("a"), t0 + 35h));
  EXPECT_FALSE(s.get(to_bytes("a"), t0 + 36h));
  // Expired records make room.
  EXPECT_TRUE(s.put(record{to_bytes("c"), to_bytes("3"), {}}, t0 + 37h));
  EXPECT_EQ(s.size(), 1u);
}

TEST(kad_record_store, bounded_in_bytes) {
  record_store_limits limits;
  limits.max_bytes = 100;
  record_store s(limits);
  auto now = system_clock::now();
  EXPECT_TRUE(s.put(record{to_bytes("a"), bytes(90, 1), {}}, now));
  EXPECT_FALSE(s.put(record{to_bytes("b"), bytes(20, 1), {}}, now));
  EXPECT_EQ(s.bytes_used(), 91u);
}

TEST(kad_provider_store, expires_after_48_hours_and_caps_providers_per_key) {
  std::mt19937_64 rng(7);
  provider_store_limits limits;
  limits.max_providers_per_key = 3;
  provider_store s(limits);
  auto t0 = system_clock::now();
  auto key = to_bytes("k");
  std::vector<crypto::peer_id> peers;
  for (int i = 0; i < 5; ++i) {
    peers.push_back(testutil::random_peer(rng));
    ASSERT_TRUE(s.add(key, peers.back(), t0 + std::chrono::seconds(i)));
  }
  auto got = s.get(key, t0 + 10s);
  EXPECT_EQ(got.size(), 3u);  // the two oldest made room
  EXPECT_EQ(std::count(got.begin(), got.end(), peers[0]), 0);
  EXPECT_EQ(s.get(key, t0 + 47h).size(), 3u);
  EXPECT_EQ(s.get(key, t0 + 49h).size(), 0u);
  EXPECT_EQ(s.expire(t0 + 49h), 3u);
  EXPECT_EQ(s.keys(), 0u);
}

TEST(kad_validator, public_key_records) {
  validator_set v;
  auto key = crypto::private_key::generate_ed25519();
  auto other = crypto::private_key::generate_ed25519();
  auto peer = crypto::peer_id::from_public_key(key.public_key());
  auto k = public_key_record_key(peer);
  EXPECT_TRUE(v.validate(k, key.public_key().to_protobuf()));
  EXPECT_FALSE(v.validate(k, other.public_key().to_protobuf()));
  EXPECT_FALSE(v.validate(k, to_bytes("garbage")));
  auto unknown = v.validate(to_bytes("/unknown/x"), to_bytes("v"));
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().is(errc::unsupported));
  EXPECT_EQ(key_namespace(to_bytes("/pk/abc")), "pk");
  EXPECT_EQ(key_namespace(to_bytes("nope")), "");
}
