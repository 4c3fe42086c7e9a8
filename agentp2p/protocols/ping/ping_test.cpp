#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/protocols/ping/ping.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

TEST(ping, measures_round_trips_and_records_latency) {
  asio::io_context ctx;
  auto a = host::builder{}.build(ctx.get_executor());
  auto b = host::builder{}.build(ctx.get_executor());
  auto pa = ping::service::start(a);
  auto pb = ping::service::start(b);
  auto bound = b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  ASSERT_TRUE(bound);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto c = co_await a->connect(bound->encapsulate(*multiaddr::parse("/p2p/" + b->id().to_string())));
    EXPECT_TRUE(c);
    auto rtts = co_await pa->ping(b->id(), 5);
    EXPECT_TRUE(rtts) << rtts.error().what();
    if (rtts) {
      EXPECT_EQ(rtts->size(), 5u);
      for (auto r : *rtts) EXPECT_GT(r.count(), 0);
    }
    auto rec = a->peers().get(b->id());
    EXPECT_TRUE(rec && rec->latency);
    co_await a->close();
    co_await b->close();
  });
}

TEST(ping, peer_without_ping_gives_unsupported) {
  asio::io_context ctx;
  auto a = host::builder{}.build(ctx.get_executor());
  auto b = host::builder{}.build(ctx.get_executor());
  auto pa = ping::service::start(a);
  auto bound = b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto c = co_await a->connect(bound->encapsulate(*multiaddr::parse("/p2p/" + b->id().to_string())));
    EXPECT_TRUE(c);
    auto rtts = co_await pa->ping(b->id(), 1);
    EXPECT_FALSE(rtts);
    if (!rtts) {
      EXPECT_TRUE(rtts.error().is(errc::unsupported)) << rtts.error().what();
    }
    co_await a->close();
    co_await b->close();
  });
}
