#include <gtest/gtest.h>

#include "agentp2p/multiformats/cid.hpp"

using namespace agentp2p;
using namespace agentp2p::multiformats;

// multiformats/cid README example.
TEST(cid, spec_example_v1_raw_base58) {
  auto c = cid::parse("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->version, 1u);
  EXPECT_EQ(c->content_codec, codec::raw);
  EXPECT_EQ(c->hash.code, 0x12u);
  EXPECT_EQ(to_hex(c->hash.digest), "6e6ff7950a36187a801613426e858dce686cd7d7e3c0fc42ee0330072d245c95");
  EXPECT_EQ(c->to_string(base::base58btc), "zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA");
  auto again = cid::parse(c->to_string());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *c);
  EXPECT_EQ(c->to_string()[0], 'b');
}

TEST(cid, v0_parse_and_upgrade_to_v1) {
  auto v0 = cid::parse("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR");
  ASSERT_TRUE(v0) << v0.error().message;
  EXPECT_EQ(v0->version, 0u);
  EXPECT_EQ(v0->content_codec, codec::dag_pb);
  EXPECT_EQ(v0->to_string(), "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR");
  EXPECT_EQ(v0->to_bytes().size(), 34u);
  auto from_binary = cid::from_bytes(v0->to_bytes());
  ASSERT_TRUE(from_binary);
  EXPECT_EQ(*from_binary, *v0);
  cid v1 = *v0;
  v1.version = 1;
  EXPECT_EQ(v1.to_string(), "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi");
}

// libp2p/specs peer-ids: a peer id as a CIDv1 with the libp2p-key codec.
TEST(cid, peer_id_forms) {
  auto c = cid::parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->version, 1u);
  EXPECT_EQ(c->content_codec, codec::libp2p_key);
  EXPECT_EQ(base58btc_encode(c->hash.to_bytes()), "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  cid built{1, codec::libp2p_key, c->hash};
  EXPECT_EQ(built.to_string(), "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  // An Ed25519 peer id (identity multihash) as base36, from go-multiaddr's tests.
  auto k = cid::parse("k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs");
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->content_codec, codec::libp2p_key);
  EXPECT_EQ(k->hash.code, 0u);
  EXPECT_EQ(k->to_string(base::base36), "k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs");
  EXPECT_TRUE(base58btc_encode(k->hash.to_bytes()).starts_with("12D3KooW"));
}

TEST(cid, rejects_malformed) {
  bytes sha(32, 0x11);
  auto mh = multihash::from_digest(hash_code::sha2_256, sha);
  cid good{1, codec::raw, mh};
  auto b = good.to_bytes();
  // v0 bytes behind a multibase prefix.
  EXPECT_FALSE(cid::parse(multibase_encode(base::base32, mh.to_bytes())));
  // Explicit version 0, reserved version 2, truncated digest, trailing byte.
  bytes v0_explicit = b;
  v0_explicit[0] = 0;
  EXPECT_FALSE(cid::from_bytes(v0_explicit));
  bytes v2 = b;
  v2[0] = 2;
  EXPECT_TRUE(cid::from_bytes(v2).error().is(errc::unsupported));
  EXPECT_FALSE(cid::from_bytes(byte_span(b).first(b.size() - 1)));
  bytes trailing = b;
  trailing.push_back(0);
  EXPECT_FALSE(cid::from_bytes(trailing));
  for (const char* text : {"", "Qm", "QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuP0", "bafy", "b", "zzzz",
                           "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd"}) {
    EXPECT_FALSE(cid::parse(text)) << text;
  }
  EXPECT_FALSE(cid::from_bytes({}));
}
