#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/transport/tcp/tcp_transport.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

namespace {

awaitable<bool> echo_once(core::transport& t, std::string listen_on) {
  auto listener = t.listen(*multiaddr::parse(listen_on));
  EXPECT_TRUE(listener) << listener.error().what();
  if (!listener) co_return false;
  auto bound = (*listener)->local_address();
  EXPECT_NE(bound.value_for(multiformats::protocol_code::tcp), "0");
  auto accepted = (*listener)->accept();
  auto dialed = co_await t.dial(bound);
  EXPECT_TRUE(dialed) << dialed.error().what();
  auto server = co_await std::move(accepted);
  EXPECT_TRUE(server);
  (void)co_await dialed->stream->write(as_bytes("ping"));
  std::uint8_t buf[4];
  auto r = co_await core::read_exact(*server->stream, buf);
  EXPECT_TRUE(r);
  EXPECT_EQ(as_string_view(buf), "ping");
  EXPECT_EQ(server->remote_addr, dialed->local_addr);
  co_return true;
}

}  // namespace

TEST(tcp_transport, listens_on_port_zero_and_reports_bound_address_ipv4) {
  asio::io_context ctx;
  tcp::tcp_transport t(ctx.get_executor());
  EXPECT_TRUE(test::run<bool>(ctx, [&](executor) { return echo_once(t, "/ip4/127.0.0.1/tcp/0"); }));
}

TEST(tcp_transport, works_over_ipv6_loopback) {
  asio::io_context ctx;
  tcp::tcp_transport t(ctx.get_executor());
  EXPECT_TRUE(test::run<bool>(ctx, [&](executor) { return echo_once(t, "/ip6/::1/tcp/0"); }));
}

TEST(tcp_transport, dial_refused_is_a_clear_error) {
  asio::io_context ctx;
  tcp::tcp_transport t(ctx.get_executor());
  auto err = test::run<std::string>(ctx, [&](executor) -> awaitable<std::string> {
    // Bind then close to find a port nobody listens on.
    auto l = t.listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    auto addr = (*l)->local_address();
    (*l)->close();
    l->reset();
    auto r = co_await t.dial(addr);
    co_return r ? std::string("connected?") : r.error().what();
  });
  EXPECT_NE(err.find("refused"), std::string::npos) << err;
}

TEST(tcp_transport, rejects_non_tcp_addresses) {
  asio::io_context ctx;
  tcp::tcp_transport t(ctx.get_executor());
  EXPECT_FALSE(t.can_dial(*multiaddr::parse("/ip4/127.0.0.1/udp/1/quic-v1")));
  EXPECT_FALSE(t.can_dial(*multiaddr::parse("/ip4/127.0.0.1/tcp/1/ws")));
  EXPECT_TRUE(t.can_dial(*multiaddr::parse("/dns4/localhost/tcp/1")));
  EXPECT_FALSE(t.can_listen(*multiaddr::parse("/dns4/localhost/tcp/1")));
}
