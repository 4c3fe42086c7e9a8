// The service on the loopback interface. Each test uses its own port and
// service name, so parallel test runs (and a real mDNS responder) never meet.
#include <gtest/gtest.h>

#include <random>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/protocols/mdns/mdns.hpp"
#include "tests/support/mdns_loopback.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

}  // namespace

TEST(mdns_service, two_nodes_on_loopback_find_and_connect_to_each_other) {
  asio::io_context ctx;
  auto cfg = test::loopback_mdns_config("agentp2p-test");
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
  auto s = mdns::service::start(h, test::loopback_mdns_config("agentp2p-test"));
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
  auto cfg = test::loopback_mdns_config("agentp2p-test");
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

TEST(mdns_service, survives_a_flood_of_garbage_and_bogus_answers_and_still_finds_honest_peers) {
  asio::io_context ctx;
  auto cfg = test::loopback_mdns_config("agentp2p-test");
  auto a = host::builder{}.build(ctx.get_executor());
  ASSERT_TRUE(a->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  auto ma = mdns::service::start(a, cfg);
  ASSERT_TRUE(ma) << ma.error().what();

  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    // The attacker: garbage and answers for thousands of made-up peers, multicast on lo.
    asio::ip::udp::socket raw(ex, asio::ip::udp::v4());
    raw.set_option(asio::ip::multicast::outbound_interface(asio::ip::make_address_v4("127.0.0.1")));
    raw.set_option(asio::ip::multicast::enable_loopback(true));
    const asio::ip::udp::endpoint group(asio::ip::make_address_v4("224.0.0.251"), cfg.port);
    const auto service = mdns::full_service_name(cfg.service_names.front());
    const auto fake = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
    for (int i = 0; i < 3000; ++i) {
      bytes junk(40 + i % 200, static_cast<std::uint8_t>(i));
      junk[2] = 0x84;  // looks like a response
      (void)co_await raw.async_send_to(asio::buffer(junk), group, asio::as_tuple(asio::use_awaitable));
      mdns::announcement an{service, "fake" + std::to_string(i),
                            {*multiaddr::parse("/ip4/127.0.0.1/tcp/9/p2p/" + fake.to_string())}, {}, 9, 120};
      auto packet = mdns::encode(mdns::make_response(an)).value();
      (void)co_await raw.async_send_to(asio::buffer(packet), group, asio::as_tuple(asio::use_awaitable));
    }
    co_await sleep_for(100ms);
    // Then an honest node appears.
    auto b = host::builder{}.build(ex);
    EXPECT_TRUE(b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    auto mb = mdns::service::start(b, cfg);
    EXPECT_TRUE(mb);
    for (int i = 0; i < 300 && !a->is_connected(b->id()); ++i) co_await sleep_for(50ms);
    EXPECT_TRUE(a->is_connected(b->id()));
    const auto& st = (*ma)->stats();
    EXPECT_GT(st.packets_rate_limited + st.packets_malformed, 0u);
    EXPECT_LE(a->peers().size(), 3u);  // b, and at most the one fake peer id
    if (mb) (*mb)->stop();
    (*ma)->stop();
    co_await a->close();
    co_await b->close();
  });
}
