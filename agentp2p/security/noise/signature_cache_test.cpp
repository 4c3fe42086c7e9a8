// The cache of identity signatures that verified: a hit only for exactly the
// bytes that verified, never for a changed key, static key or signature;
// bounded; and the handshake-payload check behaves the same with it.
#include <gtest/gtest.h>

#include "agentp2p/security/noise/handshake_payload.hpp"
#include "agentp2p/security/noise/signature_cache.hpp"
#include "agentp2p/security/noise/x25519.hpp"

using namespace agentp2p;
using namespace agentp2p::noise;

TEST(signature_cache, hits_only_the_exact_triple) {
  signature_cache c(4);
  const bytes id = to_bytes("identity-key"), st = to_bytes("static-key-32-bytes............."), sig = to_bytes("sig");
  EXPECT_FALSE(c.verified_before(id, st, sig));
  c.remember(id, st, sig);
  EXPECT_TRUE(c.verified_before(id, st, sig));
  bytes sig2 = sig;
  sig2.back() ^= 1;
  EXPECT_FALSE(c.verified_before(id, st, sig2));
  bytes st2 = st;
  st2[0] ^= 1;
  EXPECT_FALSE(c.verified_before(id, st2, sig));
  EXPECT_FALSE(c.verified_before(to_bytes("identity-kez"), st, sig));
  // Moving bytes between the parts is a different triple (lengths are part of the entry).
  bytes shifted = to_bytes("y");
  shifted.insert(shifted.end(), st.begin(), st.end());
  EXPECT_FALSE(c.verified_before(to_bytes("identity-ke"), shifted, sig));
  c.remember(id, st, sig);  // no duplicate entries
  EXPECT_EQ(c.size(), 1u);
}

TEST(signature_cache, stays_bounded_and_replaces_the_oldest) {
  signature_cache c(3);
  auto k = [](int i) { return to_bytes("key-" + std::to_string(i)); };
  for (int i = 0; i < 10; ++i) c.remember(k(i), k(i), k(i));
  EXPECT_EQ(c.size(), 3u);
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(c.verified_before(k(i), k(i), k(i))) << i;
  for (int i = 7; i < 10; ++i) EXPECT_TRUE(c.verified_before(k(i), k(i), k(i))) << i;
}

TEST(signature_cache, zero_capacity_remembers_nothing) {
  signature_cache c(0);
  c.remember(to_bytes("a"), to_bytes("b"), to_bytes("c"));
  EXPECT_FALSE(c.verified_before(to_bytes("a"), to_bytes("b"), to_bytes("c")));
  EXPECT_EQ(c.size(), 0u);
}

TEST(signature_cache, payload_check_with_a_cache_refuses_what_it_refused_before) {
  auto id = crypto::private_key::generate_ed25519();
  auto st = x25519_keypair::generate();
  auto payload = make_handshake_payload(id, st.public_key, {});
  ASSERT_TRUE(payload);
  signature_cache c(8);

  // First a good one: verified, then remembered; the second time a hit.
  ASSERT_TRUE(verify_handshake_payload(*payload, st.public_key, &c));
  EXPECT_EQ(c.size(), 1u);
  auto again = verify_handshake_payload(*payload, st.public_key, &c);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->peer, crypto::peer_id::from_public_key(id.public_key()));

  // The same payload replayed with another static key: still refused.
  auto other = x25519_keypair::generate();
  auto replay = verify_handshake_payload(*payload, other.public_key, &c);
  ASSERT_FALSE(replay);
  EXPECT_TRUE(replay.error().is(errc::handshake_failed));

  // A flipped signature bit: refused, and not remembered.
  auto bad = *payload;
  bad.identity_sig[10] ^= 0x04;
  EXPECT_FALSE(verify_handshake_payload(bad, st.public_key, &c));
  EXPECT_FALSE(verify_handshake_payload(bad, st.public_key, &c));
  EXPECT_EQ(c.size(), 1u);

  // Someone else's identity key with the cached signature: refused.
  auto imposter = *payload;
  imposter.identity_key = crypto::private_key::generate_ed25519().public_key().to_protobuf();
  EXPECT_FALSE(verify_handshake_payload(imposter, st.public_key, &c));
}
