#include "agentp2p/crypto/peer_id.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

#include "agentp2p/crypto/test_vectors.hpp"
#include "agentp2p/multiformats/multibase.hpp"

namespace agentp2p::crypto {
namespace {

using test::hex;

TEST(peer_id, spec_vectors) {
  for (const auto& v : test::spec_vectors) {
    SCOPED_TRACE(v.name);
    auto pub = public_key::from_protobuf(hex(v.public_pb)).value();
    const peer_id id = peer_id::from_public_key(pub);
    EXPECT_EQ(id.to_base58(), v.peer_id);
    EXPECT_EQ(id.to_string(), v.peer_id);
    EXPECT_EQ(id.to_cid_string(), v.peer_cid);
    EXPECT_TRUE(id.matches(pub));
    EXPECT_EQ(peer_id::parse(v.peer_id).value(), id);
    EXPECT_EQ(peer_id::parse(v.peer_cid).value(), id);
    EXPECT_EQ(peer_id::from_bytes(id.to_bytes()).value(), id);
    // The private key's public half names the same peer.
    auto priv = private_key::from_protobuf(hex(v.private_pb)).value();
    EXPECT_EQ(peer_id::from_public_key(priv.public_key()), id);
  }
}

TEST(peer_id, identity_for_small_keys_sha256_for_large) {
  auto ed = peer_id::from_public_key(private_key::generate_ed25519().public_key());
  EXPECT_EQ(ed.to_base58().substr(0, 8), "12D3KooW");
  EXPECT_EQ(ed.to_bytes()[0], 0x00);  // identity multihash
  EXPECT_EQ(ed.to_cid_string().substr(0, 4), "bafz");
  auto ed_key = ed.extract_public_key();
  ASSERT_TRUE(ed_key);
  EXPECT_EQ(ed_key->type(), key_type::ed25519);
  EXPECT_TRUE(ed.matches(*ed_key));

  auto secp = peer_id::from_public_key(private_key::generate_secp256k1().public_key());
  EXPECT_EQ(secp.to_base58().substr(0, 6), "16Uiu2");
  EXPECT_TRUE(secp.extract_public_key());

  auto ecdsa = peer_id::from_public_key(private_key::generate_ecdsa_p256().public_key());
  EXPECT_EQ(ecdsa.to_base58().substr(0, 2), "Qm");
  EXPECT_FALSE(ecdsa.extract_public_key());

  auto rsa_key = private_key::from_protobuf(hex(test::rsa_private)).value();
  auto rsa = peer_id::from_public_key(rsa_key.public_key());
  EXPECT_EQ(rsa.to_base58().substr(0, 2), "Qm");
  EXPECT_EQ(rsa.to_bytes().size(), 34u);  // sha2-256 multihash
  EXPECT_FALSE(rsa.extract_public_key());
  EXPECT_TRUE(rsa.matches(rsa_key.public_key()));
  EXPECT_FALSE(rsa.matches(private_key::generate_ed25519().public_key()));
}

TEST(peer_id, spec_text_examples) {
  // An Ed25519 peer id: round-trips through both text forms.
  const std::string ed = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
  auto id = peer_id::parse(ed);
  ASSERT_TRUE(id) << id.error().what();
  EXPECT_EQ(id->to_base58(), ed);
  const std::string cid = id->to_cid_string();
  EXPECT_EQ(cid, "bafzaajaiaejcal72gwuz2or47oyxxn6b3rkwdmmkrxgkjxzy3rqt5kczyn7lcm3l");
  EXPECT_EQ(peer_id::parse(cid).value(), *id);
  auto key = id->extract_public_key();
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type(), key_type::ed25519);
  EXPECT_TRUE(id->matches(*key));
  EXPECT_EQ(id->short_string(), "AJU5SA");

  // A sha2-256 peer id in both forms (the spec's two examples are one peer).
  auto qm = peer_id::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  ASSERT_TRUE(qm) << qm.error().what();
  auto bafz = peer_id::parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  ASSERT_TRUE(bafz) << bafz.error().what();
  EXPECT_EQ(*qm, *bafz);
  EXPECT_EQ(qm->to_cid_string(), "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  EXPECT_FALSE(qm->extract_public_key());
}

TEST(peer_id, cid_in_other_multibases) {
  auto id = peer_id::parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA").value();
  bytes cid_bytes{0x01, 0x72};
  cid_bytes.insert(cid_bytes.end(), id.to_bytes().begin(), id.to_bytes().end());
  for (auto b : {multiformats::base::base32_upper, multiformats::base::base58btc,
                 multiformats::base::base16, multiformats::base::base64url}) {
    const std::string text = multiformats::multibase_encode(b, cid_bytes);
    auto parsed = peer_id::parse(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().what();
    EXPECT_EQ(*parsed, id);
  }
}

TEST(peer_id, bad_text_is_an_error) {
  for (std::string_view s : {"", "1", "Qm", "hello", "12D3KooW", "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5",
                             "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N0", "bafzbeie5745rpv2m6",
                             "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SAA"}) {
    auto r = peer_id::parse(s);
    EXPECT_FALSE(r) << s;
    if (!r) {
      EXPECT_TRUE(r.error().is(errc::decode_error)) << s << ": " << r.error().what();
    }
  }
  EXPECT_FALSE(peer_id::parse(std::string(5000, 'b')));
  // A raw-codec (0x55) CID holding a valid peer multihash is not a peer id.
  auto id = peer_id::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value();
  bytes raw_cid{0x01, 0x55};
  raw_cid.insert(raw_cid.end(), id.to_bytes().begin(), id.to_bytes().end());
  EXPECT_FALSE(peer_id::parse(multiformats::multibase_encode(multiformats::base::base32, raw_cid)));
}

TEST(peer_id, bad_bytes_are_an_error) {
  const bytes good = peer_id::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value().to_bytes();
  EXPECT_FALSE(peer_id::from_bytes({}));
  EXPECT_FALSE(peer_id::from_bytes(byte_span(good).first(good.size() - 1)));
  bytes trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(peer_id::from_bytes(trailing));
  // sha1 (0x11) is not a peer id hash.
  bytes sha1{0x11, 20};
  sha1.resize(22, 0xab);
  EXPECT_FALSE(peer_id::from_bytes(sha1));
  // A truncated sha2-256 digest.
  bytes short_sha{0x12, 20};
  short_sha.resize(22, 0xab);
  EXPECT_FALSE(peer_id::from_bytes(short_sha));
  // Identity multihash whose digest is not a public key.
  EXPECT_FALSE(peer_id::from_bytes(hex("0004deadbeef")));
  bytes bad_key = hex("0024" "08011220") ;
  bad_key.resize(38, 0);
  bad_key[4] = 9;  // unknown key type
  EXPECT_FALSE(peer_id::from_bytes(bad_key));
  // An inlined secp256k1 key in its uncompressed (non-canonical) form.
  bytes uncompressed = hex(
      "0045" "08021241"
      "047777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99"
      "1b41b30efa52b659e9db235c31f9975578a17e2b356a6b84837b5b45c555cfb1");
  EXPECT_FALSE(peer_id::from_bytes(uncompressed));
}

TEST(peer_id, ordering_and_hashing) {
  auto a = peer_id::from_public_key(private_key::generate_ed25519().public_key());
  auto b = peer_id::from_public_key(private_key::generate_ed25519().public_key());
  EXPECT_NE(a, b);
  EXPECT_TRUE((a < b) != (b < a));
  std::unordered_set<peer_id> set{a, b, a};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(std::hash<peer_id>{}(a), std::hash<peer_id>{}(peer_id::from_bytes(a.to_bytes()).value()));
  EXPECT_EQ(a.short_string(), a.to_base58().substr(a.to_base58().size() - 6));
}

TEST(peer_id, random_bytes_never_crash) {
  std::mt19937 rng(99);
  const bytes seed = peer_id::parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA").value().to_bytes();
  for (int i = 0; i < 3000; ++i) {
    bytes in = seed;
    for (int e = 0; e < 1 + static_cast<int>(rng() % 3); ++e) in[rng() % in.size()] = static_cast<std::uint8_t>(rng());
    if (auto p = peer_id::from_bytes(in)) {
      EXPECT_EQ(peer_id::parse(p->to_base58()).value(), *p);
      EXPECT_EQ(peer_id::parse(p->to_cid_string()).value(), *p);
    }
    (void)peer_id::parse(as_string_view(in));
  }
}

}  // namespace
}  // namespace agentp2p::crypto
