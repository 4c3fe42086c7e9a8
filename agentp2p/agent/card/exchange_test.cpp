#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/exchange.hpp"
#include "agentp2p/agent/card/test_support.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using card::testing::eventually;
namespace json = boost::json;

namespace {

card::agent_card card_for(const crypto::peer_id& id, std::string name) {
  card::agent_card c;
  c.name = std::move(name);
  c.version = "1.0.0";
  c.peer_id = id.to_string();
  c.capabilities = card::card_info::default_capabilities();
  c.timestamp = 1700000000;
  return c;
}

crypto::peer_id random_peer() {
  return crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
}

// A peer that answers with whatever line it is given (a liar, or garbage).
awaitable<void> answer_with(std::shared_ptr<host::stream> s, std::string line) {
  (void)co_await s->write(as_bytes(line));
  (void)co_await s->close_write();
  agent::json_line_reader reader(*s);
  (void)co_await reader.read();
  (void)co_await core::read_to_end(*s, 1 << 20);
}

struct received {
  std::vector<std::pair<crypto::peer_id, card::agent_card>> cards;
};

std::shared_ptr<card::service> start(std::shared_ptr<host::host> h, std::string name, received& log,
                                     card::exchange_config cfg = {}) {
  auto id = h->id();
  auto svc = card::service::start(h, [id, name] { return card_for(id, name); }, cfg);
  svc->on_card([&log](const crypto::peer_id& p, const card::agent_card& c) { log.cards.emplace_back(p, c); });
  return svc;
}

}  // namespace

TEST(card_exchange, both_sides_receive_each_others_card) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  received at_a, at_b;
  auto ca = start(p.a, "alice", at_a);
  auto cb = start(p.b, "bob", at_b);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    auto theirs = co_await ca->exchange(p.b->id());
    EXPECT_TRUE(theirs) << theirs.error().what();
    if (theirs) {
      EXPECT_EQ(theirs->name, "bob");
      EXPECT_EQ(theirs->peer_id, p.b->id().to_string());
    }
    // The inbound side learns the dialer's card from the same exchange.
    { auto ok = co_await eventually([&] { return at_b.cards.size() == 1; }); EXPECT_TRUE(ok); }
    if (at_b.cards.size() == 1) {
      EXPECT_EQ(at_b.cards[0].first, p.a->id());
      EXPECT_EQ(at_b.cards[0].second.name, "alice");
    }
    EXPECT_EQ(at_a.cards.size(), 1u);
    // And the other way round, through the free function.
    auto back = co_await card::exchange_card(*p.b, p.a->id(), card_for(p.b->id(), "bob"));
    EXPECT_TRUE(back && back->name == "alice");
    EXPECT_EQ(ca->spoofed_cards() + cb->spoofed_cards(), 0u);
    co_await p.a->close();
    co_await p.b->close();
  });
}

TEST(card_exchange, a_card_naming_someone_else_is_rejected) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  received at_a;
  auto ca = start(p.a, "alice", at_a);
  // b claims to be a third peer.
  auto lie = json::serialize(card::to_json(card_for(random_peer(), "mallory"))) + "\n";
  p.b->set_stream_handler(std::string(card::protocol_id),
                          [lie](std::shared_ptr<host::stream> s) { return answer_with(std::move(s), lie); });
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    auto theirs = co_await ca->exchange(p.b->id());
    EXPECT_FALSE(theirs);
    if (!theirs) {
      EXPECT_TRUE(theirs.error().is(errc::peer_id_mismatch)) << theirs.error().what();
    }
    EXPECT_EQ(ca->spoofed_cards(), 1u);
    EXPECT_TRUE(at_a.cards.empty());
    co_await p.a->close();
    co_await p.b->close();
  });
}

TEST(card_exchange, a_spoofed_inbound_card_is_rejected_and_counted) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  received at_b;
  auto cb = start(p.b, "bob", at_b);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    auto s = co_await p.a->new_stream(p.b->id(), card::protocol_id);
    EXPECT_TRUE(s);
    if (!s) co_return;
    // a sends a card claiming a third identity; it still gets b's card.
    auto theirs = co_await card::exchange_over(**s, card_for(random_peer(), "mallory"), card::exchange_config());
    EXPECT_TRUE(theirs) << theirs.error().what();
    { auto ok = co_await eventually([&] { return cb->spoofed_cards() == 1; }); EXPECT_TRUE(ok); }
    EXPECT_TRUE(at_b.cards.empty());
    co_await p.a->close();
    co_await p.b->close();
  });
}

TEST(card_exchange, garbage_and_oversized_cards_are_errors) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  received at_a;
  card::exchange_config small;
  small.max_line = 2048;
  auto ca = start(p.a, "alice", at_a, small);
  p.b->set_stream_handler("/praxis/card/1.0.0",
                          [](std::shared_ptr<host::stream> s) { return answer_with(std::move(s), "this is not json\n"); });
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    auto garbage = co_await ca->exchange(p.b->id());
    EXPECT_TRUE(!garbage && garbage.error().is(errc::decode_error));
    auto big = card_for(p.b->id(), std::string(200, 'b'));
    big.tools.assign(50, card::tool_spec{"t", std::string(100, 'd'), {}});
    auto line = json::serialize(card::to_json(big)) + "\n";
    p.b->set_stream_handler("/praxis/card/1.0.0",
                            [line](std::shared_ptr<host::stream> s) { return answer_with(std::move(s), line); });
    auto oversized = co_await ca->exchange(p.b->id());
    EXPECT_TRUE(!oversized && oversized.error().is(errc::too_large));
    EXPECT_EQ(ca->failed_exchanges(), 2u);
    EXPECT_EQ(ca->spoofed_cards(), 0u);
    co_await p.a->close();
    co_await p.b->close();
  });
}
