// The service on the loopback interface. Each test uses its own port and
// service name, so parallel test runs (and a real mDNS responder) never meet.
#include <gtest/gtest.h>

#include <random>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/protocols/mdns/mdns.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

mdns::config loopback_config() {
  static std::mt19937 gen(std::random_device{}());
  mdns::config cfg;
  cfg.interfaces = {"lo"};
  cfg.port = static_cast<std::uint16_t>(20000 + gen() % 30000);
  cfg.service_names = {"_agentp2p-test-" + std::to_string(::getpid()) + "-" + std::to_string(gen() % 100000) + "._udp"};
  cfg.query_interval = 200ms;
  cfg.min_answer_interval = 50ms;
  cfg.ipv6 = false;
  return cfg;
}

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

}  // namespace

TEST(mdns_service, two_nodes_on_loopback_find_and_connect_to_each_other) {
  asio::io_context ctx;
  auto cfg = loopback_config();
  auto a = host::builder{}.build(ctx.get_executor());
  auto b = host::builder{}.build(ctx.get_executor());
  ASSERT_TRUE(a->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  ASSERT_TRUE(b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  auto ma = mdns::service::start(a, cfg);
  auto mb = mdns::service::start(b, cfg);
  ASSERT_TRUE(ma) << ma.error().what();
  ASSERT_TRUE(mb) << mb.error().what();
  EXPECT_EQ((*ma)->links(), std::vector<std::string>{"lo/ipv4"});
  std::vector<crypto::peer_id> seen_by_a;
  (*ma)->on_peer_found([&](const mdns::peer_found& p) { seen_by_a.push_back(p.peer); });

  test::run_void(ctx, [&](executor) -> awaitable<void> {
    for (int i = 0; i < 200 && !(a->is_connected(b->id()) && b->is_connected(a->id())); ++i) co_await sleep_for(50ms);
    EXPECT_TRUE(a->is_connected(b->id()));
    EXPECT_TRUE(b->is_connected(a->id()));
    EXPECT_NE(std::find(seen_by_a.begin(), seen_by_a.end(), b->id()), seen_by_a.end());
    EXPECT_FALSE(a->peers().addrs(b->id()).empty());
    EXPECT_GT((*ma)->stats().queries_answered, 0u);
    (*ma)->stop();
    (*mb)->stop();
    co_await a->close();
    co_await b->close();
  });
}

TEST(mdns_service, announces_only_addresses_of_the_interface) {
  asio::io_context ctx;
  auto h = host::builder{}.build(ctx.get_executor());
  ASSERT_TRUE(h->listen(*multiaddr::parse("/ip4/0.0.0.0/tcp/0")));
  auto s = mdns::service::start(h, loopback_config());
  ASSERT_TRUE(s) << s.error().what();
  auto view = (*s)->view_of("lo");
  ASSERT_FALSE(view.addrs.empty());
  for (const auto& a : view.addrs) {
    EXPECT_EQ(a.components()[0].value_string(), "127.0.0.1") << a.to_string();
    EXPECT_TRUE(a.has(multiformats::protocol_code::p2p));
  }
  EXPECT_EQ(view.ips, std::vector<bytes>{bytes({127, 0, 0, 1})});
  (*s)->stop();
}

TEST(mdns_service, unknown_interfaces_are_an_error_and_none_configured_does_nothing) {
  asio::io_context ctx;
  auto h = host::builder{}.build(ctx.get_executor());
  auto cfg = loopback_config();
  cfg.interfaces = {"no-such-if0"};
  auto bad = mdns::service::start(h, cfg);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(errc::not_found));
  EXPECT_NE(bad.error().message.find("no-such-if0"), std::string::npos);
  cfg.interfaces.clear();
  auto idle = mdns::service::start(h, cfg);
  ASSERT_TRUE(idle);
  EXPECT_TRUE((*idle)->links().empty());
}
