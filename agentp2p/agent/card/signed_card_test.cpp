// Signed cards: sign, canonical form, verification, and the exchange's verdict.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/exchange.hpp"
#include "agentp2p/agent/card/signed_card.hpp"
#include "agentp2p/agent/card/test_support.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

card::agent_card card_of(const crypto::private_key& key) {
  card::agent_card c;
  c.name = "signer";
  c.version = "1.0.0";
  c.peer_id = crypto::peer_id::from_public_key(key.public_key()).to_string();
  c.capabilities = {"mcp", "tools"};
  c.tools.push_back({"translate", "text → text \"quoted\"", {{"text", "string", "what to translate", true}}});
  c.timestamp = 1700000000;
  return c;
}

json::value signed_json(const crypto::private_key& key) {
  auto c = card_of(key);
  EXPECT_TRUE(card::sign_card(c, key));
  return card::to_json(c);
}

}  // namespace

TEST(signed_card, a_signed_card_verifies_for_every_key_type) {
  for (auto key : {crypto::private_key::generate_ed25519(), crypto::private_key::generate_secp256k1(),
                   crypto::private_key::generate_ecdsa_p256(), crypto::private_key::generate_rsa(2048).value()}) {
    auto j = signed_json(key);
    auto v = card::verify_card(j);
    EXPECT_EQ(v.state, card::signature_state::valid) << v.reason;
    const auto owner = crypto::peer_id::from_public_key(key.public_key());
    EXPECT_EQ(card::verify_card(j, &owner).state, card::signature_state::valid);
    // It round-trips through the wire form.
    auto text = json::serialize(j);
    auto parsed = card::from_json(json::parse(text));
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(parsed->signature.empty());
    EXPECT_EQ(card::verify_card(json::parse(text)).state, card::signature_state::valid);
  }
}

TEST(signed_card, canonical_form_sorts_keys_drops_the_signature_and_ignores_member_order) {
  auto a = json::parse(R"({"b":1,"a":{"d":[3,{"z":1,"y":2}],"c":"x\"y"},"signature":"zzz"})");
  auto b = json::parse(R"({"signature":"other","a":{"c":"x\"y","d":[3,{"y":2,"z":1}]},"b":1})");
  EXPECT_EQ(card::canonical_json(a), R"({"a":{"c":"x\"y","d":[3,{"y":2,"z":1}]},"b":1})");
  EXPECT_EQ(card::canonical_json(a), card::canonical_json(b));
  // A nested "signature" member is content, not the signature.
  EXPECT_EQ(card::canonical_json(json::parse(R"({"x":{"signature":1}})")), R"({"x":{"signature":1}})");
}

TEST(signed_card, tampering_or_another_key_is_invalid_and_unsigned_is_marked) {
  const auto key = crypto::private_key::generate_ed25519();
  auto j = signed_json(key);
  // Unknown extension fields added by the signer are covered: re-sign with one.
  {
    auto c = card_of(key);
    ASSERT_TRUE(card::sign_card(c, key));
    auto with_ext = card::to_json(c);
    with_ext.as_object()["future"] = "field";
    EXPECT_EQ(card::verify_card(with_ext).state, card::signature_state::invalid);  // added after signing
  }
  {
    auto t = j;
    t.as_object()["name"] = "mallory";
    auto v = card::verify_card(t);
    EXPECT_EQ(v.state, card::signature_state::invalid);
    EXPECT_NE(v.reason.find("does not match"), std::string::npos) << v.reason;
  }
  {
    auto t = j;
    t.as_object()["tools"].as_array().clear();  // hiding a tool is tampering too
    EXPECT_EQ(card::verify_card(t).state, card::signature_state::invalid);
  }
  {
    // Someone else's key, someone else's valid signature: the key is not the peerId's.
    const auto other = crypto::private_key::generate_ed25519();
    auto t = j;
    auto o = signed_json(other);
    t.as_object()["publicKey"] = o.at("publicKey");
    t.as_object()["signature"] = o.at("signature");
    auto v = card::verify_card(t);
    EXPECT_EQ(v.state, card::signature_state::invalid);
    EXPECT_NE(v.reason.find("not to the card's peerId"), std::string::npos) << v.reason;
    // And a card that is validly signed but relayed as another peer's.
    const auto other_id = crypto::peer_id::from_public_key(other.public_key());
    EXPECT_EQ(card::verify_card(j, &other_id).state, card::signature_state::invalid);
  }
  {
    auto t = j;
    t.as_object()["signature"] = "!!!";
    EXPECT_EQ(card::verify_card(t).state, card::signature_state::invalid);
    t.as_object()["signature"] = 5;
    EXPECT_EQ(card::verify_card(t).state, card::signature_state::invalid);
  }
  {
    auto t = j;
    t.as_object().erase("signature");
    EXPECT_EQ(card::verify_card(t).state, card::signature_state::unsigned_card);
  }
  // A card naming someone else cannot be signed by us.
  auto c = card_of(key);
  c.peer_id = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key()).to_string();
  EXPECT_FALSE(card::sign_card(c, key));
}

namespace {

awaitable<void> answer_with(std::shared_ptr<host::stream> s, std::string line) {
  (void)co_await s->write(as_bytes(line));
  (void)co_await s->close_write();
  agent::json_line_reader reader(*s);
  (void)co_await reader.read();
  (void)co_await core::read_to_end(*s, 1 << 20);
}

card::agent_card plain_card(const crypto::peer_id& id) {
  card::agent_card c;
  c.name = "x";
  c.peer_id = id.to_string();
  return c;
}

}  // namespace

TEST(signed_card, the_exchange_marks_signed_and_unsigned_cards_and_rejects_bad_signatures) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  auto a_id = p.a->id();
  auto b_id = p.b->id();
  card::exchange_config unsigned_cfg;
  unsigned_cfg.sign = false;
  auto ca = card::service::start(p.a, [a_id] { return plain_card(a_id); });
  auto cb = card::service::start(p.b, [b_id] { return plain_card(b_id); });
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    auto theirs = co_await ca->exchange(b_id);
    EXPECT_TRUE(theirs && theirs->verified == card::signature_state::valid);
    // A praxis-go-sdk style peer: no signature.
    cb->stop();
    auto cb2 = card::service::start(p.b, [b_id] { return plain_card(b_id); }, unsigned_cfg);
    auto plain = co_await ca->exchange(b_id);
    EXPECT_TRUE(plain && plain->verified == card::signature_state::unsigned_card);
    // A forged signature: rejected and counted.
    cb2->stop();
    auto forged = card::to_json(plain_card(b_id));
    forged.as_object()["publicKey"] = "CAESIA";
    forged.as_object()["signature"] = "AAAA";
    const auto line = json::serialize(forged) + "\n";
    p.b->set_stream_handler(std::string(card::protocol_id), [line](std::shared_ptr<host::stream> s) -> awaitable<void> {
      return answer_with(std::move(s), line);
    });
    auto bad = co_await ca->exchange(b_id);
    EXPECT_FALSE(bad);
    if (!bad) {
      EXPECT_TRUE(bad.error().is(errc::crypto_error)) << bad.error().what();
      EXPECT_NE(bad.error().message.find("invalid signature"), std::string::npos);
    }
    EXPECT_EQ(ca->invalid_signatures(), 1u);
    co_await p.a->close();
    co_await p.b->close();
  });
}
