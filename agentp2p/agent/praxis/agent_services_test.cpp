#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/agent/praxis/test_support.hpp"
#include "agentp2p/agent/praxis/tool_protocol.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
using namespace praxis::testing;
namespace json = boost::json;

namespace {

bool has_card(praxis::agent_services& s, const crypto::peer_id& p) {
  auto e = s.peers().get(p);
  return e && e->card;
}

std::size_t tools_in_card(praxis::agent_services& s, const crypto::peer_id& p) {
  auto e = s.peers().get(p);
  return e && e->card ? e->card->tools.size() : 0;
}

}  // namespace

TEST(agent_services, cards_arrive_on_connect_and_remote_tools_are_callable_both_ways) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return has_card(*ag.a, ag.peer_b()) && has_card(*ag.b, ag.peer_a()); }); EXPECT_TRUE(ok); }
    auto card_b = ag.a->peers().get(ag.peer_b())->card;
    if (card_b) {
      EXPECT_EQ(card_b->name, "bob");
      EXPECT_EQ(card_b->tools.size(), 6u);
    }

    // b's tools as a sees them, with parameters from the schemas.
    auto listed = ag.a->remote().list();
    EXPECT_EQ(listed.size(), 6u);
    for (const auto& t : listed) {
      EXPECT_EQ(t.peer, ag.peer_b());
      if (t.spec.name == "add") {
        EXPECT_EQ(t.spec.parameters.size(), 2u);
      }
    }

    auto sum = co_await ag.a->remote().call(ag.peer_b(), "add", json::parse(R"({"a":1,"b":2})").as_object());
    EXPECT_TRUE(sum && sum->as_double() == 3.0);
    auto echoed = co_await ag.b->remote().call(ag.peer_a(), "echo", json::parse(R"({"text":"back"})").as_object());
    EXPECT_TRUE(echoed && echoed->at("text").as_string() == "back");
    auto bad = co_await ag.a->remote().call(ag.peer_b(), "count", json::parse(R"({"count":"x"})").as_object());
    EXPECT_TRUE(!bad && bad.error().is(errc::invalid_argument));
    tools::call_options quick;
    quick.deadline = 100ms;
    auto slow = co_await ag.a->remote().call(ag.peer_b(), "hang", json::object(), quick);
    EXPECT_TRUE(!slow && slow.error().is(errc::timeout));
    co_await ag.close();
  });
}

TEST(agent_services, a_new_tool_reaches_the_peers_card) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return has_card(*ag.a, ag.peer_b()) && has_card(*ag.b, ag.peer_a()); }); EXPECT_TRUE(ok); }
    int updates = 0;
    ag.a->peers().subscribe([&](const registry::event& e) {
      if (e.kind == registry::event_kind::card_updated && e.peer == ag.peer_b()) ++updates;
    });
    EXPECT_TRUE(ag.b->tools().add(tool("late", "added later", R"({"type":"object"})"), add_tool));
    { auto ok = co_await eventually([&] { return tools_in_card(*ag.a, ag.peer_b()) == 7; }); EXPECT_TRUE(ok); }
    EXPECT_EQ(updates, 1);
    auto e = ag.a->peers().get(ag.peer_b());
    EXPECT_TRUE(e && e->card_changed && e->card_versions == 2);
    co_await ag.close();
  });
}

// A tool added while the card exchange that announced the previous change is
// still in flight reaches the peer too (it used to be dropped: one exchange
// per peer at a time, and the second request was simply ignored).
TEST(agent_services, a_tool_added_during_a_card_exchange_reaches_the_peer) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return has_card(*ag.a, ag.peer_b()) && has_card(*ag.b, ag.peer_a()); }); EXPECT_TRUE(ok); }
    EXPECT_TRUE(ag.b->tools().add(tool("late1", "added later", R"({"type":"object"})"), add_tool));
    // Let the exchange for late1 start (and send b's card) before late2 comes.
    for (int i = 0; i < 4; ++i) co_await asio::post(ex, asio::use_awaitable);
    EXPECT_TRUE(ag.b->tools().add(tool("late2", "added later still", R"({"type":"object"})"), add_tool));
    { auto ok = co_await eventually([&] { return tools_in_card(*ag.a, ag.peer_b()) == 8; }); EXPECT_TRUE(ok); }
    co_await ag.close();
  });
}

TEST(agent_services, our_card_tracks_our_tools) {
  asio::io_context ctx;
  agents ag(ctx);
  auto c = ag.a->our_card();
  EXPECT_EQ(c.name, "alice");
  EXPECT_EQ(c.peer_id, ag.peer_a().to_string());
  EXPECT_EQ(c.tools.size(), 6u);
  ag.a->tools().remove("boom");
  EXPECT_EQ(ag.a->our_card().tools.size(), 5u);
  test::run_void(ctx, [&](executor) -> awaitable<void> { co_await ag.close(); });
}

TEST(agent_services, stop_removes_the_protocol_handlers) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    ag.b->stop();
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "add", json::parse(R"({"a":1,"b":2})").as_object());
    EXPECT_FALSE(r);
    co_await ag.close();
  });
}
