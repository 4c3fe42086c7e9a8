// A misbehaving peer gets a clear error or a closed connection; everyone
// else keeps being served.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "agentp2p/host/host.hpp"
#include "tests/support/echo_handler.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view echo_id = "/test/echo/1.0.0";

// One echo round trip from `a` to `b`; true when the bytes come back.
awaitable<bool> echo_works(host::host& a, const crypto::peer_id& b) {
  auto s = co_await a.new_stream(b, echo_id);
  if (!s) co_return false;
  auto w = co_await (*s)->write(as_bytes("still here"));
  if (!w) co_return false;
  (void)co_await (*s)->close_write();
  auto back = co_await core::read_to_end(**s, 100);
  co_return back && as_string_view(*back) == "still here";
}

// Raw TCP to the host; returns how the host ended it ("closed" or "open").
awaitable<std::string> raw_peer(const multiaddr& target, bytes to_send, std::chrono::milliseconds wait) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket sock(ex);
  auto port = static_cast<std::uint16_t>(std::stoi(*target.value_for(multiformats::protocol_code::tcp)));
  co_await sock.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  if (!to_send.empty()) co_await asio::async_write(sock, asio::buffer(to_send), asio::use_awaitable);
  // Drain whatever the host says until it closes on us, or give up after `wait`.
  asio::steady_timer deadline(ex, wait);
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) sock.close();
  });
  std::array<char, 4096> buf{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      bool timed_out = !sock.is_open();
      deadline.cancel();
      co_return timed_out ? "open" : "closed";
    }
  }
}

struct fixture {
  asio::io_context ctx;
  std::shared_ptr<host::host> a, b;
  multiaddr b_addr;
  fixture(host::config cfg = {}) {
    a = host::builder{}.build(ctx.get_executor());
    b = host::builder{}.settings(cfg).build(ctx.get_executor());
    b_addr = *b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    b->set_stream_handler(std::string(echo_id), test::echo_handler);
  }
  multiaddr b_full() const { return b_addr.encapsulate(*multiaddr::parse("/p2p/" + b->id().to_string())); }
};

}  // namespace

TEST(host_resilience, garbage_instead_of_a_handshake_is_dropped_and_others_are_served) {
  fixture f;
  test::run_void(f.ctx, [&](executor) -> awaitable<void> {
    bytes garbage(4096);
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>(i * 131 + 7);
    auto verdict = co_await raw_peer(f.b_addr, garbage, 5s);
    EXPECT_EQ(verdict, "closed");
    auto c = co_await f.a->connect(f.b_full());
    EXPECT_TRUE(c);
    auto ok = co_await echo_works(*f.a, f.b->id());
    EXPECT_TRUE(ok);
    co_await f.a->close();
    co_await f.b->close();
  });
}

TEST(host_resilience, a_stalled_handshake_times_out_without_blocking_others) {
  host::config cfg;
  cfg.upgrade_timeout = 300ms;
  fixture f(cfg);
  test::run_void(f.ctx, [&](executor) -> awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    // The silent peer and a good peer at the same time.
    auto good = [](fixture& f) -> awaitable<bool> {
      auto c = co_await f.a->connect(f.b_full());
      if (!c) co_return false;
      co_return co_await echo_works(*f.a, f.b->id());
    };
    auto [verdict, served] = co_await (raw_peer(f.b_addr, {}, 5s) && good(f));
    EXPECT_EQ(verdict, "closed");
    EXPECT_TRUE(served);
    co_await f.a->close();
    co_await f.b->close();
  });
}

TEST(host_resilience, streams_that_never_negotiate_are_bounded_per_connection) {
  host::config cfg;
  cfg.max_negotiating_streams_per_connection = 8;
  cfg.stream_negotiation_timeout = 500ms;
  fixture f(cfg);
  test::run_void(f.ctx, [&](executor) -> awaitable<void> {
    auto conn = co_await f.a->connect(f.b_full());
    EXPECT_TRUE(conn);
    if (!conn) co_return;
    // Open 40 streams and say nothing on them.
    std::vector<std::shared_ptr<core::muxed_stream>> idle;
    for (int i = 0; i < 40; ++i) {
      auto s = co_await (*conn)->muxed().open_stream();
      if (s) idle.push_back(*s);
    }
    // Beyond the limit they are reset at once; the rest after the negotiation timeout.
    std::size_t reset = 0;
    for (auto& s : idle) {
      std::array<std::uint8_t, 64> buf{};
      auto r = co_await s->read_some(buf);  // the host's multistream header, then reset/EOF
      while (r) r = co_await s->read_some(buf);
      if (r.error().is(errc::reset)) ++reset;
    }
    EXPECT_EQ(reset, idle.size());
    // The connection itself is fine.
    auto ok = co_await echo_works(*f.a, f.b->id());
    EXPECT_TRUE(ok);
    co_await f.a->close();
    co_await f.b->close();
  });
}

TEST(host_resilience, stream_events_report_both_directions) {
  fixture f;
  std::vector<std::string> at_a, at_b;
  f.a->subscribe([&](const host::event& e) {
    if (auto* s = std::get_if<host::stream_opened>(&e)) at_a.push_back(std::string(host::to_string(s->direction)) + " " + s->protocol);
  });
  f.b->subscribe([&](const host::event& e) {
    if (auto* s = std::get_if<host::stream_opened>(&e)) at_b.push_back(std::string(host::to_string(s->direction)) + " " + s->protocol);
  });
  test::run_void(f.ctx, [&](executor) -> awaitable<void> {
    auto c = co_await f.a->connect(f.b_full());
    EXPECT_TRUE(c);
    auto ok = co_await echo_works(*f.a, f.b->id());
    EXPECT_TRUE(ok);
    co_await f.a->close();
    co_await f.b->close();
  });
  EXPECT_EQ(at_a, std::vector<std::string>{"outbound /test/echo/1.0.0"});
  EXPECT_EQ(at_b, std::vector<std::string>{"inbound /test/echo/1.0.0"});
}
