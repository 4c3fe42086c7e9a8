#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/protocols/identify/identify.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

TEST(identify_wire, round_trips_and_skips_unknown_addresses) {
  identify::message m;
  m.agent_version = "agentp2p/test";
  m.protocol_version = "ipfs/0.1.0";
  m.public_key = crypto::private_key::generate_ed25519().public_key();
  m.listen_addrs = {*multiaddr::parse("/ip4/127.0.0.1/tcp/4001")};
  m.has_listen_addrs = true;
  m.protocols = {"/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"};
  m.has_protocols = true;
  auto decoded = identify::decode(identify::encode(m));
  ASSERT_TRUE(decoded) << decoded.error().what();
  EXPECT_EQ(decoded->agent_version, m.agent_version);
  EXPECT_EQ(decoded->listen_addrs, m.listen_addrs);
  EXPECT_EQ(decoded->protocols, m.protocols);
  EXPECT_EQ(decoded->public_key, m.public_key);
}

TEST(identify_wire, garbage_is_an_error_not_a_crash) {
  bytes garbage{0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01};
  EXPECT_FALSE(identify::decode(garbage));
  bytes bad_key{0x0a, 0x02, 0x08, 0x09};  // publicKey with unknown key type 9
  EXPECT_FALSE(identify::decode(bad_key));
}

TEST(identify, both_sides_learn_each_other_on_connect) {
  asio::io_context ctx;
  auto a = host::builder{}.build(ctx.get_executor());
  auto b = host::builder{}.build(ctx.get_executor());
  auto ia = identify::service::start(a);
  auto ib = identify::service::start(b);
  b->set_stream_handler("/custom/1.0.0", [](std::shared_ptr<host::stream>) -> awaitable<void> { co_return; });
  auto bound = b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  ASSERT_TRUE(bound);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto c = co_await a->connect(bound->encapsulate(*multiaddr::parse("/p2p/" + b->id().to_string())));
    EXPECT_TRUE(c);
    auto about_b = co_await ia->wait_identified(b->id(), std::chrono::seconds(5));
    auto about_a = co_await ib->wait_identified(a->id(), std::chrono::seconds(5));
    EXPECT_TRUE(about_b) << about_b.error().what();
    EXPECT_TRUE(about_a) << about_a.error().what();
    if (about_b) {
      EXPECT_EQ(about_b->agent_version, "agentp2p/0.1.0");
      EXPECT_NE(std::find(about_b->protocols.begin(), about_b->protocols.end(), "/custom/1.0.0"),
                about_b->protocols.end());
      EXPECT_EQ(about_b->listen_addrs, std::vector<multiaddr>{*bound});
      EXPECT_TRUE(a->peers().supports(b->id(), identify::protocol_id));
    }
    // A protocol added later reaches the peer through identify push.
    b->set_stream_handler("/late/1.0.0", [](std::shared_ptr<host::stream>) -> awaitable<void> { co_return; });
    for (int i = 0; i < 100 && !a->peers().supports(b->id(), "/late/1.0.0"); ++i) {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_TRUE(a->peers().supports(b->id(), "/late/1.0.0"));
    co_await a->close();
    co_await b->close();
  });
}
