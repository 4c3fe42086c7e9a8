// Tool policy and per-peer call limits, as a remote caller meets them.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "agentp2p/agent/tools/registry.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr std::string_view alice = "12D3KooWAlice";
constexpr std::string_view bob = "12D3KooWBob";

tools::tool_definition def(std::string name, tools::tool_origin origin) {
  tools::tool_definition d;
  d.name = std::move(name);
  d.description = "test tool";
  d.input_schema = json::parse(R"({"type":"object"})").as_object();
  d.origin = origin;
  return d;
}

awaitable<result<json::value>> ok_handler(json::object, tools::call_context&) { co_return json::value("ok"); }

awaitable<result<json::value>> slow_handler(json::object, tools::call_context& ctx) {
  asio::steady_timer t(ctx.get_executor(), 10s);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return json::value("late");
}

std::vector<std::string> names(const std::vector<tools::tool_definition>& defs) {
  std::vector<std::string> out;
  for (const auto& d : defs) out.push_back(d.name);
  return out;
}

// The error code of one call by `caller` ("" on success). `ctx` must outlive
// `reg`: the registry's workers may still hold a finished call's timer (bound
// to the caller's context) until the registry is destroyed.
std::string call_as(asio::io_context& ctx, tools::registry& reg, std::string tool, std::string_view caller) {
  ctx.restart();
  std::string outcome = "not run";
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    tools::call_options opts;
    opts.caller = std::string(caller);
    auto r = co_await reg.call(tool, json::object(), opts);
    outcome = r ? "" : r.error().what();
  });
  return outcome;
}

void add_three(tools::registry& reg) {
  ASSERT_TRUE(reg.add(def("node_info", tools::tool_origin::builtin), ok_handler));
  ASSERT_TRUE(reg.add(def("translate", tools::tool_origin::local), ok_handler));
  ASSERT_TRUE(reg.add(def("read_file", tools::tool_origin::external), ok_handler));
}

}  // namespace

TEST(tool_policy, external_tools_are_hidden_from_peers_by_default) {
  asio::io_context ctx;
  tools::registry reg;
  add_three(reg);
  EXPECT_EQ(names(reg.list_for(alice)), (std::vector<std::string>{"node_info", "translate"}));
  EXPECT_EQ(names(reg.list_for("")), (std::vector<std::string>{"node_info", "read_file", "translate"}));
  EXPECT_EQ(call_as(ctx, reg, "translate", alice), "");
  EXPECT_EQ(call_as(ctx, reg, "read_file", ""), "");  // local callers may call everything
  const auto err = call_as(ctx, reg, "read_file", alice);
  EXPECT_NE(err.find("not exposed"), std::string::npos) << err;
  EXPECT_NE(err.find("external MCP server"), std::string::npos) << err;
  EXPECT_NE(err.find("permission denied"), std::string::npos) << err;
  EXPECT_EQ(tools::rpc_code(agentp2p::error(errc::permission_denied, "")), tools::rpc::forbidden);
}

TEST(tool_policy, the_config_exposes_tools_to_everyone_or_to_listed_peers) {
  tools::config cfg;
  cfg.policy.tools["read_file"] = tools::exposure::only({std::string(alice)});
  cfg.policy.tools["translate"] = tools::exposure::nobody();
  asio::io_context ctx;
  tools::registry reg(cfg);
  add_three(reg);
  EXPECT_EQ(names(reg.list_for(alice)), (std::vector<std::string>{"node_info", "read_file"}));
  EXPECT_EQ(names(reg.list_for(bob)), (std::vector<std::string>{"node_info"}));
  EXPECT_EQ(call_as(ctx, reg, "read_file", alice), "");
  EXPECT_NE(call_as(ctx, reg, "read_file", bob), "");
  EXPECT_NE(call_as(ctx, reg, "translate", alice), "");
  // At run time: every external tool to everyone.
  tools::policy_config open;
  open.external_tools = tools::exposure::everyone();
  reg.set_policy(open);
  EXPECT_EQ(call_as(ctx, reg, "read_file", bob), "");
}

TEST(tool_limits, a_peer_calling_too_often_is_refused_others_are_not) {
  tools::config cfg;
  cfg.callers.calls_per_second = 1;
  cfg.callers.burst = 3;
  asio::io_context ctx;
  tools::registry reg(cfg);
  add_three(reg);
  int ok = 0;
  std::string last;
  for (int i = 0; i < 10; ++i) {
    last = call_as(ctx, reg, "translate", alice);
    if (last.empty()) ++ok;
  }
  // The burst, plus at most the tokens refilled while the loop ran.
  EXPECT_GE(ok, 3);
  EXPECT_LT(ok, 10);
  EXPECT_NE(last.find("too often"), std::string::npos) << last;
  EXPECT_EQ(call_as(ctx, reg, "translate", bob), "");       // another peer has its own bucket
  EXPECT_EQ(call_as(ctx, reg, "node_info", alice), "");     // and so has another tool
  for (int i = 0; i < 10; ++i) EXPECT_EQ(call_as(ctx, reg, "translate", ""), "");  // local calls are not limited
}

TEST(tool_limits, calls_in_progress_per_peer_are_bounded) {
  tools::caller_limits limits({.max_concurrent_per_peer = 2, .calls_per_second = 0, .burst = 0, .max_tracked = 16});
  EXPECT_FALSE(limits.admit(alice, "t"));
  EXPECT_FALSE(limits.admit(alice, "t"));
  auto third = limits.admit(alice, "t");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->which, tools::caller_limits::refused::limit::concurrency);
  EXPECT_FALSE(limits.admit(bob, "t"));
  limits.release(alice);
  EXPECT_FALSE(limits.admit(alice, "t"));
  EXPECT_EQ(limits.in_progress(alice), 2u);
}

TEST(tool_limits, the_token_bucket_refills_at_its_rate) {
  tools::caller_limits limits({.max_concurrent_per_peer = 0, .calls_per_second = 2, .burst = 2, .max_tracked = 16});
  auto t0 = tools::caller_limits::clock::time_point{} + 1h;
  EXPECT_FALSE(limits.admit(alice, "t", t0));
  limits.release(alice);
  EXPECT_FALSE(limits.admit(alice, "t", t0));
  limits.release(alice);
  EXPECT_TRUE(limits.admit(alice, "t", t0));
  EXPECT_FALSE(limits.admit(alice, "t", t0 + 500ms));  // one token back after half a second
  limits.release(alice);
  EXPECT_TRUE(limits.admit(alice, "t", t0 + 600ms));
}

TEST(tool_limits, a_slow_peer_holding_its_slots_is_refused_but_not_others) {
  tools::config cfg;
  cfg.callers.max_concurrent_per_peer = 2;
  asio::io_context ctx;  // outlives the registry (see call_as)
  tools::registry reg(cfg);
  ASSERT_TRUE(reg.add(def("slow", tools::tool_origin::local), slow_handler));
  ASSERT_TRUE(reg.add(def("quick", tools::tool_origin::local), ok_handler));
  std::string third, other;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    tools::call_options opts;
    opts.caller = std::string(alice);
    opts.deadline = 200ms;
    // Two slow calls hold alice's slots until their deadline...
    auto first = [](tools::registry& reg, tools::call_options o) -> awaitable<void> {
      (void)co_await reg.call("slow", json::object(), o);
    };
    asio::co_spawn(ex, first(reg, opts), asio::detached);
    asio::co_spawn(ex, first(reg, opts), asio::detached);
    asio::steady_timer settle(ex, 20ms);
    co_await settle.async_wait(asio::use_awaitable);
    auto r = co_await reg.call("quick", json::object(), opts);
    third = r ? "" : r.error().what();
    tools::call_options bob_opts;
    bob_opts.caller = std::string(bob);
    auto b = co_await reg.call("quick", json::object(), bob_opts);
    other = b ? "" : b.error().what();
    asio::steady_timer rest(ex, 400ms);
    co_await rest.async_wait(asio::use_awaitable);
  });
  EXPECT_NE(third.find("in progress"), std::string::npos) << third;
  EXPECT_EQ(other, "");
}
