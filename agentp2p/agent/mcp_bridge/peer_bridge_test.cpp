// The P2P-MCP bridge with two real agents on loopback: alice runs our MCP
// server with the bridge, bob offers tools. An MCP client (in memory) calls
// bob's tools through alice; cancelling such a call cancels bob's handler.
#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/mcp/client.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/mcp/transport.hpp"
#include "agentp2p/agent/mcp_bridge/peer_bridge.hpp"
#include "agentp2p/agent/praxis/test_support.hpp"
#include "agentp2p/base/task_group.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
using namespace praxis::testing;
namespace json = boost::json;

namespace {

bool knows_tools_of(praxis::agent_services& s, const crypto::peer_id& p) {
  auto e = s.peers().get(p);
  return e && e->card && !e->card->tools.empty();
}

json::object call_peer_tool_args(std::string peer, std::string tool) {
  json::object a;
  a["peer"] = std::move(peer);
  a["tool"] = std::move(tool);
  a["arguments"] = json::object();
  return a;
}

// A call through the bridge whose MCP caller gives up (the client's timeout:
// it sends notifications/cancelled). Bob's handler must see the cancellation
// long before any deadline (the bridge waits 60 s, the tool an hour).
awaitable<void> give_up_on(mcp::client& c, std::string tool, json::object args, agents& ag, int expected) {
  mcp::call_options impatient;
  impatient.timeout = 200ms;
  auto r = co_await c.call_tool(tool, std::move(args), impatient);
  EXPECT_TRUE(!r && r.error().is(errc::timeout)) << tool << ": " << (r ? "answered" : r.error().what());
  bool seen = co_await eventually([&] { return ag.probes_b->hang_cancelled >= expected; }, 10s);
  EXPECT_TRUE(seen) << tool << ": bob's handler was not cancelled (" << ag.probes_b->hang_cancelled << " of " << expected
                    << ")";
}

awaitable<void> cancel_through_the_bridge(executor ex, agents& ag) {
  using namespace asio::experimental::awaitable_operators;
  bool connected = co_await ag.connect();
  EXPECT_TRUE(connected);
  bool carded = co_await eventually([&] { return knows_tools_of(*ag.a, ag.peer_b()); }, 10s);
  EXPECT_TRUE(carded);
  auto srv = mcp::server::create(mcp::server_config());
  auto bridge = mcp_bridge::peer_bridge::start(srv, ag.hosts.a, *ag.a, nullptr, mcp_bridge::config());
  bool exposed = co_await eventually([&] { return bridge->exposed().contains("bob.hang"); }, 10s);
  EXPECT_TRUE(exposed);

  auto [ours, theirs] = mcp::make_memory_pair(ex);
  task_group serving(ex);
  serving.spawn(srv->serve(std::move(theirs)), "mcp server");
  auto c = mcp::client::create(std::move(ours), mcp::client_config());
  auto info = co_await c->connect();
  EXPECT_TRUE(info);
  if (info && exposed) {
    int expected = 0;
    for (int round = 0; round < 3; ++round) {
      co_await give_up_on(*c, "bob.hang", json::object(), ag, ++expected);
      co_await give_up_on(*c, "call_peer_tool", call_peer_tool_args("bob", "hang"), ag, ++expected);
    }
    // The calling coroutine itself cancelled (not a timeout): the same.
    auto raced = co_await (c->call_tool("bob.hang", json::object()) || sleep_for(200ms));
    EXPECT_EQ(raced.index(), 1u);
    ++expected;
    bool seen = co_await eventually([&] { return ag.probes_b->hang_cancelled >= expected; }, 10s);
    EXPECT_TRUE(seen);
    // The bridge still works.
    auto sum = co_await c->call_tool("bob.add", json::parse(R"({"a":2,"b":3})").as_object());
    EXPECT_TRUE(sum) << (sum ? "" : sum.error().what());
    bool idle = co_await eventually([&] { return ag.b->tools().active_calls() == 0; }, 10s);
    EXPECT_TRUE(idle);
  }
  co_await c->close();
  co_await serving.join();
  bridge->stop();
  co_await ag.close();
}

TEST(peer_bridge, cancelling_a_bridged_call_cancels_the_peers_handler) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&ag](executor ex) { return cancel_through_the_bridge(ex, ag); }, 50s);
}

}  // namespace
