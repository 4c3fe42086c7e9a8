// The MCP client against our own MCP server over an in-memory transport pair.
#include <gtest/gtest.h>

#include <atomic>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "agentp2p/agent/mcp/client.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/mcp/test_support.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace agentp2p::mcp;
using namespace agentp2p::mcp::testing;
using namespace std::chrono_literals;

namespace {

struct probes {
  int slow_started = 0;
  int slow_cancelled = 0;
};

tool simple_tool(std::string name) {
  tool t;
  t.name = std::move(name);
  t.description = "echoes " + t.name;
  return t;
}

awaitable<result<json::value>> echo(std::string name, json::object args) {
  json::object out;
  out["tool"] = name;
  out["args"] = std::move(args);
  co_return json::value(std::move(out));
}

awaitable<result<json::value>> with_progress(json::object, tool_context& ctx) {
  ctx.progress(1, 3, "one");
  ctx.progress(2, 3, "two");
  ctx.progress(3, 3);
  co_return json::value("done");
}

awaitable<result<json::value>> slow(std::shared_ptr<probes> p, tool_context& ctx) {
  ++p->slow_started;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ctx;
  if (ec) ++p->slow_cancelled;
  co_return json::value("woke");
}

awaitable<result<json::value>> ask_roots(tool_context& ctx) {
  auto r = co_await ctx.list_roots();
  if (!r) co_return std::move(r).error();
  co_return *r;
}

awaitable<result<json::value>> ask_elicit(tool_context& ctx) {
  json::object q;
  q["message"] = "name?";
  q["requestedSchema"] = js(R"({"type":"object","properties":{"name":{"type":"string","default":"ada"}}})");
  auto r = co_await ctx.elicit(std::move(q));
  if (!r) co_return std::move(r).error();
  co_return *r;
}

std::shared_ptr<server> make_server(std::shared_ptr<probes> p) {
  server_config cfg;
  cfg.info.name = "test-server";
  cfg.page_size = 2;  // so five tools take three pages
  auto srv = server::create(cfg);
  for (std::string n : {"a", "b", "c"})
    EXPECT_TRUE(srv->add_tool(simple_tool(n), [n](json::object args, tool_context&) { return echo(n, std::move(args)); }));
  EXPECT_TRUE(srv->add_tool(simple_tool("progress"), [](json::object a, tool_context& c) { return with_progress(std::move(a), c); }));
  EXPECT_TRUE(srv->add_tool(simple_tool("slow"), [p](json::object, tool_context& c) { return slow(p, c); }));
  EXPECT_TRUE(srv->add_tool(simple_tool("roots"), [](json::object, tool_context& c) { return ask_roots(c); }));
  EXPECT_TRUE(srv->add_tool(simple_tool("elicit"), [](json::object, tool_context& c) { return ask_elicit(c); }));
  return srv;
}

// A server and a client wired in memory; the server session runs in the background.
struct rig {
  std::shared_ptr<probes> p = std::make_shared<probes>();
  std::shared_ptr<server> srv = make_server(p);
  std::shared_ptr<mcp::client> c;
  explicit rig(executor ex) {
    auto [a, b] = make_memory_pair(ex);
    asio::co_spawn(ex, srv->serve(std::move(b)), asio::detached);
    client_config cfg;
    cfg.request_timeout = 5s;
    c = mcp::client::create(std::move(a), cfg);
  }
};

awaitable<void> settle(executor ex) {
  for (int i = 0; i < 20; ++i) co_await sleep_for(1ms);
  (void)ex;
}

TEST(McpClient, NegotiatesListsEveryPageAndCalls) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    rig r(ex);
    auto info = co_await r.c->connect();
    EXPECT_TRUE(info) << (info ? "" : info.error().what());
    if (!info) co_return;
    EXPECT_EQ(info->protocol_version, latest_version);
    EXPECT_EQ(info->info.name, "test-server");
    EXPECT_TRUE(info->capabilities.contains("tools"));
    auto tools = co_await r.c->list_tools();
    EXPECT_TRUE(tools);
    EXPECT_EQ(tools->size(), 7u);  // three pages of two, one of one
    auto called = co_await r.c->call_tool("b", json::parse(R"({"x":1})").as_object());
    EXPECT_TRUE(called);
    if (called) {
      EXPECT_EQ(called->at("structuredContent").at("tool"), "b");
    }
    auto unknown = co_await r.c->call_tool("nope", json::object());
    EXPECT_FALSE(unknown);
    if (!unknown) {
      EXPECT_EQ(rpc_code_of(unknown.error()), code::invalid_params);
    }
    auto pinged = co_await r.c->ping();
    EXPECT_TRUE(pinged);
    co_await r.c->close();
    EXPECT_TRUE(r.c->closed());
  });
}

TEST(McpClient, AsksForAnOlderVersionAndGetsIt) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    rig r(ex);
    (void)r;
    auto [a, b] = make_memory_pair(ex);
    asio::co_spawn(ex, r.srv->serve(std::move(b)), asio::detached);
    client_config cfg;
    cfg.protocol_version = "2024-11-05";
    auto c = mcp::client::create(std::move(a), cfg);
    auto info = co_await c->connect();
    EXPECT_TRUE(info);
    if (info) {
      EXPECT_EQ(info->protocol_version, "2024-11-05");
    }
    co_await c->close();
  });
}

TEST(McpClient, ProgressReachesTheCaller) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    rig r(ex);
    auto info = co_await r.c->connect();
    EXPECT_TRUE(info);
    auto seen = std::make_shared<std::vector<std::string>>();
    call_options opts;
    opts.on_progress = [seen](double p, double total, const std::string& m) {
      seen->push_back(std::to_string(static_cast<int>(p)) + "/" + std::to_string(static_cast<int>(total)) + " " + m);
    };
    auto called = co_await r.c->call_tool("progress", json::object(), opts);
    EXPECT_TRUE(called);
    co_await settle(ex);
    EXPECT_EQ(*seen, (std::vector<std::string>{"1/3 one", "2/3 two", "3/3 "}));
    co_await r.c->close();
  });
}

TEST(McpClient, TimeoutCancelsTheCallOnTheServer) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    rig r(ex);
    auto info = co_await r.c->connect();
    EXPECT_TRUE(info);
    call_options opts;
    opts.timeout = 100ms;
    auto called = co_await r.c->call_tool("slow", json::object(), opts);
    EXPECT_FALSE(called);
    if (!called) {
      EXPECT_TRUE(called.error().is(errc::timeout)) << called.error().what();
    }
    for (int i = 0; i < 500 && r.p->slow_cancelled == 0; ++i) co_await sleep_for(2ms);
    EXPECT_EQ(r.p->slow_started, 1);
    EXPECT_EQ(r.p->slow_cancelled, 1);  // the server got notifications/cancelled
    auto still = co_await r.c->call_tool("a", json::object());
    EXPECT_TRUE(still);  // the session goes on
    co_await r.c->close();
  });
}

TEST(McpClient, ListChangedRefreshesTheTools) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    rig r(ex);
    auto info = co_await r.c->connect();
    EXPECT_TRUE(info);
    auto first = co_await r.c->list_tools();
    EXPECT_TRUE(first);
    auto latest = std::make_shared<std::size_t>(0);
    r.c->on_tools_changed([latest](const std::vector<tool>& t) { *latest = t.size(); });
    EXPECT_TRUE(r.srv->add_tool(simple_tool("d"), [](json::object a, tool_context&) { return echo("d", std::move(a)); }));
    for (int i = 0; i < 500 && *latest != 8; ++i) co_await sleep_for(2ms);
    EXPECT_EQ(*latest, 8u);
    EXPECT_EQ(r.c->tools().size(), 8u);
    co_await r.c->close();
  });
}

TEST(McpClient, ServerRequestsAreRefusedUnlessHandled) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    rig r(ex);
    auto info = co_await r.c->connect();
    EXPECT_TRUE(info);
    // No roots set: roots/list → -32601, the tool reports the failure.
    auto roots = co_await r.c->call_tool("roots", json::object());
    EXPECT_TRUE(roots);
    if (roots) {
      EXPECT_TRUE(roots->at("isError").as_bool());
    }
    // No elicitation handler: the capability is not declared, the server does not even ask.
    auto elicit = co_await r.c->call_tool("elicit", json::object());
    EXPECT_TRUE(elicit);
    if (elicit) {
      EXPECT_TRUE(elicit->at("isError").as_bool());
    }
    co_await r.c->close();

    rig r2(ex);
    r2.c->set_roots({root{"file:///tmp/x", "x"}});
    r2.c->set_request_handler("elicitation/create", [](json::value) -> awaitable<result<json::value>> {
      co_return json::parse(R"({"action":"accept","content":{"name":"grace"}})");
    });
    auto info2 = co_await r2.c->connect();
    EXPECT_TRUE(info2);
    auto roots2 = co_await r2.c->call_tool("roots", json::object());
    EXPECT_TRUE(roots2);
    if (roots2) {
      EXPECT_EQ(roots2->at("structuredContent").at("roots").at(0).at("uri"), "file:///tmp/x");
    }
    auto elicit2 = co_await r2.c->call_tool("elicit", json::object());
    EXPECT_TRUE(elicit2);
    if (elicit2) {
      EXPECT_EQ(elicit2->at("structuredContent").at("content").at("name"), "grace");
    }
    co_await r2.c->close();
  });
}

TEST(McpClient, AServerThatNeverAnswersFailsInitializeClearly) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    auto [a, b] = make_memory_pair(ex);  // nobody serves b
    client_config cfg;
    cfg.connect_timeout = 100ms;
    auto c = mcp::client::create(std::move(a), cfg);
    auto info = co_await c->connect();
    EXPECT_FALSE(info);
    if (!info) {
      EXPECT_TRUE(info.error().is(errc::timeout));
      EXPECT_NE(info.error().message.find("initialize"), std::string::npos) << info.error().message;
    }
    co_await c->close();
  });
}

}  // namespace
