#include <gtest/gtest.h>

#include "agentp2p/protocols/kad/test_util.hpp"
#include "agentp2p/protocols/kad/wire.hpp"
#include "kad.pb.h"

using namespace agentp2p;
using namespace agentp2p::kad;
using multiformats::multiaddr;

TEST(kad_wire, round_trips_every_field) {
  std::mt19937_64 rng(1);
  message m;
  m.type = message_type::get_providers;
  m.key = to_bytes("some-key");
  m.rec = record{to_bytes("/pk/x"), to_bytes("value"), "2024-01-01T00:00:00Z"};
  m.closer_peers.push_back(peer_info{testutil::random_peer(rng), {*multiaddr::parse("/ip4/127.0.0.1/tcp/4001")},
                                     connection_type::connected});
  m.provider_peers.push_back(peer_info{testutil::random_peer(rng), {}, connection_type::can_connect});
  auto d = decode(encode(m), wire_limits{});
  ASSERT_TRUE(d) << d.error().what();
  EXPECT_EQ(d->type, m.type);
  EXPECT_EQ(d->key, m.key);
  ASSERT_TRUE(d->rec);
  EXPECT_EQ(*d->rec, *m.rec);
  ASSERT_EQ(d->closer_peers.size(), 1u);
  EXPECT_EQ(d->closer_peers[0].id, m.closer_peers[0].id);
  EXPECT_EQ(d->closer_peers[0].addrs, m.closer_peers[0].addrs);
  EXPECT_EQ(d->closer_peers[0].connection, connection_type::connected);
  ASSERT_EQ(d->provider_peers.size(), 1u);
  EXPECT_EQ(d->provider_peers[0].connection, connection_type::can_connect);
}

TEST(kad_wire, a_missing_type_is_put_value_as_in_proto3_encoders) {
  // js-libp2p omits the type field for PUT_VALUE (value 0).
  bytes only_key{0x12, 0x01, 'k'};
  auto d = decode(only_key, wire_limits{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, message_type::put_value);
}

TEST(kad_wire, unknown_type_and_garbage_are_errors) {
  bytes type9{0x08, 0x09};
  EXPECT_FALSE(decode(type9, wire_limits{}));
  bytes garbage{0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01};
  EXPECT_FALSE(decode(garbage, wire_limits{}));
}

TEST(kad_wire, thousands_of_closer_peers_are_capped_and_bad_ids_dropped) {
  std::mt19937_64 rng(2);
  pb::Message msg;
  msg.set_type(4);
  for (int i = 0; i < 5000; ++i) {
    auto* p = msg.add_closerpeers();
    if (i % 2 == 0) {
      auto id = testutil::random_peer(rng).to_bytes();
      p->set_id(id.data(), id.size());
      for (int a = 0; a < 40; ++a) p->add_addrs(std::string("\x04\x7f\x00\x00\x01\x06\x00\x01", 8));
    } else {
      p->set_id("not a multihash");
    }
  }
  std::string bytes_out;
  msg.SerializeToString(&bytes_out);
  wire_limits limits;
  limits.max_message_size = 4 * 1024 * 1024;
  decode_report report;
  auto d = decode(as_bytes(bytes_out), limits, &report);
  ASSERT_TRUE(d) << d.error().what();
  EXPECT_EQ(d->closer_peers.size(), limits.max_peers_per_list);
  EXPECT_EQ(report.dropped_peers, 5000 - limits.max_peers_per_list);
  for (const auto& p : d->closer_peers) EXPECT_LE(p.addrs.size(), limits.max_addrs_per_peer);
  EXPECT_GT(report.dropped_addrs, 0u);
}

TEST(kad_wire, oversized_message_key_and_value_are_refused) {
  wire_limits limits;
  message m;
  m.type = message_type::put_value;
  m.key = bytes(limits.max_key_size + 1, 'k');
  EXPECT_FALSE(decode(encode(m), limits));
  m.key = to_bytes("/pk/x");
  m.rec = record{m.key, bytes(limits.max_value_size + 1, 'v'), {}};
  auto d = decode(encode(m), limits);
  ASSERT_FALSE(d);
  EXPECT_TRUE(d.error().is(errc::too_large));
  limits.max_message_size = 10;
  EXPECT_FALSE(decode(bytes(11, 0), limits));
}
