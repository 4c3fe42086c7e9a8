// Test-only helpers shared by the agent modules' tests (card, registry,
// praxis): two real hosts on loopback, and waiting for a condition without
// fixed sleeps. Not part of the library; include only from *_test.cpp.
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::card::testing {

struct host_pair {
  std::shared_ptr<host::host> a, b;
  multiformats::multiaddr b_addr;  // with /p2p/
};

// Two hosts on the io_context; b listens on loopback.
inline host_pair make_hosts(boost::asio::io_context& ctx) {
  host_pair p;
  p.a = host::builder{}.build(ctx.get_executor());
  p.b = host::builder{}.build(ctx.get_executor());
  auto bound = p.b->listen(*multiformats::multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  EXPECT_TRUE(bound) << bound.error().what();
  p.b_addr = bound->encapsulate(*multiformats::multiaddr::parse("/p2p/" + p.b->id().to_string()));
  return p;
}

// Polls `pred` every 10 ms until it holds or `limit` passes.
template <class Pred>
awaitable<bool> eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) co_return true;
    co_await sleep_for(std::chrono::milliseconds(10));
  }
  co_return pred();
}

}  // namespace agentp2p::card::testing
