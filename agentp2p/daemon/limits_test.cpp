// Limits and access control set in a daemon configuration take effect: a
// refusal the caller can read, a counter on /metrics, the node still answers.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "agentp2p/base/counters.hpp"
#include "agentp2p/daemon/api.hpp"
#include "agentp2p/daemon/node_config.hpp"
#include "agentp2p/daemon/service.hpp"
#include "agentp2p/http/client.hpp"
#include "agentp2p/security/pnet/psk.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace agentp2p::daemon {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using agentp2p::test::temp_dir;

// A node's configuration: the defaults, then `yaml` as a user would write it.
config node_config(const temp_dir& d, const std::string& name, const std::string& yaml) {
  auto cfg = default_config();
  cfg.data_dir = d.path.string();
  cfg.listen = {"/ip4/127.0.0.1/tcp/0"};
  cfg.agent.name = name;
  cfg.mdns.enabled = false;
  cfg.dht.enabled = false;
  cfg.http.address = "127.0.0.1:0";
  auto applied = apply_yaml_text(cfg, yaml, name + ".yaml");
  EXPECT_TRUE(applied) << applied.error().what();
  auto valid = validate(cfg);
  EXPECT_TRUE(valid) << valid.error().what();
  return cfg;
}

api_request get(std::string target) { return api::parse_target("GET", target, ""); }
api_request post(std::string target, const json::value& body) {
  return api::parse_target("POST", target, json::serialize(body));
}

json::object call_body(const std::string& peer, const std::string& tool) {
  json::object o;
  o["peer"] = peer;
  o["tool"] = tool;
  o["arguments"] = json::object();
  return o;
}

json::object connect_body(const std::string& addr) {
  json::object o;
  o["addr"] = addr;
  return o;
}

std::uint64_t counter_value(std::string_view module, std::string_view name) {
  const auto* c = counters::find(module, name);
  return c ? c->value() : 0;
}

awaitable<std::string> first_addr(service& s) {
  auto node = co_await s.api().handle(get("/api/v1/node"));
  co_return std::string(json::parse(node.body).at("listenAddrs").at(0).as_string());
}

// Bob allows each peer 2 calls of a tool in a burst and 1 a second after:
// Alice's third call in a row is refused with a clear error, Bob's /metrics
// counts it, and Bob still answers other tools at once.
awaitable<void> rate_limit_round(service* alice, service* bob) {
  const auto bob_id = bob->node().host().id().to_string();
  auto addr = co_await first_addr(*bob);
  auto connected = co_await alice->api().handle(post("/api/v1/peers/connect", connect_body(addr)));
  EXPECT_EQ(connected.status, 200) << connected.body;
  const auto before = counter_value("tools", "peer_rate_limited");
  int ok = 0;
  std::string refusal;
  for (int i = 0; i < 3; ++i) {
    auto r = co_await alice->api().handle(post("/api/v1/tools/call", call_body(bob_id, "node_info")));
    if (r.status == 200) ++ok;
    else refusal = r.body;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_NE(refusal.find("too often"), std::string::npos) << refusal;
  EXPECT_EQ(counter_value("tools", "peer_rate_limited"), before + 1);
  auto metrics = co_await bob->api().handle(get("/metrics"));
  const auto line = R"(agentp2p_limits_hit_total{limit="tools.peer_rate_limited"} )" + std::to_string(before + 1);
  EXPECT_NE(metrics.body.find(line), std::string::npos) << metrics.body;
  // Another tool has its own bucket: Bob still serves Alice.
  auto other = co_await alice->api().handle(post("/api/v1/tools/call", call_body(bob_id, "list_peers")));
  EXPECT_EQ(other.status, 200) << other.body;
  co_await alice->shutdown(1s);
  co_await bob->shutdown(1s);
}

TEST(Limits, ToolCallsOverThePeersTokenBucketAreRefusedAndCounted) {
  temp_dir da("a"), db("b");
  asio::io_context ctx;
  auto a = service::start(ctx.get_executor(), node_config(da, "alice", ""), "agentp2p/test");
  auto b = service::start(ctx.get_executor(), node_config(db, "bob",
                                                          "limits:\n"
                                                          "  tool_calls_per_second: 1\n"
                                                          "  tool_calls_burst: 2\n"),
                          "agentp2p/test");
  ASSERT_TRUE(a) << a.error().what();
  ASSERT_TRUE(b) << b.error().what();
  EXPECT_EQ(b->get()->node().agent().tools().settings().callers.burst, 2);
  test::run_void(ctx, [&](executor) { return rate_limit_round(a->get(), b->get()); });
}

// Carol refuses loopback addresses (deny_cidrs) and hides node_info
// (tools.private); Alice cannot connect, and the refusal names the gater.
awaitable<void> access_round(service* alice, service* carol, service* bob) {
  auto carol_addr = co_await first_addr(*carol);
  const auto before = counter_value("host", "gater_refused_address");
  auto refused = co_await alice->api().handle(post("/api/v1/peers/connect", connect_body(carol_addr)));
  EXPECT_NE(refused.status, 200);
  EXPECT_GT(counter_value("host", "gater_refused_address"), before);
  // Bob keeps node_info to himself.
  auto bob_addr = co_await first_addr(*bob);
  auto connected = co_await alice->api().handle(post("/api/v1/peers/connect", connect_body(bob_addr)));
  EXPECT_EQ(connected.status, 200) << connected.body;
  const auto bob_id = bob->node().host().id().to_string();
  auto hidden = co_await alice->api().handle(post("/api/v1/tools/call", call_body(bob_id, "node_info")));
  EXPECT_NE(hidden.status, 200) << hidden.body;
  auto shown = co_await alice->api().handle(post("/api/v1/tools/call", call_body(bob_id, "list_peers")));
  EXPECT_EQ(shown.status, 200) << shown.body;
  co_await alice->shutdown(1s);
  co_await carol->shutdown(1s);
  co_await bob->shutdown(1s);
}

TEST(Limits, GaterAndToolPolicyFromTheConfig) {
  temp_dir da("a2"), dc("c2"), db("b2");
  asio::io_context ctx;
  auto a = service::start(ctx.get_executor(), node_config(da, "alice", ""), "agentp2p/test");
  auto c = service::start(ctx.get_executor(), node_config(dc, "carol", "security:\n  deny_cidrs: [127.0.0.0/8]\n"),
                          "agentp2p/test");
  auto b = service::start(ctx.get_executor(), node_config(db, "bob", "tools:\n  private: [node_info]\n"),
                          "agentp2p/test");
  ASSERT_TRUE(a) << a.error().what();
  ASSERT_TRUE(c) << c.error().what();
  ASSERT_TRUE(b) << b.error().what();
  test::run_void(ctx, [&](executor) { return access_round(a->get(), c->get(), b->get()); });
}

// Dave and Erin share a swarm key; Alice has none and cannot reach Dave.
awaitable<void> psk_round(service* alice, service* dave, service* erin) {
  auto dave_addr = co_await first_addr(*dave);
  auto outsider = co_await alice->api().handle(post("/api/v1/peers/connect", connect_body(dave_addr)));
  EXPECT_NE(outsider.status, 200) << outsider.body;
  auto member = co_await erin->api().handle(post("/api/v1/peers/connect", connect_body(dave_addr)));
  EXPECT_EQ(member.status, 200) << member.body;
  co_await alice->shutdown(1s);
  co_await dave->shutdown(1s);
  co_await erin->shutdown(1s);
}

TEST(Limits, PrivateNetworkFromASwarmKeyFile) {
  temp_dir da("a3"), dd("d3"), de("e3");
  const auto key = dd.path / "swarm.key";
  {
    std::ofstream out(key);
    out << pnet::format_swarm_key(pnet::generate_psk());
  }
  ::chmod(key.c_str(), 0644);
  const std::string yaml = "security:\n  psk_file: " + key.string() + "\n";
  asio::io_context ctx;
  // A key other users can read is refused, naming the setting and the fix.
  auto exposed = service::start(ctx.get_executor(), node_config(dd, "dave", yaml), "agentp2p/test");
  ASSERT_FALSE(exposed);
  EXPECT_NE(exposed.error().message.find("security.psk_file"), std::string::npos) << exposed.error().message;
  EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos) << exposed.error().message;
  ::chmod(key.c_str(), 0600);
  auto a = service::start(ctx.get_executor(), node_config(da, "alice", ""), "agentp2p/test");
  auto d = service::start(ctx.get_executor(), node_config(dd, "dave", yaml), "agentp2p/test");
  auto e = service::start(ctx.get_executor(), node_config(de, "erin", yaml), "agentp2p/test");
  ASSERT_TRUE(a) << a.error().what();
  ASSERT_TRUE(d) << d.error().what();
  ASSERT_TRUE(e) << e.error().what();
  test::run_void(ctx, [&](executor) { return psk_round(a->get(), d->get(), e->get()); });
}

// limits.http_body on the daemon's HTTP server: an oversized request gets
// 413, /metrics counts it, and the server keeps answering.
awaitable<void> http_body_round(executor ex, service* s) {
  http::client c(ex);
  const auto before = counter_value("http", "body_too_large");
  auto big = co_await c.send(http::post_request(s->api_url() + "/api/v1/tools/call", std::string(8 * 1024, ' ')));
  EXPECT_TRUE(big && big->status == 413);
  auto metrics = co_await c.get(s->api_url() + "/metrics");
  EXPECT_TRUE(metrics && metrics->status == 200);
  if (metrics) {
    const auto line = R"(agentp2p_limits_hit_total{limit="http.body_too_large"} )" + std::to_string(before + 1);
    EXPECT_NE(metrics->body.find(line), std::string::npos) << metrics->body;
  }
  co_await s->shutdown(1s);
}

TEST(Limits, HttpBodyLimitFromTheConfig) {
  temp_dir d("h");
  asio::io_context ctx;
  auto s = service::start(ctx.get_executor(), node_config(d, "hal", "limits: {http_body: 4KiB}\n"), "agentp2p/test");
  ASSERT_TRUE(s) << s.error().what();
  test::run_void(ctx, [&](executor ex) { return http_body_round(ex, s->get()); });
}

TEST(Limits, DefaultsOfTheTableAreTheLayersDefaults) {
  // The config table's documented defaults and node_limits (which takes its
  // defaults from each layer's settings) agree.
  EXPECT_EQ(limits_from(default_config()), node_limits{});
  auto access = access_from(default_config());
  ASSERT_TRUE(access);
  EXPECT_FALSE(access->psk);
  EXPECT_TRUE(access->gater.empty());
  EXPECT_EQ(access->local_tools.who, tools::exposure::scope::everyone);
  EXPECT_FALSE(access->relay_for_peers);
}

TEST(Limits, SizesAndAccessListsParseAndBadOnesNameTheLine) {
  auto cfg = default_config();
  auto ok = apply_yaml_text(cfg,
                            "limits:\n  json_line: 64KiB\n  http_body: 2MiB\n  buffer_per_node: 1GiB\n"
                            "security:\n  allow_cidrs: [10.0.0.0/8, 'fd00::/8']\n"
                            "tools:\n  expose: none\n  public: [files.read_file]\n  relay_for_peers: true\n",
                            "ok.yaml");
  ASSERT_TRUE(ok) << ok.error().what();
  EXPECT_EQ(cfg.limits.json_line, 64 * 1024);
  EXPECT_EQ(cfg.limits.http_body, 2 * 1024 * 1024);
  EXPECT_EQ(cfg.limits.buffer_per_node, std::int64_t{1} << 30);
  auto access = access_from(cfg);
  ASSERT_TRUE(access);
  EXPECT_EQ(access->gater.allow_networks.size(), 2u);
  EXPECT_EQ(access->local_tools.who, tools::exposure::scope::nobody);
  EXPECT_TRUE(access->relay_for_peers);
  tools::policy_config policy;
  apply_to(*access, policy);
  EXPECT_EQ(policy.tools.at("files.read_file").who, tools::exposure::scope::everyone);

  auto bad_size = default_config();
  auto r1 = apply_yaml_text(bad_size, "agent:\n  name: x\nlimits:\n  json_line: lots\n", "a.yaml");
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().message.rfind("a.yaml:4: limits.json_line: expected a size", 0), 0u) << r1.error().message;
  auto r2 = apply_yaml_text(bad_size, "security:\n  deny_cidrs: [10.0.0.0/33]\n", "b.yaml");
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().message.rfind("b.yaml:2: security.deny_cidrs:", 0), 0u) << r2.error().message;
  auto r3 = apply_yaml_text(bad_size, "security:\n  deny_peers: [nobody]\n", "c.yaml");
  ASSERT_FALSE(r3);
  EXPECT_NE(r3.error().message.find("is not a peer id"), std::string::npos) << r3.error().message;
  auto r4 = apply_yaml_text(bad_size, "limits:\n  stream_window: 1KiB\n", "d.yaml");
  ASSERT_FALSE(r4);
  EXPECT_NE(r4.error().message.find("256KiB-1GiB"), std::string::npos) << r4.error().message;

  auto mixed = default_config();
  mixed.tools.expose = {"all", "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"};
  EXPECT_FALSE(validate(mixed));
}

}  // namespace
}  // namespace agentp2p::daemon
