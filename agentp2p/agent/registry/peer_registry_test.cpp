#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/test_support.hpp"
#include "agentp2p/agent/registry/peer_registry.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
using card::testing::eventually;

namespace {

card::agent_card card_for(const crypto::peer_id& id, std::string name) {
  card::agent_card c;
  c.name = std::move(name);
  c.peer_id = id.to_string();
  c.timestamp = 1700000000;
  return c;
}

// identify + card service + peer registry on one host, recording events.
struct node {
  std::shared_ptr<identify::service> id;
  std::shared_ptr<card::service> cards;
  std::shared_ptr<registry::peer_registry> peers;
  std::vector<registry::event> events;

  node(std::shared_ptr<host::host> h, std::string name, registry::config cfg = {}) {
    id = identify::service::start(h);
    auto self = h->id();
    cards = card::service::start(h, [self, name] { return card_for(self, name); });
    peers = registry::peer_registry::start(h, id, cards, cfg);
    peers->subscribe([this](const registry::event& e) { events.push_back(e); });
  }
  ~node() { peers->stop(); }

  std::vector<registry::event_kind> kinds_for(const crypto::peer_id& p) const {
    std::vector<registry::event_kind> out;
    for (const auto& e : events)
      if (e.peer == p) out.push_back(e.kind);
    return out;
  }
  bool has_card(const crypto::peer_id& p) const {
    auto e = peers->get(p);
    return e && e->card.has_value();
  }
};

awaitable<void> lie(std::shared_ptr<host::stream> s, std::string line) {
  (void)co_await s->write(as_bytes(line));
  (void)co_await s->close_write();
  (void)co_await core::read_to_end(*s, 1 << 20);
}

}  // namespace

TEST(peer_registry, cards_are_exchanged_automatically_after_identify_both_ways) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  node a(p.a, "alice"), b(p.b, "bob");
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return a.has_card(p.b->id()) && b.has_card(p.a->id()); }); EXPECT_TRUE(ok); }
    auto about_b = a.peers->get(p.b->id());
    EXPECT_TRUE(about_b && about_b->connected);
    if (about_b && about_b->card) {
      EXPECT_EQ(about_b->card->name, "bob");
      EXPECT_EQ(about_b->card_versions, 1u);
      EXPECT_TRUE(about_b->card_received_at.has_value());
    }
    if (auto about_a = b.peers->get(p.a->id()); about_a && about_a->card) {
      EXPECT_EQ(about_a->card->name, "alice");
    }
    using k = registry::event_kind;
    EXPECT_EQ(a.kinds_for(p.b->id()), (std::vector<k>{k::found, k::connected, k::card_updated}));
    // Exchanging again with the same content is not an update.
    { auto ok = co_await a.peers->refresh_card(p.b->id()); EXPECT_TRUE(ok); }
    EXPECT_EQ(a.kinds_for(p.b->id()).size(), 3u);
    EXPECT_FALSE(a.peers->get(p.b->id())->card_changed);
    co_await p.a->close();
    co_await p.b->close();
  });
}

TEST(peer_registry, peers_without_praxis_are_listed_without_a_card) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  node a(p.a, "alice");
  auto plain = identify::service::start(p.b);  // a libp2p node that is not an agent
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    { auto ok = co_await a.id->wait_identified(p.b->id(), 5000ms); EXPECT_TRUE(ok); }
    auto entry = a.peers->get(p.b->id());
    EXPECT_TRUE(entry);
    if (entry) {
      EXPECT_TRUE(entry->connected);
      EXPECT_FALSE(entry->card);
      EXPECT_FALSE(entry->protocols.empty());
    }
    EXPECT_EQ(a.cards->failed_exchanges(), 0u);  // never asked
    co_await p.a->close();
    co_await p.b->close();
  });
}

TEST(peer_registry, disconnected_peers_go_stale_and_are_removed) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  registry::config fast;
  fast.sweep_interval = 20ms;
  fast.stale_after = 100ms;
  node a(p.a, "alice", fast), b(p.b, "bob");
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return a.has_card(p.b->id()); }); EXPECT_TRUE(ok); }
    co_await sleep_for(200ms);  // connected peers never go stale
    EXPECT_TRUE(a.peers->get(p.b->id()));
    co_await p.a->disconnect(p.b->id());
    { auto ok = co_await eventually([&] { return !a.peers->get(p.b->id()); }); EXPECT_TRUE(ok); }
    using k = registry::event_kind;
    EXPECT_EQ(a.kinds_for(p.b->id()), (std::vector<k>{k::found, k::connected, k::card_updated, k::disconnected, k::removed}));
    co_await p.a->close();
    co_await p.b->close();
  });
}

TEST(peer_registry, a_spoofed_card_is_not_stored) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  node a(p.a, "alice");
  auto liar_id = identify::service::start(p.b);
  auto other = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
  auto line = boost::json::serialize(card::to_json(card_for(other, "mallory"))) + "\n";
  p.b->set_stream_handler(std::string(card::protocol_id),
                          [line](std::shared_ptr<host::stream> s) { return lie(std::move(s), line); });
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await p.a->connect(p.b_addr); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return a.cards->spoofed_cards() == 1; }); EXPECT_TRUE(ok); }
    auto entry = a.peers->get(p.b->id());
    EXPECT_TRUE(entry && !entry->card);
    EXPECT_FALSE(a.peers->get(other));
    co_await p.a->close();
    co_await p.b->close();
  });
}

TEST(peer_registry, discovery_adds_peers_and_stop_ends_the_sweep) {
  asio::io_context ctx;
  auto p = card::testing::make_hosts(ctx);
  node a(p.a, "alice");
  auto found = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
  a.peers->add_peer(found);
  auto e = a.peers->get(found);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->connected);
  EXPECT_EQ(a.kinds_for(found), (std::vector<registry::event_kind>{registry::event_kind::found}));
  a.peers->set_a2a_card(found, boost::json::object{{"name", "x"}});
  EXPECT_TRUE(a.peers->get(found)->a2a_card);
  a.peers->stop();
  // With the sweep stopped and the host closed, nothing is left to run.
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    co_await p.a->close();
    co_await p.b->close();
  }, 2000ms);
}
