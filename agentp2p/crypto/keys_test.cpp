#include "agentp2p/crypto/keys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/crypto/test_vectors.hpp"

namespace agentp2p::crypto {
namespace {

using test::hex;

const bytes message = to_bytes("the quick brown fox jumps over the lazy dog");

// Generated once: RSA key generation takes a while.
const private_key& rsa2048() {
  static const private_key k = private_key::generate_rsa(2048).value();
  return k;
}

std::vector<private_key> one_of_each() {
  return {private_key::generate_ed25519(), private_key::generate_secp256k1(),
          private_key::generate_ecdsa_p256(), rsa2048()};
}

TEST(sha256, known_answer) {
  EXPECT_EQ(to_hex(sha256(to_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(keys, to_string_names_types) {
  EXPECT_EQ(to_string(key_type::ed25519), "Ed25519");
  EXPECT_EQ(to_string(key_type::rsa), "RSA");
}

TEST(keys, spec_vectors_derive_the_published_public_keys) {
  for (const auto& v : test::spec_vectors) {
    SCOPED_TRACE(v.name);
    auto priv = private_key::from_protobuf(hex(v.private_pb));
    ASSERT_TRUE(priv) << priv.error().what();
    EXPECT_EQ(priv->public_key().to_protobuf(), hex(v.public_pb));
    // Re-encoding is canonical: the published bytes come back unchanged.
    EXPECT_EQ(priv->to_protobuf(), hex(v.private_pb));

    auto pub = public_key::from_protobuf(hex(v.public_pb));
    ASSERT_TRUE(pub) << pub.error().what();
    EXPECT_EQ(*pub, priv->public_key());
    EXPECT_EQ(pub->to_protobuf(), hex(v.public_pb));
    EXPECT_EQ(pub->type(), priv->type());

    auto sig = priv->sign(message);
    ASSERT_TRUE(sig) << sig.error().what();
    EXPECT_TRUE(pub->verify(message, *sig));
  }
}

TEST(keys, sign_verify_round_trip_all_types) {
  for (const auto& k : one_of_each()) {
    SCOPED_TRACE(std::string(to_string(k.type())));
    auto sig = k.sign(message);
    ASSERT_TRUE(sig) << sig.error().what();
    const public_key& pub = k.public_key();
    EXPECT_TRUE(pub.verify(message, *sig));

    bytes other_msg = message;
    other_msg.back() ^= 1;
    EXPECT_FALSE(pub.verify(other_msg, *sig));
    EXPECT_FALSE(pub.verify({}, *sig));

    for (std::size_t i : {std::size_t{0}, sig->size() / 2, sig->size() - 1}) {
      bytes bad = *sig;
      bad[i] ^= 0x01;
      EXPECT_FALSE(pub.verify(message, bad)) << "flipped byte " << i;
    }
    bytes truncated(sig->begin(), sig->end() - 1);
    EXPECT_FALSE(pub.verify(message, truncated));
    EXPECT_FALSE(pub.verify(message, {}));
    bytes longer = *sig;
    longer.push_back(0);
    EXPECT_FALSE(pub.verify(message, longer));

    // The key survives its protobuf round trip and still signs the same way.
    auto reloaded = private_key::from_protobuf(k.to_protobuf());
    ASSERT_TRUE(reloaded) << reloaded.error().what();
    EXPECT_EQ(reloaded->public_key(), pub);
    auto sig2 = reloaded->sign(message);
    ASSERT_TRUE(sig2);
    EXPECT_TRUE(pub.verify(message, *sig2));
    auto pub2 = public_key::from_protobuf(pub.to_protobuf());
    ASSERT_TRUE(pub2);
    EXPECT_EQ(*pub2, pub);
  }
}

TEST(keys, signature_from_another_key_is_rejected) {
  auto keys = one_of_each();
  auto others = one_of_each();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto sig = others[i].sign(message);
    ASSERT_TRUE(sig);
    if (i == 3) continue;  // the RSA key is shared between the two sets
    EXPECT_FALSE(keys[i].public_key().verify(message, *sig)) << to_string(keys[i].type());
  }
  // Signatures do not cross key types either.
  auto ed_sig = keys[0].sign(message).value();
  for (std::size_t i = 1; i < keys.size(); ++i)
    EXPECT_FALSE(keys[i].public_key().verify(message, ed_sig));
}

TEST(keys, generated_keys_have_expected_encodings) {
  auto ed = private_key::generate_ed25519();
  EXPECT_EQ(ed.type(), key_type::ed25519);
  EXPECT_EQ(ed.public_key().raw().size(), 32u);
  EXPECT_EQ(ed.public_key().to_protobuf().size(), 36u);
  auto secp = private_key::generate_secp256k1();
  EXPECT_EQ(secp.public_key().raw().size(), 33u);
  EXPECT_EQ(private_key::generate_ecdsa_p256().public_key().raw().size(), 91u);  // PKIX, uncompressed
  EXPECT_EQ(rsa2048().type(), key_type::rsa);
  EXPECT_NE(private_key::generate_ed25519().public_key(), ed.public_key());
}

TEST(keys, private_key_copies_and_moves) {
  auto a = private_key::generate_ecdsa_p256();
  private_key b = a;  // shares the OpenSSL key
  EXPECT_EQ(a.public_key(), b.public_key());
  private_key c = std::move(a);
  EXPECT_TRUE(b.public_key().verify(message, c.sign(message).value()));
  c = b;
  b = private_key::generate_ed25519();
  EXPECT_NE(c.public_key(), b.public_key());
  EXPECT_TRUE(c.public_key().verify(message, c.sign(message).value()));
}

// RFC 8032 section 7.1, TEST 1 (empty message).
TEST(ed25519, rfc8032_test_1) {
  const bytes seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const bytes pub = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const bytes sig = hex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
      "d25bf5f0595bbe24655141438e7a100b");
  bytes pb = hex("08011220");
  pb.insert(pb.end(), seed.begin(), seed.end());
  auto k = private_key::from_protobuf(pb);  // bare 32-byte seed is accepted
  ASSERT_TRUE(k) << k.error().what();
  EXPECT_EQ(k->public_key().raw(), pub);
  EXPECT_EQ(k->sign({}).value(), sig);
  EXPECT_TRUE(k->public_key().verify({}, sig));
  // ...and stored in the preferred 64-byte form.
  EXPECT_EQ(k->to_protobuf().size(), 4u + 64u);
}

TEST(ed25519, private_key_forms) {
  const bytes canonical = hex(test::ed25519_private);
  const bytes data(canonical.begin() + 4, canonical.end());  // seed || public
  // Legacy 96-byte form: seed || public || public.
  bytes legacy = hex("08011260");
  legacy.insert(legacy.end(), data.begin(), data.end());
  legacy.insert(legacy.end(), data.begin() + 32, data.end());
  auto k = private_key::from_protobuf(legacy);
  ASSERT_TRUE(k) << k.error().what();
  EXPECT_EQ(k->to_protobuf(), canonical);

  bytes wrong_pub = canonical;
  wrong_pub.back() ^= 1;
  EXPECT_FALSE(private_key::from_protobuf(wrong_pub));
  bytes legacy_mismatch = legacy;
  legacy_mismatch.back() ^= 1;
  EXPECT_FALSE(private_key::from_protobuf(legacy_mismatch));
  bytes short_key = hex("0801121f");
  short_key.insert(short_key.end(), data.begin(), data.begin() + 31);
  auto r = private_key::from_protobuf(short_key);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::decode_error));
}

TEST(ed25519, public_key_must_be_32_bytes) {
  EXPECT_FALSE(public_key::from_raw(key_type::ed25519, bytes(31, 1)));
  EXPECT_FALSE(public_key::from_raw(key_type::ed25519, bytes(33, 1)));
  EXPECT_TRUE(public_key::from_raw(key_type::ed25519, bytes(32, 1)));
}

// Splits a DER ECDSA signature into r and s (test helper; input is ours).
std::pair<bytes, bytes> split_der(const bytes& der) {
  std::size_t i = 2;
  bytes r(der.begin() + i + 2, der.begin() + i + 2 + der[i + 1]);
  i += 2 + der[i + 1];
  bytes s(der.begin() + i + 2, der.begin() + i + 2 + der[i + 1]);
  return {r, s};
}

bytes der_integer(bytes v) {
  while (v.size() > 1 && v[0] == 0 && !(v[1] & 0x80)) v.erase(v.begin());
  if (v[0] & 0x80) v.insert(v.begin(), 0);
  bytes out{0x02, static_cast<std::uint8_t>(v.size())};
  out.insert(out.end(), v.begin(), v.end());
  return out;
}

TEST(secp256k1, high_s_signatures_are_accepted) {
  auto k = private_key::from_protobuf(hex(test::secp256k1_private)).value();
  const bytes sig = k.sign(message).value();
  auto [r, s] = split_der(sig);
  // s' = n - s: the same signature in its high-S form.
  const bytes n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  bytes s32(32 - std::min<std::size_t>(32, s.size()), 0);
  s32.insert(s32.end(), s.end() - std::min<std::size_t>(32, s.size()), s.end());
  bytes hi(32);
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - s32[i] - borrow;
    borrow = d < 0;
    hi[i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  bytes body = der_integer(r);
  bytes si = der_integer(hi);
  body.insert(body.end(), si.begin(), si.end());
  bytes high{0x30, static_cast<std::uint8_t>(body.size())};
  high.insert(high.end(), body.begin(), body.end());
  ASSERT_NE(high, sig);
  EXPECT_TRUE(k.public_key().verify(message, sig));
  EXPECT_TRUE(k.public_key().verify(message, high));
}

TEST(secp256k1, uncompressed_public_key_is_reencoded_compressed) {
  const bytes uncompressed = hex(
      "04"
      "7777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99"
      "00000000000000000000000000000000000000000000000000000000000000");
  // Not on the curve (wrong y): rejected.
  EXPECT_FALSE(public_key::from_raw(key_type::secp256k1, uncompressed));

  auto k = private_key::generate_secp256k1();
  auto compressed = k.public_key().raw();
  EXPECT_TRUE(compressed[0] == 2 || compressed[0] == 3);
  EXPECT_FALSE(public_key::from_raw(key_type::secp256k1, byte_span(compressed).first(32)));
  bytes not_a_point = compressed;
  not_a_point[0] = 0x05;
  EXPECT_FALSE(public_key::from_raw(key_type::secp256k1, not_a_point));
}

TEST(secp256k1, spec_public_key_in_uncompressed_form) {
  // The spec key's point, uncompressed (y computed from x; odd, as the 03 prefix says).
  const bytes uncompressed = hex(
      "047777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99"
      "1b41b30efa52b659e9db235c31f9975578a17e2b356a6b84837b5b45c555cfb1");
  bytes pb = hex("08021241");
  pb.insert(pb.end(), uncompressed.begin(), uncompressed.end());
  auto pub = public_key::from_protobuf(pb);
  ASSERT_TRUE(pub) << pub.error().what();
  // Re-encoded compressed, so it is the same key (and peer id) as the vector.
  EXPECT_EQ(pub->to_protobuf(), hex(test::secp256k1_public));

  // Flipping the compressed prefix's parity gives a different, valid point.
  bytes flipped = hex(test::secp256k1_public);
  flipped[4] ^= 1;
  auto other = public_key::from_protobuf(flipped);
  ASSERT_TRUE(other);
  EXPECT_NE(*other, *pub);
}

TEST(secp256k1, private_key_range_is_checked) {
  EXPECT_FALSE(private_key::from_protobuf(hex("080212200000000000000000000000000000000000000000000000000000000000000000")));
  EXPECT_FALSE(private_key::from_protobuf(hex("08021220fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")));
  EXPECT_FALSE(private_key::from_protobuf(hex("0802121f53DADF1D5A164D6B4ACDB15E24AA4C5B1D3461BDBD42ABEDB0A4404D56CED8")));
}

TEST(ecdsa, only_p256_is_accepted) {
  auto pub = public_key::from_protobuf(hex(test::p384_public));
  ASSERT_FALSE(pub);
  EXPECT_TRUE(pub.error().is(errc::unsupported)) << pub.error().what();
  EXPECT_FALSE(private_key::from_protobuf(hex(test::p384_private)));
}

TEST(ecdsa, sec1_with_mismatched_public_point_is_rejected) {
  bytes pb = hex(test::ecdsa_private);
  pb.back() ^= 1;  // last byte of the embedded public point
  EXPECT_FALSE(private_key::from_protobuf(pb));
}

TEST(rsa, small_and_huge_keys_are_rejected) {
  auto pub = public_key::from_protobuf(hex(test::rsa1024_public));
  ASSERT_FALSE(pub);
  EXPECT_NE(pub.error().message.find("1024"), std::string::npos) << pub.error().what();
  EXPECT_FALSE(private_key::from_protobuf(hex(test::rsa1024_private)));
  auto gen = private_key::generate_rsa(1024);
  ASSERT_FALSE(gen);
  EXPECT_TRUE(gen.error().is(errc::invalid_argument));
  EXPECT_FALSE(private_key::generate_rsa(16384));
}

TEST(rsa, trailing_bytes_after_der_are_rejected) {
  bytes der = rsa2048().public_key().raw();
  der.push_back(0);
  EXPECT_FALSE(public_key::from_raw(key_type::rsa, der));
  // An Ed25519 key's bytes are not RSA DER.
  EXPECT_FALSE(public_key::from_raw(key_type::rsa, bytes(32, 7)));
  // A P-256 PKIX key is not an RSA key.
  auto ec = private_key::generate_ecdsa_p256();
  EXPECT_FALSE(public_key::from_raw(key_type::rsa, ec.public_key().raw()));
  EXPECT_FALSE(public_key::from_raw(key_type::ecdsa, rsa2048().public_key().raw()));
}

TEST(keys, protobuf_bad_input_is_an_error) {
  const bytes good = hex(test::ed25519_public);
  // Every strict prefix is missing a field or truncated.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = public_key::from_protobuf(byte_span(good).first(n));
    ASSERT_FALSE(r) << "prefix " << n;
    EXPECT_TRUE(r.error().is(errc::decode_error)) << r.error().what();
  }
  const bytes good_priv = hex(test::ed25519_private);
  for (std::size_t n = 0; n < good_priv.size(); ++n)
    EXPECT_FALSE(private_key::from_protobuf(byte_span(good_priv).first(n))) << "prefix " << n;

  bytes unknown_type = good;
  unknown_type[1] = 4;
  auto r = public_key::from_protobuf(unknown_type);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::decode_error));
  unknown_type[1] = 0x7f;
  EXPECT_FALSE(public_key::from_protobuf(unknown_type));
  EXPECT_FALSE(public_key::from_raw(static_cast<key_type>(9), bytes(32)));

  // Data only / Type only.
  EXPECT_FALSE(public_key::from_protobuf(byte_span(good).subspan(2)));
  EXPECT_FALSE(public_key::from_protobuf(hex("0801")));
  // Wrong wire type for Type.
  EXPECT_FALSE(public_key::from_protobuf(hex("0a0101")));

  bytes huge(9000, 0);
  auto big = public_key::from_protobuf(huge);
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().is(errc::too_large));
  EXPECT_FALSE(private_key::from_protobuf(huge));
}

TEST(keys, reordered_fields_are_read_and_reencoded_canonically) {
  const bytes good = hex(test::ed25519_public);
  bytes reordered(good.begin() + 2, good.end());
  reordered.insert(reordered.end(), good.begin(), good.begin() + 2);
  auto k = public_key::from_protobuf(reordered);
  ASSERT_TRUE(k) << k.error().what();
  EXPECT_EQ(k->to_protobuf(), good);
}

TEST(keys, random_and_mutated_input_never_crashes) {
  std::mt19937 rng(1234);
  std::vector<bytes> seeds;
  for (const auto& v : test::spec_vectors) {
    seeds.push_back(hex(v.public_pb));
    seeds.push_back(hex(v.private_pb));
  }
  for (int i = 0; i < 3000; ++i) {
    bytes in = seeds[rng() % seeds.size()];
    const int edits = 1 + rng() % 4;
    for (int e = 0; e < edits && !in.empty(); ++e) {
      switch (rng() % 3) {
        case 0: in[rng() % in.size()] = static_cast<std::uint8_t>(rng()); break;
        case 1: in.resize(rng() % in.size()); break;
        default: in.insert(in.begin() + rng() % in.size(), static_cast<std::uint8_t>(rng()));
      }
    }
    if (auto p = public_key::from_protobuf(in)) (void)p->verify(message, in);
    (void)private_key::from_protobuf(in);
  }
}

}  // namespace
}  // namespace agentp2p::crypto
