// Private networks: only hosts holding the same swarm key can connect.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/host/host.hpp"
#include "tests/support/echo_handler.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view echo_id = "/test/echo/1.0.0";

host::config with_key(std::optional<pnet::psk> k) {
  host::config cfg;
  cfg.psk = k;
  // A stranger's garbled handshake may stall rather than fail; keep it short.
  cfg.upgrade_timeout = 2s;
  return cfg;
}

struct pair_of_hosts {
  asio::io_context ctx;
  std::shared_ptr<host::host> a, b;
  multiaddr b_addr;
  pair_of_hosts(std::optional<pnet::psk> ka, std::optional<pnet::psk> kb) {
    a = host::builder{}.settings(with_key(ka)).build(ctx.get_executor());
    b = host::builder{}.settings(with_key(kb)).build(ctx.get_executor());
    b_addr = b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"))->encapsulate(
        *multiaddr::parse("/p2p/" + b->id().to_string()));
    b->set_stream_handler(std::string(echo_id), test::echo_handler);
  }
  // The error of a's dial to b, or "" when it connects and an echo works.
  std::string dial() {
    std::string outcome = "not run";
    test::run_void(ctx, [&](executor) -> awaitable<void> {
      auto c = co_await a->connect(b_addr);
      if (!c) {
        outcome = c.error().what();
      } else {
        auto s = co_await a->new_stream(*c, echo_id);
        if (!s) {
          outcome = s.error().what();
        } else {
          auto w = co_await (*s)->write(as_bytes("inside"));
          (void)w;
          (void)co_await (*s)->close_write();
          auto back = co_await core::read_to_end(**s, 100);
          outcome = back && as_string_view(*back) == "inside" ? "" : "echo failed";
        }
      }
      co_await a->close();
      co_await b->close();
    });
    return outcome;
  }
};

}  // namespace

TEST(host_pnet, hosts_with_the_same_key_connect) {
  const auto key = pnet::generate_psk();
  pair_of_hosts p(key, key);
  EXPECT_EQ(p.dial(), "");
}

TEST(host_pnet, a_different_key_is_refused_with_a_hint) {
  pair_of_hosts p(pnet::generate_psk(), pnet::generate_psk());
  const auto err = p.dial();
  EXPECT_NE(err, "");
  EXPECT_NE(err.find("private network"), std::string::npos) << err;
}

TEST(host_pnet, a_host_without_the_key_cannot_connect_to_the_network) {
  pair_of_hosts p(std::nullopt, pnet::generate_psk());
  const auto err = p.dial();
  EXPECT_NE(err, "");
  EXPECT_NE(err.find("private network"), std::string::npos) << err;
}

TEST(host_pnet, a_network_host_cannot_dial_an_open_host) {
  pair_of_hosts p(pnet::generate_psk(), std::nullopt);
  const auto err = p.dial();
  EXPECT_NE(err, "");
  EXPECT_NE(err.find("private network"), std::string::npos) << err;
}
