#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/discovery/capability.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

namespace {

struct agent_node {
  std::shared_ptr<host::host> h;
  std::shared_ptr<identify::service> id;
  std::unique_ptr<praxis::agent_services> agent;
  std::shared_ptr<kad::service> dht;
  std::shared_ptr<discovery::capability_search> search;
  multiaddr addr;
};

awaitable<result<boost::json::value>> noop_tool(boost::json::object, tools::call_context&) {
  co_return boost::json::value("ok");
}

tools::tool_definition tool_named(std::string name) {
  tools::tool_definition d;
  d.name = std::move(name);
  d.description = "test tool";
  d.input_schema = boost::json::object{{"type", "object"}};
  return d;
}

std::unique_ptr<agent_node> make_agent(asio::io_context& ctx, std::vector<std::string> tool_names, bool announce) {
  auto n = std::make_unique<agent_node>();
  n->h = host::builder{}.build(ctx.get_executor());
  n->id = identify::service::start(n->h);
  praxis::config pc;
  pc.tools.worker_threads = 1;
  n->agent = praxis::agent_services::start(n->h, n->id, pc);
  for (auto& t : tool_names) (void)n->agent->tools().add(tool_named(t), noop_tool);
  kad::config kc;
  kc.mode = kad::mode::server;
  kc.bootstrap_on_first_peer = false;
  n->dht = kad::service::start(n->h, kc);
  std::weak_ptr<kad::service> weak = n->dht;
  n->id->on_identified([weak](const identify::peer_info& p) {
    if (auto d = weak.lock()) d->peer_identified(p.peer);
  });
  discovery::config dc;
  dc.announce = announce;
  n->search = discovery::capability_search::start(n->h, n->dht, *n->agent, dc);
  n->addr = n->h->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")).value().encapsulate(
      *multiaddr::parse("/p2p/" + n->h->id().to_string()));
  return n;
}

awaitable<void> link(agent_node& a, agent_node& b) {
  auto c = co_await a.h->connect(b.addr);
  EXPECT_TRUE(c);
  auto x = co_await a.id->wait_identified(b.h->id(), std::chrono::seconds(10));
  auto y = co_await b.id->wait_identified(a.h->id(), std::chrono::seconds(10));
  EXPECT_TRUE(x && y);
}

}  // namespace

TEST(capability, canonical_names_and_keys) {
  EXPECT_EQ(discovery::canonical_name(discovery::kind::tool, "translate"), "agentp2p:tool:translate");
  EXPECT_EQ(discovery::canonical_name(discovery::kind::capability, "mcp"), "agentp2p:capability:mcp");
  auto cid = discovery::capability_cid(discovery::kind::tool, "translate");
  EXPECT_EQ(cid.version, 1u);
  EXPECT_EQ(cid.content_codec, multiformats::codec::raw);
  EXPECT_EQ(cid.hash.code, static_cast<std::uint64_t>(multiformats::hash_code::sha2_256));
  EXPECT_EQ(discovery::provider_key(discovery::kind::tool, "translate"), cid.hash.to_bytes());
  EXPECT_NE(discovery::provider_key(discovery::kind::tool, "translate"),
            discovery::provider_key(discovery::kind::capability, "translate"));
}

TEST(capability, signed_card_records_validate_and_the_newest_wins) {
  auto key = crypto::private_key::generate_ed25519();
  auto other = crypto::private_key::generate_ed25519();
  auto peer = crypto::peer_id::from_public_key(key.public_key());
  card::agent_card c;
  c.name = "a";
  c.peer_id = peer.to_string();
  c.timestamp = 100;
  auto rk = discovery::card_record_key(peer);
  auto v1 = discovery::sign_card_record(key, c).value();
  discovery::card_record_validator val;
  EXPECT_TRUE(val.validate(rk, v1));
  c.timestamp = 200;
  auto v2 = discovery::sign_card_record(key, c).value();
  EXPECT_EQ(val.select(rk, {v1, v2}), 1u);
  // Signed by someone else, or naming someone else.
  auto forged = discovery::sign_card_record(other, c).value();
  EXPECT_FALSE(val.validate(rk, forged));
  auto tampered = v2;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_FALSE(val.validate(rk, tampered));
  EXPECT_FALSE(val.validate(rk, to_bytes("{}")));
}

TEST(capability, find_agents_returns_only_providers_whose_card_lists_the_tool) {
  asio::io_context ctx;
  std::vector<std::unique_ptr<agent_node>> nodes;
  nodes.push_back(make_agent(ctx, {"translate"}, true));   // 0: honest provider
  nodes.push_back(make_agent(ctx, {"summarize"}, true));   // 1: other tool
  nodes.push_back(make_agent(ctx, {"translate"}, true));   // 2: honest provider
  nodes.push_back(make_agent(ctx, {"weather"}, false));    // 3: liar (announces translate by hand)
  nodes.push_back(make_agent(ctx, {}, true));              // 4: searcher
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) co_await link(*nodes[i], *nodes[i + 1]);
    for (auto& n : nodes) (void)co_await n->dht->bootstrap();
    for (auto& n : nodes) {
      auto a = co_await n->search->announce();
      EXPECT_TRUE(a);
    }
    auto lie = co_await nodes[3]->dht->provide(discovery::provider_key(discovery::kind::tool, "translate"));
    EXPECT_TRUE(lie);

    auto found = co_await nodes[4]->search->find_agents("translate");
    EXPECT_TRUE(found) << (found ? "" : found.error().what());
    if (found) {
      EXPECT_EQ(found->providers, 3u);
      EXPECT_EQ(found->rejected, 1u);
      std::set<crypto::peer_id> ids;
      for (auto& a : found->agents) ids.insert(a.peer);
      EXPECT_EQ(ids, (std::set<crypto::peer_id>{nodes[0]->h->id(), nodes[2]->h->id()}));
    }
    // The tool list changes: the new tool is announced without being asked.
    (void)nodes[1]->agent->tools().add(tool_named("translate"), noop_tool);
    std::size_t seen = 0;
    for (int attempt = 0; attempt < 50 && seen < 3; ++attempt) {
      auto again = co_await nodes[4]->search->find_agents("translate");
      seen = again ? again->agents.size() : 0;
      if (seen < 3) {
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
        co_await t.async_wait(asio::use_awaitable);
      }
    }
    EXPECT_EQ(seen, 3u);
    // Capabilities are searchable too (every card lists mcp).
    auto mcp = co_await nodes[4]->search->find_agents(discovery::kind::capability, "mcp");
    EXPECT_TRUE(mcp);
    if (mcp) EXPECT_GE(mcp->agents.size(), 3u);
    // Signed card records from the DHT.
    auto card = co_await nodes[4]->search->lookup_card(nodes[0]->h->id());
    EXPECT_TRUE(card) << (card ? "" : card.error().what());
    if (card) EXPECT_EQ(card->peer_id, nodes[0]->h->id().to_string());
    for (auto& n : nodes) {
      n->search->stop();
      n->dht->stop();
      n->agent->stop();
    }
    for (auto& n : nodes) co_await n->h->close();
  }, std::chrono::seconds(60));
}
