// The daemon's HTTP API routes, called in-process on two daemons that talk
// over loopback: connect, peers, card, tools, a remote tool call, and the
// event log and metrics that record it.
#include "agentp2p/daemon/api.hpp"

#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "agentp2p/daemon/service.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace agentp2p::daemon {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using agentp2p::test::temp_dir;

config test_config(const temp_dir& d, std::string name) {
  auto cfg = default_config();
  cfg.data_dir = d.path.string();
  cfg.listen = {"/ip4/127.0.0.1/tcp/0"};
  cfg.agent.name = std::move(name);
  cfg.mdns.enabled = false;
  cfg.http.address = "127.0.0.1:0";
  return cfg;
}

api_request get(std::string target) { return api::parse_target("GET", target, ""); }
api_request post(std::string target, const json::value& body) {
  return api::parse_target("POST", target, json::serialize(body));
}

json::value body_of(const api_response& r) { return json::parse(r.body); }

template <class Pred>
awaitable<bool> eventually(Pred done) {
  auto ex = co_await asio::this_coro::executor;
  for (int i = 0; i < 500; ++i) {
    if (done()) co_return true;
    asio::steady_timer t(ex, 10ms);
    co_await t.async_wait(asio::use_awaitable);
  }
  co_return done();
}

json::object connect_body(const std::string& addr) {
  json::object o;
  o["addr"] = addr;
  return o;
}

json::object call_body(const std::string& peer, const std::string& tool) {
  json::object o;
  o["peer"] = peer;
  o["tool"] = tool;
  o["arguments"] = json::object();
  return o;
}

TEST(Api, TwoNodesConnectListPeersAndCallARemoteTool) {
  temp_dir da("a"), db("b");
  asio::io_context ctx;
  auto a = service::start(ctx.get_executor(), test_config(da, "alice"), "agentp2p/test");
  auto b = service::start(ctx.get_executor(), test_config(db, "bob"), "agentp2p/test");
  ASSERT_TRUE(a) << a.error().what();
  ASSERT_TRUE(b) << b.error().what();
  auto& A = **a;
  auto& B = **b;
  const auto bob_id = B.node().host().id().to_string();
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto node = co_await A.api().handle(get("/api/v1/node"));
    EXPECT_EQ(node.status, 200);
    EXPECT_EQ(body_of(node).at("name").as_string(), "alice");

    auto bob_addr = body_of(co_await B.api().handle(get("/api/v1/node"))).at("listenAddrs").at(0).as_string();
    auto connected = co_await A.api().handle(post("/api/v1/peers/connect", connect_body(std::string(bob_addr))));
    EXPECT_EQ(connected.status, 200) << connected.body;
    EXPECT_EQ(body_of(connected).at("peerId").as_string(), bob_id);

    auto has_card = co_await eventually([&] {
      auto p = A.node().agent().peers().get(B.node().host().id());
      return p && p->card;
    });
    EXPECT_TRUE(has_card);

    auto peers = co_await A.api().handle(get("/api/v1/peers"));
    EXPECT_EQ(peers.status, 200);
    EXPECT_NE(peers.body.find("\"name\":\"bob\""), std::string::npos) << peers.body;

    auto peer = co_await A.api().handle(get("/api/v1/peers/" + bob_id));
    EXPECT_EQ(peer.status, 200);
    auto pv = body_of(peer);
    EXPECT_EQ(pv.at("card").at("name").as_string(), "bob");
    EXPECT_TRUE(pv.at("protocols").is_array());
    EXPECT_TRUE(pv.at("connected").as_bool());

    auto tools = co_await A.api().handle(get("/api/v1/tools"));
    EXPECT_NE(tools.body.find("\"peerName\":\"bob\""), std::string::npos) << tools.body;

    auto called = co_await A.api().handle(post("/api/v1/tools/call", call_body(bob_id, "node_info")));
    EXPECT_EQ(called.status, 200) << called.body;
    EXPECT_EQ(body_of(called).at("result").at("name").as_string(), "bob");

    auto local = co_await A.api().handle(post("/api/v1/tools/call", call_body("", "node_info")));
    EXPECT_EQ(body_of(local).at("result").at("name").as_string(), "alice");

    auto found = co_await A.api().handle(get("/api/v1/find-agents?tool=list_peers"));
    EXPECT_NE(found.body.find(bob_id), std::string::npos);

    // Errors a user can act on.
    auto unknown_tool = co_await A.api().handle(post("/api/v1/tools/call", call_body("", "no_such_tool")));
    EXPECT_EQ(unknown_tool.status, 404);
    EXPECT_NE(unknown_tool.body.find("unknown tool"), std::string::npos);
    auto bad_peer = co_await A.api().handle(get("/api/v1/peers/not-a-peer"));
    EXPECT_EQ(bad_peer.status, 400);
    auto bad_json = co_await A.api().handle(api::parse_target("POST", "/api/v1/tools/call", "{oops"));
    EXPECT_EQ(bad_json.status, 400);
    EXPECT_NE(bad_json.body.find("not JSON"), std::string::npos);
    auto no_route = co_await A.api().handle(get("/api/v2/x"));
    EXPECT_EQ(no_route.status, 404);

    // Bob's event log saw Alice's call; Alice's metrics counted hers.
    auto b_events = B.events().since(0, 1000);
    bool saw_call = false;
    for (const auto& e : b_events.events)
      if (e.type == "tool.called" && e.data.at("tool").as_string() == "node_info" &&
          e.data.at("caller").as_string() == A.node().host().id().to_string())
        saw_call = true;
    EXPECT_TRUE(saw_call);
    auto metrics = co_await B.api().handle(get("/metrics"));
    EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u);
    EXPECT_NE(metrics.body.find(R"(agentp2p_tool_calls_total{tool="node_info",caller="remote",outcome="ok"} 1)"),
              std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("agentp2p_peers_connected 1"), std::string::npos);
    EXPECT_NE(metrics.body.find("agentp2p_bytes_received_total"), std::string::npos);
    auto a_metrics = co_await A.api().handle(get("/metrics"));
    EXPECT_NE(a_metrics.body.find(R"(agentp2p_remote_tool_calls_total{outcome="ok"} 1)"), std::string::npos);

    co_await A.shutdown(1s);
    co_await B.shutdown(1s);
  });
}

TEST(Api, TasksAndA2A) {
  temp_dir d("tasks");
  asio::io_context ctx;
  auto s = service::start(ctx.get_executor(), test_config(d, "solo"), "agentp2p/test");
  ASSERT_TRUE(s) << s.error().what();
  auto& S = **s;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    json::object body;
    body["text"] = "hello";
    auto sent = co_await S.api().handle(post("/api/v1/a2a/send", body));
    EXPECT_EQ(sent.status, 200) << sent.body;
    auto id = std::string(body_of(sent).at("id").as_string());
    auto got = co_await S.api().handle(get("/api/v1/a2a/tasks/" + id));
    EXPECT_EQ(got.status, 200) << got.body;
    auto list = co_await S.api().handle(get("/api/v1/tasks"));
    EXPECT_NE(list.body.find(id), std::string::npos) << list.body;
    bool saw_task = false;
    for (const auto& e : S.events().since(0, 1000).events) saw_task |= e.type == "task.updated";
    EXPECT_TRUE(saw_task);
    auto missing = co_await S.api().handle(get("/api/v1/a2a/tasks/nope"));
    EXPECT_GE(missing.status, 400);
    co_await S.shutdown(1s);
  });
}

TEST(Api, OpenApiDescribesEveryRoute) {
  auto doc = api::openapi();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  const auto& paths = doc.at("paths").as_object();
  for (auto p : {"/api/v1/node", "/api/v1/peers", "/api/v1/peers/{id}", "/api/v1/peers/connect", "/api/v1/tools",
                 "/api/v1/tools/call", "/api/v1/tasks", "/api/v1/events", "/metrics", "/api/v1/openapi.json"})
    EXPECT_TRUE(paths.contains(p)) << p;
  EXPECT_TRUE(paths.at("/api/v1/tools/call").as_object().contains("post"));
}

TEST(Api, EventBusIsBoundedAndCountsWhatAReaderMissed) {
  event_bus bus(4);
  for (int i = 0; i < 10; ++i) bus.publish("x", json::object());
  auto b = bus.since(0, 100);
  EXPECT_EQ(b.events.size(), 4u);
  EXPECT_EQ(b.dropped, 6u);
  EXPECT_EQ(b.events.front().seq, 7u);
  auto rest = bus.since(9, 100);
  EXPECT_EQ(rest.events.size(), 1u);
  EXPECT_EQ(rest.dropped, 0u);
}

TEST(Api, ParsesTargets) {
  auto r = api::parse_target("GET", "/api/v1/find-agents?tool=a%20b&x=1", "");
  EXPECT_EQ(r.path, "/api/v1/find-agents");
  EXPECT_EQ(r.query.at("tool"), "a b");
  EXPECT_EQ(r.query.at("x"), "1");
}

}  // namespace
}  // namespace agentp2p::daemon
