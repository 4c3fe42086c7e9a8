// /mcp/1.0.0 between two whole nodes: a full MCP session (initialize,
// tools/list, tools/call, resources/list, resources/read agent://card, ping)
// and praxis-go-sdk's simplified request form.
#include <gtest/gtest.h>

#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/mcp/libp2p.hpp"
#include "agentp2p/agent/mcp/test_support.hpp"
#include "agentp2p/agent/praxis/mcp_protocol.hpp"
#include "agentp2p/daemon/node.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace agentp2p;
using namespace agentp2p::mcp::testing;
using namespace std::chrono_literals;

namespace {

using agentp2p::test::temp_dir;

daemon::node_options options(const temp_dir& d, std::string name) {
  daemon::node_options o;
  o.data_dir = d.path;
  o.identity_file = d.path / "identity.key";
  o.listen = {"/ip4/127.0.0.1/tcp/0"};
  o.name = std::move(name);
  return o;
}

struct two_nodes {
  temp_dir da, db;
  std::unique_ptr<daemon::node> a, b;
  explicit two_nodes(asio::io_context& ctx) {
    auto na = daemon::node::start(ctx.get_executor(), options(da, "alice"));
    auto nb = daemon::node::start(ctx.get_executor(), options(db, "bob"));
    EXPECT_TRUE(na && nb);
    a = std::move(*na);
    b = std::move(*nb);
  }
  awaitable<bool> connect() {
    auto target = b->host().listen_addresses().front().encapsulate(
        *multiformats::multiaddr::parse("/p2p/" + b->host().id().to_string()));
    auto c = co_await a->host().connect(target);
    co_return static_cast<bool>(c);
  }
  awaitable<void> close() {
    co_await a->close();
    co_await b->close();
  }
};

}  // namespace

TEST(mcp_node, a_full_mcp_session_over_a_libp2p_stream) {
  asio::io_context ctx;
  two_nodes n(ctx);
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto connected = co_await n.connect();
    EXPECT_TRUE(connected);
    auto t = co_await mcp::open_libp2p(n.a->host(), n.b->host().id(), mcp::line_config());
    EXPECT_TRUE(t);
    if (!t) co_return;
    client c(std::move(*t), ex);

    auto init = co_await c.initialize("2025-11-25");
    EXPECT_TRUE(init);
    if (init) {
      EXPECT_EQ(init->at("serverInfo").at("name"), "bob");
    }
    auto listed = co_await c.s->request("tools/list", json::object());
    EXPECT_TRUE(listed);
    bool has_node_info = false;
    if (listed)
      for (const auto& tool : listed->at("tools").as_array()) has_node_info |= tool.at("name") == "node_info";
    EXPECT_TRUE(has_node_info);

    auto called = co_await c.s->request("tools/call", js(R"({"name":"node_info","arguments":{}})"));
    EXPECT_TRUE(called);
    if (called) {
      EXPECT_FALSE(called->at("isError").as_bool());
      EXPECT_EQ(called->at("content").at(0).at("type"), "text");
    }

    auto resources = co_await c.s->request("resources/list", json::object());
    EXPECT_TRUE(resources);
    if (resources) {
      EXPECT_EQ(resources->at("resources").at(0).at("uri"), "agent://card");
    }
    auto card = co_await c.s->request("resources/read", js(R"({"uri":"agent://card"})"));
    EXPECT_TRUE(card);
    if (card) {
      auto parsed = json::parse(card->at("contents").at(0).at("text").as_string());
      EXPECT_EQ(parsed.at("name"), "bob");
      EXPECT_EQ(parsed.at("peerId").as_string(), n.b->host().id().to_string());
    }

    // Bob knows alice's card after the exchange on connect: readable by template.
    bool known = false;
    for (int i = 0; i < 500 && !known; ++i) {
      auto e = n.b->agent().peers().get(n.a->host().id());
      known = e && e->card;
      if (!known) co_await sleep_for(10ms);
    }
    auto peer_card = co_await c.s->request(
        "resources/read", js(R"({"uri":"agent://peers/)" + n.a->host().id().to_string() + R"(/card"})"));
    EXPECT_TRUE(peer_card);
    if (peer_card) {
      EXPECT_EQ(json::parse(peer_card->at("contents").at(0).at("text").as_string()).at("name"), "alice");
    }

    auto pong = co_await c.s->request("ping", nullptr);
    EXPECT_TRUE(pong && pong->as_object().empty());
    c.s->close();
    co_await sleep_for(20ms);
    EXPECT_TRUE(c.done);
    co_await n.close();
  });
}

TEST(mcp_node, praxis_simplified_requests_without_initialize) {
  asio::io_context ctx;
  two_nodes n(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto connected = co_await n.connect();
    EXPECT_TRUE(connected);
    auto t = co_await mcp::open_libp2p(n.a->host(), n.b->host().id(), mcp::line_config());
    EXPECT_TRUE(t);
    if (!t) co_return;
    auto& raw = **t;
    // What praxis-go-sdk's bridge sends: {id, method, params}, no jsonrpc, no initialize.
    co_await send(raw, R"({"id":1,"method":"tools/list"})");
    auto m = co_await recv(raw);
    EXPECT_EQ(m.at("id"), 1);
    EXPECT_FALSE(m.as_object().contains("jsonrpc"));
    EXPECT_TRUE(m.at("result").at("tools").is_array());
    co_await send(raw, R"({"id":2,"method":"tools/call","params":{"name":"node_info","arguments":{}}})");
    m = co_await recv(raw);
    EXPECT_EQ(m.at("id"), 2);
    EXPECT_FALSE(m.at("result").at("isError").as_bool());
    co_await send(raw, R"({"id":3,"method":"resources/read","params":{"uri":"agent://card"}})");
    m = co_await recv(raw);
    EXPECT_EQ(m.at("result").at("contents").at(0).at("uri"), "agent://card");
    co_await send(raw, R"({"id":4,"method":"no/such"})");
    m = co_await recv(raw);
    EXPECT_EQ(error_code(m), -32601);
    // A JSON-RPC request on the same stream still needs initialize.
    co_await send(raw, R"({"jsonrpc":"2.0","id":5,"method":"tools/list"})");
    m = co_await recv(raw);
    EXPECT_EQ(error_code(m), -32600);
    co_await raw.close();
    co_await n.close();
  });
}

TEST(mcp_node, praxis_mcp_execute_reaches_the_full_mcp_server) {
  asio::io_context ctx;
  two_nodes n(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto connected = co_await n.connect();
    EXPECT_TRUE(connected);
    auto client = co_await praxis::mcp_client::open(n.a->host(), n.b->host().id(), praxis::client_config());
    EXPECT_TRUE(client);
    if (!client) co_return;
    auto& c = **client;
    auto listed = co_await c.request("mcp.execute", js(R"({"method":"resources/list"})"));
    EXPECT_TRUE(listed);
    if (listed) {
      EXPECT_EQ(listed->at("resources").at(0).at("uri"), "agent://card");
    }
    auto card = co_await c.request("mcp.execute", js(R"({"method":"resources/read","params":{"uri":"agent://card"}})"));
    EXPECT_TRUE(card);
    if (card) {
      EXPECT_EQ(json::parse(card->at("contents").at(0).at("text").as_string()).at("name"), "bob");
    }
    auto missing = co_await c.request("mcp.execute", js(R"({"method":"resources/read","params":{"uri":"agent://nope"}})"));
    EXPECT_FALSE(missing);
    auto unknown = co_await c.request("mcp.execute", js(R"({"method":"no/such"})"));
    EXPECT_FALSE(unknown);
    co_await c.close();
    co_await n.close();
  });
}
