// The connection gater: allow/deny lists of peer ids and IP networks.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/base/counters.hpp"
#include "agentp2p/host/host.hpp"
#include "tests/support/echo_handler.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view echo_id = "/test/echo/1.0.0";

bool contains(std::string_view cidr, std::string_view ma) {
  auto n = host::ip_network::parse(cidr);
  EXPECT_TRUE(n) << cidr;
  host::gater g(host::gater_rules{{}, {}, {}, {*n}});
  return g.refuse_address(*multiaddr::parse(ma)).has_value();
}

std::uint64_t counter(std::string_view name) {
  const auto* c = counters::find("host", name);
  return c ? c->value() : 0;
}

}  // namespace

TEST(gater, ip_networks_parse_and_match) {
  EXPECT_TRUE(contains("10.0.0.0/8", "/ip4/10.1.2.3/tcp/1"));
  EXPECT_FALSE(contains("10.0.0.0/8", "/ip4/11.1.2.3/tcp/1"));
  EXPECT_TRUE(contains("192.168.1.7", "/ip4/192.168.1.7/tcp/1"));
  EXPECT_FALSE(contains("192.168.1.7", "/ip4/192.168.1.8/tcp/1"));
  EXPECT_TRUE(contains("172.16.0.0/12", "/ip4/172.31.255.255/tcp/1"));
  EXPECT_FALSE(contains("172.16.0.0/12", "/ip4/172.32.0.0/tcp/1"));
  EXPECT_TRUE(contains("0.0.0.0/0", "/ip4/8.8.8.8/tcp/1"));
  EXPECT_TRUE(contains("fd00::/8", "/ip6/fd12::1/tcp/1"));
  EXPECT_FALSE(contains("fd00::/8", "/ip6/fe80::1/tcp/1"));
  EXPECT_FALSE(contains("fd00::/8", "/ip4/10.0.0.1/tcp/1"));   // families do not mix...
  EXPECT_TRUE(contains("10.0.0.0/8", "/ip6/::ffff:10.0.0.1/tcp/1"));  // ...except v4-mapped v6
  EXPECT_FALSE(contains("10.0.0.0/8", "/dns4/example.com/tcp/1"));  // no IP: judged once connected
  EXPECT_EQ(host::ip_network::parse("10.1.2.3/8")->to_string(), "10.0.0.0/8");
  EXPECT_EQ(host::ip_network::parse("2001:db8::1/32")->to_string(), "2001:db8::/32");
  EXPECT_FALSE(host::ip_network::parse("10.0.0.0/33"));
  EXPECT_FALSE(host::ip_network::parse("::/129"));
  EXPECT_FALSE(host::ip_network::parse("10.0.0/8"));
  EXPECT_FALSE(host::ip_network::parse("10.0.0.0/"));
  EXPECT_FALSE(host::ip_network::parse("10.0.0.0/x"));
  EXPECT_FALSE(host::ip_network::parse("example.com"));
}

TEST(gater, deny_wins_and_a_non_empty_allow_list_is_exclusive) {
  auto p1 = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
  auto p2 = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
  host::gater open;
  EXPECT_FALSE(open.refuse_peer(p1));
  EXPECT_FALSE(open.refuse_address(*multiaddr::parse("/ip4/1.2.3.4/tcp/1")));
  host::gater deny(host::gater_rules{{}, {p1}, {}, {}});
  EXPECT_TRUE(deny.refuse_peer(p1));
  EXPECT_FALSE(deny.refuse_peer(p2));
  host::gater allow(host::gater_rules{{p1}, {}, {*host::ip_network::parse("127.0.0.0/8")}, {}});
  EXPECT_FALSE(allow.refuse_peer(p1));
  EXPECT_TRUE(allow.refuse_peer(p2));
  EXPECT_FALSE(allow.refuse_address(*multiaddr::parse("/ip4/127.0.0.1/tcp/1")));
  EXPECT_TRUE(allow.refuse_address(*multiaddr::parse("/ip4/10.0.0.1/tcp/1")));
  host::gater both(host::gater_rules{{p1}, {p1}, {*host::ip_network::parse("127.0.0.0/8")},
                                     {*host::ip_network::parse("127.0.0.1")}});
  EXPECT_TRUE(both.refuse_peer(p1));
  EXPECT_TRUE(both.refuse_address(*multiaddr::parse("/ip4/127.0.0.1/tcp/1")));
  EXPECT_FALSE(both.refuse_address(*multiaddr::parse("/ip4/127.0.0.2/tcp/1")));
}

namespace {

struct two_hosts {
  asio::io_context ctx;
  std::shared_ptr<host::host> a, b;
  multiaddr b_addr;
  two_hosts(host::gater_rules a_rules, host::gater_rules b_rules) {
    host::config ca, cb;
    ca.gater = std::move(a_rules);
    cb.gater = std::move(b_rules);
    a = host::builder{}.settings(ca).build(ctx.get_executor());
    b = host::builder{}.settings(cb).build(ctx.get_executor());
    b_addr = b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"))->encapsulate(
        *multiaddr::parse("/p2p/" + b->id().to_string()));
    b->set_stream_handler(std::string(echo_id), test::echo_handler);
  }
  // "" when a reaches b and an echo works, else the first error.
  std::string try_echo() {
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
          auto w = co_await (*s)->write(as_bytes("x"));
          (void)w;
          (void)co_await (*s)->close_write();
          auto back = co_await core::read_to_end(**s, 10);
          outcome = back && as_string_view(*back) == "x" ? "" : "echo failed";
        }
      }
      co_await a->close();
      co_await b->close();
    });
    return outcome;
  }
};

}  // namespace

TEST(host_gater, an_allowed_peer_connects) {
  two_hosts t({}, {});
  t.b->set_gater_rules(host::gater_rules{{t.a->id()}, {}, {*host::ip_network::parse("127.0.0.0/8")}, {}});
  EXPECT_EQ(t.try_echo(), "");
}

TEST(host_gater, inbound_from_a_denied_network_is_refused_before_the_handshake) {
  const auto before = counter("gater_refused_address");
  two_hosts t({}, host::gater_rules{{}, {}, {}, {*host::ip_network::parse("127.0.0.0/8")}});
  EXPECT_NE(t.try_echo(), "");
  EXPECT_GT(counter("gater_refused_address"), before);
}

TEST(host_gater, inbound_from_a_denied_peer_is_closed_after_the_handshake) {
  const auto before = counter("gater_refused_peer");
  two_hosts t({}, {});
  t.b->set_gater_rules(host::gater_rules{{}, {t.a->id()}, {}, {}});
  EXPECT_NE(t.try_echo(), "");
  EXPECT_GT(counter("gater_refused_peer"), before);
  EXPECT_FALSE(t.b->is_connected(t.a->id()));
}

TEST(host_gater, dialing_a_denied_peer_or_network_fails_without_dialing) {
  {
    two_hosts t({}, {});
    t.a->set_gater_rules(host::gater_rules{{}, {t.b->id()}, {}, {}});
    const auto err = t.try_echo();
    EXPECT_NE(err.find("gater"), std::string::npos) << err;
    EXPECT_NE(err.find("permission denied"), std::string::npos) << err;
  }
  {
    two_hosts t(host::gater_rules{{}, {}, {*host::ip_network::parse("10.0.0.0/8")}, {}}, {});
    const auto err = t.try_echo();
    EXPECT_NE(err.find("no allowed network"), std::string::npos) << err;
  }
}
