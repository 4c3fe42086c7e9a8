#include <gtest/gtest.h>

#include "agentp2p/multiformats/multihash.hpp"
#include "agentp2p/multiformats/multibase.hpp"

using namespace agentp2p;
using namespace agentp2p::multiformats;

namespace {
bytes hex(std::string_view h) {
  bytes out;
  EXPECT_TRUE(from_hex(h, out)) << h;
  return out;
}
}  // namespace

// multiformats/multihash README: sha2-256 of "multihash".
TEST(multihash, spec_sha2_256_vector) {
  auto digest = hex("9cbc07c3f991725836a3aa2a581ca2029198aa420b9d99bc0e131d9f3e2cbe47");
  auto mh = multihash::from_digest(hash_code::sha2_256, digest);
  EXPECT_EQ(to_hex(mh.to_bytes()), "12209cbc07c3f991725836a3aa2a581ca2029198aa420b9d99bc0e131d9f3e2cbe47");
  EXPECT_EQ(base58btc_encode(mh.to_bytes()), "QmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk");
  auto parsed = multihash::from_bytes(mh.to_bytes());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, mh);
}

TEST(multihash, identity_round_trip) {
  auto mh = multihash::identity(as_bytes("hello"));
  EXPECT_EQ(to_hex(mh.to_bytes()), "000568656c6c6f");
  auto parsed = multihash::from_bytes(mh.to_bytes());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->code, 0u);
  EXPECT_EQ(as_string_view(parsed->digest), "hello");
  auto empty = multihash::from_bytes(hex("0000"));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->digest.empty());
}

TEST(multihash, accepts_other_codes_with_multibyte_varint) {
  // blake2b-256 is code 0xb220 (varint a0e402).
  bytes b = hex("a0e40220");
  b.resize(b.size() + 32, 0xab);
  auto parsed = multihash::from_bytes(b);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->code, 0xb220u);
  EXPECT_EQ(parsed->to_bytes(), b);
}

TEST(multihash, rejects_malformed) {
  for (const char* h : {"", "12", "80", "1280", "1220", "1220aabb", "121f" "00", "0005aabbccdd", "0001aabb",
                        "8000", "ffffffffffffffffffff01"}) {
    auto r = multihash::from_bytes(hex(h));
    EXPECT_FALSE(r) << h;
  }
  // sha2-256 with a 31-byte digest.
  bytes short_sha = hex("121f");
  short_sha.resize(2 + 31, 1);
  EXPECT_FALSE(multihash::from_bytes(short_sha));
  // Trailing byte after a valid digest.
  bytes trailing = hex("1220");
  trailing.resize(2 + 33, 1);
  EXPECT_TRUE(multihash::from_bytes(trailing).error().message.find("trailing") != std::string::npos);
}

TEST(multihash, caps_digest_size) {
  bytes big{0x00};
  big.push_back(0x81);  // length 129 = 0x81 0x01
  big.push_back(0x01);
  big.resize(big.size() + 129, 0);
  EXPECT_TRUE(multihash::from_bytes(big).error().is(errc::too_large));
  bytes huge_claim = hex("00ffffffffffffff7f");  // announces ~2^56 bytes, carries none
  EXPECT_TRUE(multihash::from_bytes(huge_claim).error().is(errc::too_large));
  bytes at_cap = hex("008001");
  at_cap.resize(at_cap.size() + max_digest_size, 7);
  EXPECT_TRUE(multihash::from_bytes(at_cap));
}
