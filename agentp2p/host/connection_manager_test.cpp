// Connection manager, bootstrap peers, shared dials and the dial limit.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/host/bootstrap.hpp"
#include "agentp2p/host/connection_manager.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

multiaddr full(const std::shared_ptr<host::host>& h) {
  return h->listen_addresses().front().encapsulate(*multiaddr::parse("/p2p/" + h->id().to_string()));
}

crypto::peer_id new_peer() { return crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key()); }

// Holds inbound streams open until the test ends.
struct holder {
  std::vector<std::shared_ptr<host::stream>> streams;
};

}  // namespace

TEST(connection_manager, trims_to_the_low_water_mark_sparing_protected_and_busy_peers) {
  asio::io_context ctx;
  auto a = host::builder{}.build(ctx.get_executor());
  ASSERT_TRUE(a->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  auto hold = std::make_shared<holder>();
  a->set_stream_handler("/hold/1.0.0", [hold](std::shared_ptr<host::stream> s) -> awaitable<void> {
    hold->streams.push_back(s);
    co_return;
  });
  host::connection_manager_config cfg;
  cfg.low_water = 1;
  cfg.high_water = 2;
  cfg.grace_period = 0ms;
  cfg.check_interval = 1h;
  auto cm = host::connection_manager::start(a, cfg);
  std::vector<std::shared_ptr<host::host>> peers;
  for (int i = 0; i < 6; ++i) peers.push_back(host::builder{}.build(ctx.get_executor()));
  cm->protect(peers[0]->id(), "test");
  cm->tag(peers[3]->id(), "useful", 10);
  EXPECT_TRUE(cm->is_protected(peers[0]->id()));
  EXPECT_EQ(cm->score(peers[3]->id()), 10);

  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto c0 = co_await peers[0]->connect(full(a));
    EXPECT_TRUE(c0);
    auto c1 = co_await peers[1]->connect(full(a));
    EXPECT_TRUE(c1);
    auto s = co_await peers[1]->new_stream(a->id(), "/hold/1.0.0");  // peer 1 is busy
    EXPECT_TRUE(s);
    for (int i = 0; i < 100 && hold->streams.empty(); ++i) co_await sleep_for(10ms);
    for (int i = 2; i < 5; ++i) {
      auto c = co_await peers[i]->connect(full(a));
      EXPECT_TRUE(c);
      // Each newcomer takes the count above high water; only it can go. (The
      // dialer's connect() may return before `a` has finished its side of
      // the upgrade — the muxer is agreed inside the Noise handshake, so no
      // round trip follows it — hence wait for the trim, not for the peer.)
      for (int k = 0; k < 200 && cm->trimmed_total() < std::size_t(i - 1); ++k) co_await sleep_for(10ms);
      for (int k = 0; k < 200 && a->is_connected(peers[i]->id()); ++k) co_await sleep_for(10ms);
    }
    EXPECT_TRUE(a->is_connected(peers[0]->id()));  // protected
    EXPECT_TRUE(a->is_connected(peers[1]->id()));  // an open stream
    for (int i = 2; i < 5; ++i) EXPECT_FALSE(a->is_connected(peers[i]->id())) << i;
    EXPECT_EQ(cm->trimmed_total(), 3u);
    // Unprotected and idle, and above high water again: the oldest go first.
    EXPECT_FALSE(cm->unprotect(peers[0]->id(), "test"));
    hold->streams.clear();
    if (s) (*s)->reset();
    auto busy = [&] {
      for (auto& c : a->connections_to(peers[1]->id()))
        if (c->muxed().stream_count() > 0) return true;
      return (*c1)->muxed().stream_count() > 0;
    };
    for (int k = 0; k < 100 && busy(); ++k) co_await sleep_for(10ms);
    EXPECT_FALSE(busy());
    auto c5 = co_await peers[5]->connect(full(a));
    EXPECT_TRUE(c5);
    for (int k = 0; k < 200 && !a->is_connected(peers[5]->id()); ++k) co_await sleep_for(10ms);
    for (int k = 0; k < 200 && a->connections().size() > 1; ++k) co_await sleep_for(10ms);
    EXPECT_EQ(a->connections().size(), 1u);
    EXPECT_TRUE(a->is_connected(peers[5]->id()));  // the newest of equals stays
    cm->stop();
    for (auto& p : peers) co_await p->close();
    co_await a->close();
  });
}

TEST(host_dials, concurrent_connects_to_one_peer_share_a_single_dial) {
  asio::io_context ctx;
  auto a = host::builder{}.build(ctx.get_executor());
  auto b = host::builder{}.build(ctx.get_executor());
  ASSERT_TRUE(b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    int done = 0;
    std::vector<std::shared_ptr<host::connection>> got;
    for (int i = 0; i < 3; ++i)
      a->spawn([](std::shared_ptr<host::host> a, multiaddr to, int* done,
                  std::vector<std::shared_ptr<host::connection>>* got) -> awaitable<void> {
        auto c = co_await a->connect(to);
        if (c) got->push_back(*c);
        ++*done;
      }(a, full(b), &done, &got), "connect");
    for (int i = 0; i < 500 && done < 3; ++i) co_await sleep_for(10ms);
    EXPECT_EQ(got.size(), 3u);
    EXPECT_EQ(a->connections().size(), 1u);
    co_await a->close();
    co_await b->close();
    (void)ex;
  });
}

TEST(host_dials, the_concurrent_dial_limit_holds_and_queued_dials_still_run) {
  asio::io_context ctx;
  host::config cfg;
  cfg.max_concurrent_dials = 1;
  cfg.upgrade_timeout = 300ms;
  auto a = host::builder{}.settings(cfg).build(ctx.get_executor());
  // A listener that accepts and never speaks: every handshake hangs until its timeout.
  asio::ip::tcp::acceptor silent(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  std::vector<asio::ip::tcp::socket> accepted;
  std::function<void()> accept_more = [&] {
    silent.async_accept([&](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      accepted.push_back(std::move(s));
      accept_more();
    });
  };
  accept_more();
  const auto port = silent.local_endpoint().port();
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    int done = 0;
    int timeouts = 0;
    for (int i = 0; i < 3; ++i) {
      auto to = *multiaddr::parse("/ip4/127.0.0.1/tcp/" + std::to_string(port) + "/p2p/" + new_peer().to_string());
      a->spawn([](std::shared_ptr<host::host> a, multiaddr to, int* done, int* timeouts) -> awaitable<void> {
        auto c = co_await a->connect(to);
        if (!c && c.error().is(errc::timeout)) ++*timeouts;
        ++*done;
      }(a, to, &done, &timeouts), "connect");
    }
    std::size_t most_active = 0, most_queued = 0;
    for (int i = 0; i < 500 && done < 3; ++i) {
      most_active = std::max(most_active, a->active_dials());
      most_queued = std::max(most_queued, a->queued_dials());
      co_await sleep_for(5ms);
    }
    EXPECT_EQ(done, 3);
    EXPECT_EQ(timeouts, 3);
    EXPECT_EQ(most_active, 1u);
    EXPECT_EQ(most_queued, 2u);
    EXPECT_EQ(a->active_dials(), 0u);
    EXPECT_EQ(a->queued_dials(), 0u);
    silent.close();
    accepted.clear();
    co_await a->close();
  });
}

TEST(bootstrap, keeps_bootstrap_peers_connected_and_backs_off_from_dead_ones) {
  asio::io_context ctx;
  auto a = host::builder{}.build(ctx.get_executor());
  auto b = host::builder{}.build(ctx.get_executor());
  ASSERT_TRUE(b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  // A port nobody listens on (bound, then closed).
  std::uint16_t dead_port;
  {
    asio::ip::tcp::acceptor tmp(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    dead_port = tmp.local_endpoint().port();
  }
  auto dead = "/ip4/127.0.0.1/tcp/" + std::to_string(dead_port) + "/p2p/" + new_peer().to_string();

  EXPECT_FALSE(host::bootstrap::start(a, {{"/ip4/127.0.0.1/tcp/1"}}));  // no /p2p/
  EXPECT_FALSE(host::bootstrap::start(a, {{"not a multiaddr"}}));

  host::connection_manager_config cmc;
  auto cm = host::connection_manager::start(a, cmc);
  host::bootstrap_config cfg;
  cfg.peers = {full(b).to_string(), dead};
  cfg.initial_backoff = 10ms;
  cfg.max_backoff = 40ms;
  auto bs = host::bootstrap::start(a, cfg, cm);
  ASSERT_TRUE(bs) << bs.error().what();
  EXPECT_TRUE(cm->is_protected(b->id()));

  test::run_void(ctx, [&](executor) -> awaitable<void> {
    for (int i = 0; i < 300 && !a->is_connected(b->id()); ++i) co_await sleep_for(10ms);
    EXPECT_TRUE(a->is_connected(b->id()));
    // B drops us: we come back.
    co_await b->disconnect(a->id());
    for (int i = 0; i < 100 && a->is_connected(b->id()); ++i) co_await sleep_for(10ms);
    for (int i = 0; i < 300 && !a->is_connected(b->id()); ++i) co_await sleep_for(10ms);
    EXPECT_TRUE(a->is_connected(b->id()));
    for (int i = 0; i < 300 && (*bs)->status()[1].failures_in_a_row < 5; ++i) co_await sleep_for(10ms);
    auto st = (*bs)->status();
    EXPECT_TRUE(st[0].connected);
    EXPECT_GE(st[0].attempts, 2u);
    EXPECT_FALSE(st[1].connected);
    EXPECT_GE(st[1].failures_in_a_row, 5u);
    EXPECT_LE(st[1].backoff, 50ms);  // capped at 40 ms (+ jitter)
    EXPECT_FALSE(st[1].last_error.empty());
    (*bs)->stop();
    EXPECT_FALSE(cm->is_protected(b->id()));
    cm->stop();
    co_await a->close();
    co_await b->close();
  });
}
