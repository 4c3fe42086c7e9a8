// The Noise state machine checked bit-for-bit against published
// Noise_XX_25519_ChaChaPoly_SHA256 test vectors, plus the failure paths of
// the pure layer (cipher_state, handshake_state, handshake_payload).
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/security/noise/handshake_payload.hpp"
#include "agentp2p/security/noise/handshake_state.hpp"

using namespace agentp2p;
using namespace agentp2p::noise;

namespace {

bytes hex(std::string_view h) {
  bytes out;
  if (!from_hex(h, out)) throw std::runtime_error("bad hex in test vector");
  return out;
}

dh_key key_from_hex(std::string_view h) {
  auto b = hex(h);
  dh_key k{};
  std::copy(b.begin(), b.end(), k.begin());
  return k;
}

struct vector_message {
  const char* payload;
  const char* ciphertext;
};

struct test_vector {
  const char* name;
  const char* prologue;
  const char* init_static;
  const char* init_ephemeral;
  const char* resp_static;
  const char* resp_ephemeral;
  const char* handshake_hash;  // empty when the file gives none
  std::vector<vector_message> messages;
};

// Copied from the vector files (JSON) of the snow project, which collects the
// cacophony vectors and its own; only the XX_25519_ChaChaPoly_SHA256 entries.
const std::vector<test_vector> vectors = {
    // cacophony: mcginty/snow tests/vectors/cacophony.txt
    {"cacophony",
     "4a6f686e2047616c74",
     "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1", "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
     "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893", "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
     "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
     {
        {"4c756477696720766f6e204d69736573",
         "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
        {"4d757272617920526f746862617264",
         "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285"
         "e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f"
         "8814c7194e83f23dbd8d162c9326ad"},
        {"462e20412e20486179656b",
         "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f"
         "58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
        {"4361726c204d656e676572",
         "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
        {"4a65616e2d426170746973746520536179",
         "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
        {"457567656e2042f6686d20766f6e2042617765726b",
         "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"}
     }},
    // snow: mcginty/snow tests/vectors/snow.txt
    {"snow",
     "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e20616e"
         "6420626f72696e672e",
     "7dec208517a3b81a2861d7a71266d5d6dc944c5a8816634a86fe63198a0148ee", "a32daf21e93c0131495ce1d903181fde81cc46937daaeb990bae7c992709421e",
     "4d0aed5098e3b4ef20357e9f686ce66204c792b358da2e475017d6c485304881", "4eece0f195d026db035ff987597c429d3ad3bcc2944df37d649528951b2a27c5",
     "",
     {
        {"d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34",
         "f9fa868ba97ab8a2686deccfaad5a484ee10a5bb85e3d1dce015a84797f92818d03c489139e645d0711a3c9e810d776b"
         "46a84912463fafa87b884eebf242dc34"},
        {"d8190a92f7dc0c93dbea9118ba8055751fb7c6590c416ffbd419964132b99a85",
         "8c4e6fdb7d09d501a86f7eca5c234522751706ed409182c05cdf5f827d4dae47b81c6c5f43b025692c24391eefee725c"
         "17d8cb0fbe3e4abb8aedf42c4fd2592d4ea48ac08989d6ae8b4adae08b2c34087c808c7aa55a63c02b0fab9e93061233"
         "6bd43eaea04d3c670a0a146691aa9cc9d357872320dc735dbc48580cffb553db"},
        {"77891b19dcb92ef7c055b672c4a5aa7fdf1c84146b8b303459022729473ce254",
         "933ca6b5ed60df3df66121f0ab49a09e49efa45c613a86a3cecbf4c535cef2f83f72b42837b18e3572f2fdc2b74c331e"
         "2368a545cef54bdca081678ab0e9dd5348122459e0c034c851984d88ce610963d43cde6cfe73a67fbd5a63e8bfca96d0"},
        {"d7efdf988072881941db045a42882433817555128fbf5663e56081712ec7d212",
         "54ef0ff0629e1aaa7685a2806ab111cba76b52331f2642276736f415868eacb69ab2577f3bda0cbf72f879685f6ed25f"},
        {"dd7bf01a588bafb52c6cfba952e5d8fe35cc2b3f92b4730ae2474615157345ce",
         "356be70f110306d5c699bb834bb9d58d909e325924dfbec972e406e6f294dc63e1daebefe8a62a334facc8048ab4ad66"}
     }}
};

class vectors_test : public ::testing::TestWithParam<test_vector> {};

TEST_P(vectors_test, handshake_and_transport_match_bit_for_bit) {
  const auto& v = GetParam();
  const auto prologue = hex(v.prologue);
  handshake_state init(role::initiator, x25519_keypair::from_private(key_from_hex(v.init_static)), prologue,
                       x25519_keypair::from_private(key_from_hex(v.init_ephemeral)));
  handshake_state resp(role::responder, x25519_keypair::from_private(key_from_hex(v.resp_static)), prologue,
                       x25519_keypair::from_private(key_from_hex(v.resp_ephemeral)));
  ASSERT_GE(v.messages.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    auto& sender = i % 2 == 0 ? init : resp;
    auto& receiver = i % 2 == 0 ? resp : init;
    ASSERT_TRUE(sender.my_turn());
    auto ct = sender.write_message(hex(v.messages[i].payload));
    ASSERT_TRUE(ct) << ct.error().what();
    EXPECT_EQ(to_hex(*ct), v.messages[i].ciphertext) << "message " << i;
    auto pt = receiver.read_message(*ct);
    ASSERT_TRUE(pt) << pt.error().what();
    EXPECT_EQ(to_hex(*pt), v.messages[i].payload) << "message " << i;
  }
  ASSERT_TRUE(init.finished());
  ASSERT_TRUE(resp.finished());
  EXPECT_EQ(init.handshake_hash(), resp.handshake_hash());
  if (std::string_view(v.handshake_hash).size() > 0) {
    EXPECT_EQ(to_hex(init.handshake_hash()), v.handshake_hash);
  }
  EXPECT_EQ(*init.remote_static(), x25519_keypair::from_private(key_from_hex(v.resp_static)).public_key);
  EXPECT_EQ(*resp.remote_static(), x25519_keypair::from_private(key_from_hex(v.init_static)).public_key);

  auto ik = init.split();
  auto rk = resp.split();
  ASSERT_TRUE(ik && rk);
  for (std::size_t i = 3; i < v.messages.size(); ++i) {
    auto& send = i % 2 == 0 ? ik->send : rk->send;
    auto& recv = i % 2 == 0 ? rk->recv : ik->recv;
    auto pt = hex(v.messages[i].payload);
    bytes ct(pt.size() + tag_len);
    ASSERT_TRUE(send.encrypt_with_ad({}, pt, ct.data()));
    EXPECT_EQ(to_hex(ct), v.messages[i].ciphertext) << "message " << i;
    bytes back(pt.size());
    auto n = recv.decrypt_with_ad({}, ct, back.data());
    ASSERT_TRUE(n);
    EXPECT_EQ(back, pt);
  }
}

INSTANTIATE_TEST_SUITE_P(noise_xx, vectors_test, ::testing::ValuesIn(vectors),
                         [](const auto& info) { return std::string(info.param.name); });

// Two fresh sides of a handshake with random keys.
struct pair_state {
  handshake_state init{role::initiator, x25519_keypair::generate()};
  handshake_state resp{role::responder, x25519_keypair::generate()};
};

TEST(cipher_state, encrypts_in_place_and_in_pieces_identically) {
  cipher_key k{};
  k[0] = 7;
  cipher_state a, b, r;
  a.initialize_key(k);
  b.initialize_key(k);
  r.initialize_key(k);
  bytes msg = to_bytes("header+payload gathered from two parts");
  bytes one(msg.size() + tag_len);
  ASSERT_TRUE(a.encrypt_with_ad({}, msg, one.data()));
  bytes two(msg.size() + tag_len);
  ASSERT_TRUE(b.begin_encrypt({}));
  ASSERT_TRUE(b.update_encrypt(byte_span(msg).first(7), two.data()));
  ASSERT_TRUE(b.update_encrypt(byte_span(msg).subspan(7), two.data() + 7));
  ASSERT_TRUE(b.finish_encrypt(two.data() + msg.size()));
  EXPECT_EQ(one, two);
  auto n = r.decrypt_with_ad({}, one, one.data());  // in place
  ASSERT_TRUE(n);
  EXPECT_EQ(bytes(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(*n)), msg);
}

TEST(cipher_state, tampered_ciphertext_fails_to_decrypt) {
  cipher_key k{};
  cipher_state s, r;
  s.initialize_key(k);
  r.initialize_key(k);
  bytes msg = to_bytes("secret");
  bytes ct(msg.size() + tag_len);
  ASSERT_TRUE(s.encrypt_with_ad({}, msg, ct.data()));
  ct[2] ^= 1;
  auto n = r.decrypt_with_ad({}, ct, ct.data());
  ASSERT_FALSE(n);
  EXPECT_TRUE(n.error().is(errc::crypto_error));
  EXPECT_NE(n.error().message.find("failed to decrypt"), std::string::npos);
}

TEST(cipher_state, refuses_the_reserved_last_nonce) {
  cipher_key k{};
  cipher_state s;
  s.initialize_key(k);
  s.set_nonce(std::numeric_limits<std::uint64_t>::max() - 1);
  bytes buf(tag_len + 1, 0);
  EXPECT_TRUE(s.encrypt_with_ad({}, byte_span(buf).first(1), buf.data()));  // nonce 2^64-2 is the last usable one
  auto r = s.encrypt_with_ad({}, byte_span(buf).first(1), buf.data());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::crypto_error));
  EXPECT_NE(r.error().message.find("nonce"), std::string::npos);
}

TEST(x25519, rejects_low_order_points) {
  auto kp = x25519_keypair::generate();
  dh_key zero{};
  auto r = x25519(kp.private_key, zero);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::crypto_error));
}

TEST(handshake_state, enforces_turns) {
  pair_state p;
  EXPECT_FALSE(p.resp.write_message({}));
  EXPECT_FALSE(p.init.read_message(bytes(32)));
  auto m1 = p.init.write_message({});
  ASSERT_TRUE(m1);
  EXPECT_FALSE(p.init.write_message({}));
  EXPECT_FALSE(p.init.split());
}

TEST(handshake_state, tampered_message_two_fails_to_decrypt_and_stays_failed) {
  pair_state p;
  auto m1 = p.init.write_message({});
  ASSERT_TRUE(p.resp.read_message(*m1));
  auto m2 = p.resp.write_message(to_bytes("payload"));
  ASSERT_TRUE(m2);
  (*m2)[40] ^= 0x80;  // inside the encrypted static key
  auto r = p.init.read_message(*m2);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::crypto_error)) << r.error().what();
  EXPECT_FALSE(p.init.write_message({}));
  EXPECT_FALSE(p.init.finished());
}

TEST(handshake_state, short_messages_are_rejected) {
  pair_state p;
  auto r1 = p.resp.read_message(bytes(31));
  ASSERT_FALSE(r1);
  EXPECT_TRUE(r1.error().is(errc::handshake_failed));

  pair_state q;
  auto m1 = q.init.write_message({});
  ASSERT_TRUE(q.resp.read_message(*m1));
  auto m2 = q.resp.write_message({});
  ASSERT_TRUE(m2);
  auto r2 = q.init.read_message(byte_span(*m2).first(90));
  ASSERT_FALSE(r2);
  EXPECT_TRUE(r2.error().is(errc::handshake_failed));
}

TEST(handshake_state, payload_too_large_for_one_message) {
  pair_state p;
  bytes huge(max_message_len);
  auto r = p.init.write_message(huge);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::too_large));
}

TEST(handshake_payload, round_trip_and_signature_checks) {
  auto id = crypto::private_key::generate_ed25519();
  auto noise_static = x25519_keypair::generate();
  extensions ext;
  ext.stream_muxers = {"/yamux/1.0.0"};
  auto p = make_handshake_payload(id, noise_static.public_key, ext);
  ASSERT_TRUE(p) << p.error().what();
  auto decoded = decode_handshake_payload(encode(*p));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->ext.stream_muxers, ext.stream_muxers);
  auto ok_id = verify_handshake_payload(*decoded, noise_static.public_key);
  ASSERT_TRUE(ok_id) << ok_id.error().what();
  EXPECT_EQ(ok_id->peer, crypto::peer_id::from_public_key(id.public_key()));

  // Signed for a different static key: someone replaying another session's payload.
  auto other = x25519_keypair::generate();
  auto bad = verify_handshake_payload(*decoded, other.public_key);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(errc::handshake_failed));
  EXPECT_NE(bad.error().message.find("signature"), std::string::npos) << bad.error().message;

  auto garbage = decode_handshake_payload(to_bytes("\xff\xff\xff"));
  EXPECT_FALSE(garbage);
}

}  // namespace
