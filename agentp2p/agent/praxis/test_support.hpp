// Test-only: two agents (host + identify + agent_services) on loopback with a
// set of test tools. Include only from *_test.cpp.
#pragma once

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/json/parse.hpp>

#include "agentp2p/agent/card/test_support.hpp"
#include "agentp2p/agent/praxis/agent_services.hpp"

namespace agentp2p::praxis::testing {

namespace json = boost::json;
using card::testing::eventually;

// What the test tools report back to the test.
struct probes {
  std::atomic<int> hang_started{0};
  std::atomic<int> hang_cancelled{0};
  std::atomic<int> poll_started{0};
  std::atomic<int> poll_cancelled{0};
};

inline awaitable<result<json::value>> add_tool(json::object args, tools::call_context&) {
  co_return json::value(args.at("a").to_number<double>() + args.at("b").to_number<double>());
}

inline awaitable<result<json::value>> echo_tool(json::object args, tools::call_context& ctx) {
  json::object out;
  out["text"] = args.at("text");
  out["caller"] = ctx.caller();
  co_return out;
}

inline awaitable<result<json::value>> count_tool(json::object args, tools::call_context&) {
  co_return json::value(args.at("count").as_int64());
}

inline awaitable<result<json::value>> boom_tool(json::object, tools::call_context&) {
  throw std::runtime_error("kaboom");
  co_return json::value();
}

// Waits an hour unless cancelled.
inline awaitable<result<json::value>> hang_tool(std::shared_ptr<probes> pr) {
  ++pr->hang_started;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) ++pr->hang_cancelled;
  co_return json::value("woke");
}

// Busy work that polls call_context::cancelled().
inline awaitable<result<json::value>> poll_tool(tools::call_context& ctx, std::shared_ptr<probes> pr) {
  ++pr->poll_started;
  while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ++pr->poll_cancelled;
  co_return make_error(errc::cancelled, "stopped");
}

inline tools::tool_definition tool(std::string name, std::string description, std::string_view schema) {
  tools::tool_definition d;
  d.name = std::move(name);
  d.description = std::move(description);
  d.input_schema = json::parse(schema).as_object();
  return d;
}

inline void add_test_tools(tools::registry& reg, std::shared_ptr<probes> pr) {
  const char* two_numbers = R"({"type":"object","properties":{"a":{"type":"number","description":"first"},
                                "b":{"type":"number"}},"required":["a","b"]})";
  EXPECT_TRUE(reg.add(tool("add", "adds two numbers", two_numbers), add_tool));
  EXPECT_TRUE(reg.add(tool("echo", "echoes text", R"({"type":"object","properties":{"text":{"type":"string"}},
                                                      "required":["text"]})"),
                      echo_tool));
  EXPECT_TRUE(reg.add(tool("count", "needs an integer", R"({"type":"object","properties":{"count":{"type":"integer"}},
                                                           "required":["count"]})"),
                      count_tool));
  EXPECT_TRUE(reg.add(tool("boom", "throws", R"({"type":"object"})"), boom_tool));
  EXPECT_TRUE(reg.add(tool("hang", "never returns", R"({"type":"object"})"),
                      [pr](json::object, tools::call_context&) { return hang_tool(pr); }));
  EXPECT_TRUE(reg.add(tool("poll", "works until cancelled", R"({"type":"object"})"),
                      [pr](json::object, tools::call_context& c) { return poll_tool(c, pr); }));
}

struct agents {
  card::testing::host_pair hosts;
  std::shared_ptr<identify::service> id_a, id_b;
  std::unique_ptr<agent_services> a, b;
  std::shared_ptr<probes> probes_a = std::make_shared<probes>();
  std::shared_ptr<probes> probes_b = std::make_shared<probes>();

  explicit agents(asio::io_context& ctx, config cfg_a = {}, config cfg_b = {}) : hosts(card::testing::make_hosts(ctx)) {
    id_a = identify::service::start(hosts.a);
    id_b = identify::service::start(hosts.b);
    cfg_a.card.name = "alice";
    cfg_b.card.name = "bob";
    a = agent_services::start(hosts.a, id_a, cfg_a);
    b = agent_services::start(hosts.b, id_b, cfg_b);
    add_test_tools(a->tools(), probes_a);
    add_test_tools(b->tools(), probes_b);
  }
  ~agents() {
    a->stop();
    b->stop();
  }

  const crypto::peer_id& peer_a() const { return hosts.a->id(); }
  const crypto::peer_id& peer_b() const { return hosts.b->id(); }

  awaitable<bool> connect() { co_return static_cast<bool>(co_await hosts.a->connect(hosts.b_addr)); }
  awaitable<void> close() {
    co_await hosts.a->close();
    co_await hosts.b->close();
  }
};

}  // namespace agentp2p::praxis::testing
