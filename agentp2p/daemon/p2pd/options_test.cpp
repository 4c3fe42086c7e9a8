// p2pd's command line, parsed as Go's flag package does.
#include <gtest/gtest.h>

#include "agentp2p/daemon/p2pd/options.hpp"

using namespace agentp2p;
using namespace agentp2p::p2pd;

namespace {

result<parsed_options> parse(std::vector<std::string_view> args) { return parse_options(args); }

}  // namespace

TEST(p2pd_options, defaults_are_p2pds) {
  auto p = parse({});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opts.control.to_string(), "/unix/tmp/p2pd.sock");
  EXPECT_EQ(p->opts.security, std::vector<security>{security::noise});
  EXPECT_EQ(p->opts.dht, dht_mode::off);
  EXPECT_FALSE(p->opts.identity);
}

TEST(p2pd_options, what_the_interop_suite_passes) {
  auto p = parse({"-listen=/unix/tmp/x/go-1.sock", "-hostAddrs=/ip4/127.0.0.1/tcp/0", "-plaintext=true", "-dhtServer",
                  "-id=/keys/go.rsa.key", "-muxer=yamux"});
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_EQ(p->opts.control.to_string(), "/unix/tmp/x/go-1.sock");
  ASSERT_EQ(p->opts.host_addrs.size(), 1u);
  EXPECT_EQ(p->opts.host_addrs[0].to_string(), "/ip4/127.0.0.1/tcp/0");
  EXPECT_EQ(p->opts.security, std::vector<security>{security::plaintext});
  EXPECT_EQ(p->opts.dht, dht_mode::server);
  EXPECT_EQ(p->opts.identity->string(), "/keys/go.rsa.key");
}

TEST(p2pd_options, go_flag_syntax) {
  auto p = parse({"--listen", "/ip4/127.0.0.1/tcp/5000", "-noListenAddrs", "-dhtClient=true", "-noise=false",
                  "-plaintext", "-hostAddrs", "/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/tcp/1", "rest", "-tls"});
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_EQ(p->opts.control.to_string(), "/ip4/127.0.0.1/tcp/5000");
  EXPECT_TRUE(p->opts.no_listen);
  EXPECT_EQ(p->opts.host_addrs.size(), 0u);  // -noListenAddrs wins
  EXPECT_EQ(p->opts.dht, dht_mode::client);
  EXPECT_EQ(p->opts.security, std::vector<security>{security::plaintext});  // parsing stopped at "rest"
}

TEST(p2pd_options, features_we_lack_are_refused_by_name) {
  for (auto flag : {"-tls=true", "-quic", "-pubsub", "-mplex", "-relayHop", "-natPortMap", "-secio"}) {
    auto p = parse({flag});
    ASSERT_FALSE(p) << flag;
    EXPECT_NE(p.error().message.find("not supported"), std::string::npos) << p.error().message;
  }
  auto mplex = parse({"-muxer=mplex"});
  ASSERT_FALSE(mplex);
  EXPECT_NE(mplex.error().message.find("mplex"), std::string::npos);
  // Turning them off is fine; -relay (on by default in p2pd) asks for nothing extra.
  EXPECT_TRUE(parse({"-tls=false", "-pubsub=false", "-relay"}));
}

TEST(p2pd_options, usage_errors) {
  EXPECT_FALSE(parse({"-nosuchflag"}));
  EXPECT_FALSE(parse({"-listen"}));            // needs an argument
  EXPECT_FALSE(parse({"-listen=/nope/1"}));    // not a multiaddr
  EXPECT_FALSE(parse({"-dht=maybe"}));         // not a boolean
  EXPECT_FALSE(parse({"-bootstrapPeers=/ip4/1.2.3.4/tcp/1"}));  // no /p2p/
  auto help = parse({"-h"});
  ASSERT_TRUE(help);
  EXPECT_TRUE(help->help);
}
