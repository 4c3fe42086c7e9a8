// Discovery feeding the agent layer: nodes that find each other by mDNS (on
// loopback, with a service name and port of their own) exchange praxis cards
// as soon as identify shows the card protocol; a peer that never speaks it is
// listed without a card.
#include <gtest/gtest.h>

#include <random>

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/agent/praxis/agent_services.hpp"
#include "agentp2p/protocols/mdns/mdns.hpp"
#include "tests/support/mdns_loopback.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

// A node: host, identify, optionally the agent layer, and mDNS feeding its registry.
struct node {
  std::shared_ptr<host::host> host;
  std::shared_ptr<identify::service> id;
  std::unique_ptr<praxis::agent_services> agent;
  std::shared_ptr<mdns::service> mdns;

  node(asio::io_context& ctx, const mdns::config& cfg, bool with_agent, const std::string& name) {
    host = host::builder{}.build(ctx.get_executor());
    host->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")).value();
    id = identify::service::start(host);
    if (with_agent) {
      praxis::config pc;
      pc.card.name = name;
      agent = praxis::agent_services::start(host, id, pc);
    }
    mdns = mdns::service::start(host, cfg).value();
    if (agent) {
      auto peers = agent->shared_peers();
      mdns->on_peer_found([peers](const mdns::peer_found& p) { peers->add_peer(p.peer); });
    }
  }
};

}  // namespace

TEST(discovery, mdns_peers_exchange_cards_and_plain_peers_are_listed_without_one) {
  asio::io_context ctx;
  auto cfg = test::loopback_mdns_config("discovery-test");
  node a(ctx, cfg, true, "agent-a");
  node b(ctx, cfg, true, "agent-b");
  node plain(ctx, cfg, false, "");

  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto& reg = a.agent->peers();
    auto has_card = [&](const crypto::peer_id& p) {
      auto e = reg.get(p);
      return e && e->card.has_value();
    };
    for (int i = 0; i < 400 && !(has_card(b.host->id()) && b.agent->peers().get(a.host->id()) &&
                                 b.agent->peers().get(a.host->id())->card);
         ++i)
      co_await sleep_for(25ms);
    auto about_b = reg.get(b.host->id());
    EXPECT_TRUE(about_b && about_b->card);
    if (about_b && about_b->card) EXPECT_EQ(about_b->card->name, "agent-b");
    auto about_a = b.agent->peers().get(a.host->id());
    EXPECT_TRUE(about_a && about_a->card);

    // The plain peer: found, connected and identified, never a card.
    for (int i = 0; i < 400 && !a.id->identified(plain.host->id()); ++i) co_await sleep_for(25ms);
    EXPECT_TRUE(a.id->identified(plain.host->id()).has_value());
    auto about_plain = reg.get(plain.host->id());
    EXPECT_TRUE(about_plain.has_value());
    if (about_plain) {
      EXPECT_TRUE(about_plain->connected);
      EXPECT_FALSE(about_plain->card.has_value());
      EXPECT_FALSE(about_plain->protocols.empty());
    }

    for (auto* n : {&a, &b, &plain}) {
      n->mdns->stop();
      if (n->agent) n->agent->stop();
    }
    for (auto* n : {&a, &b, &plain}) co_await n->host->close();
  });
}
