// The control-protocol codec: what go-libp2p-daemon clients send decodes,
// what we answer decodes on their side, and bad requests are clear errors.
#include <gtest/gtest.h>

#include "agentp2p/daemon/p2pd/wire.hpp"

using namespace agentp2p;
using namespace agentp2p::p2pd;
using multiformats::multiaddr;

namespace {

crypto::peer_id some_peer() { return crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key()); }

}  // namespace

TEST(p2pd_wire, requests_round_trip) {
  auto peer = some_peer();
  auto addr = *multiaddr::parse("/ip4/127.0.0.1/tcp/4001");

  auto id = decode_request(encode_request_identify());
  ASSERT_TRUE(id) << id.error().what();
  EXPECT_EQ(id->type, request_type::identify);

  auto c = decode_request(encode_request_connect(peer, {addr}));
  ASSERT_TRUE(c) << c.error().what();
  ASSERT_TRUE(c->connect);
  EXPECT_EQ(c->connect->peer, peer);
  ASSERT_EQ(c->connect->addrs.size(), 1u);
  EXPECT_EQ(c->connect->addrs[0], addr);

  auto so = decode_request(encode_request_stream_open(peer, "/echo/1.0.0"));
  ASSERT_TRUE(so);
  EXPECT_EQ(so->stream_open->protocols, std::vector<std::string>{"/echo/1.0.0"});

  auto sh = decode_request(encode_request_stream_handler(*multiaddr::parse("/unix/tmp/h.sock"), "/echo/1.0.0"));
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->stream_handler->addr.to_string(), "/unix/tmp/h.sock");

  dht_request d;
  d.type = dht_request_type::put_value;
  d.key = to_bytes("/pk/x");
  d.value = to_bytes("v");
  d.timeout_seconds = 7;
  auto dr = decode_request(encode_request_dht(d));
  ASSERT_TRUE(dr);
  EXPECT_EQ(dr->dht->type, dht_request_type::put_value);
  EXPECT_EQ(*dr->dht->key, to_bytes("/pk/x"));
  EXPECT_EQ(*dr->dht->value, to_bytes("v"));
  EXPECT_EQ(*dr->dht->timeout_seconds, 7);
}

TEST(p2pd_wire, bad_requests_are_decode_errors_that_say_what_is_wrong) {
  auto garbage = decode_request(to_bytes("\xff\xff\xff"));
  ASSERT_FALSE(garbage);
  EXPECT_TRUE(garbage.error().is(errc::decode_error));

  // type 42 (field 1, varint)
  auto unknown = decode_request(bytes{0x08, 42});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown request type 42"), std::string::npos);

  // CONNECT with no connect message
  auto bare = decode_request(bytes{0x08, 0x01});
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().message.find("CONNECT"), std::string::npos);

  // CONNECT whose peer is not a multihash: connect{peer: "xx"}
  auto bad_peer = decode_request(bytes{0x08, 0x01, 0x12, 0x04, 0x0a, 0x02, 'x', 'x'});
  ASSERT_FALSE(bad_peer);
  EXPECT_NE(bad_peer.error().message.find("connect.peer"), std::string::npos);

  // Too many addresses.
  std::vector<multiaddr> many(40, *multiaddr::parse("/ip4/127.0.0.1/tcp/1"));
  auto too_many = decode_request(encode_request_connect(some_peer(), many));
  ASSERT_FALSE(too_many);
  EXPECT_TRUE(too_many.error().is(errc::too_large));

  // Over the request size cap.
  wire_limits small;
  small.max_request_size = 4;
  auto big = decode_request(encode_request_identify(), small);
  EXPECT_TRUE(big);  // 2 bytes
  auto over = decode_request(encode_request_connect(some_peer(), {}), small);
  ASSERT_FALSE(over);
  EXPECT_TRUE(over.error().is(errc::too_large));

  // A DHT value over the cap.
  dht_request d;
  d.type = dht_request_type::put_value;
  d.key = to_bytes("/pk/x");
  d.value = bytes(300 * 1024, 1);
  auto huge = decode_request(encode_request_dht(d));
  ASSERT_FALSE(huge);
  EXPECT_TRUE(huge.error().is(errc::too_large));
}

TEST(p2pd_wire, responses_always_carry_their_type_even_when_it_is_zero) {
  // js clients compare `response.type` with OK (0); proto3 would omit a zero.
  EXPECT_EQ(encode_ok(), (bytes{0x08, 0x00}));
  // Response{OK, dht{BEGIN}} and the bare END.
  EXPECT_EQ(encode_dht_begin(), (bytes{0x08, 0x00, 0x2a, 0x02, 0x08, 0x00}));
  EXPECT_EQ(encode_dht_end(), (bytes{0x08, 0x02}));

  auto err = decode_response(encode_error("no such peer"));
  ASSERT_TRUE(err);
  EXPECT_FALSE(err->ok);
  EXPECT_EQ(err->error, "no such peer");
}

TEST(p2pd_wire, responses_decode) {
  auto peer = some_peer();
  auto addr = *multiaddr::parse("/ip4/127.0.0.1/tcp/4001");
  auto id = decode_response(encode_identify(peer, {addr}));
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->ok);
  ASSERT_TRUE(id->identify);
  EXPECT_EQ(id->identify->id, peer);
  EXPECT_EQ(id->identify->addrs, std::vector<multiaddr>{addr});

  auto peers = decode_response(encode_peers({peer_entry{peer, {addr}}}));
  ASSERT_TRUE(peers);
  ASSERT_EQ(peers->peers.size(), 1u);
  EXPECT_EQ(peers->peers[0].id, peer);

  stream_info si{peer, addr, "/echo/1.0.0"};
  auto open = decode_response(encode_stream_open(si));
  ASSERT_TRUE(open);
  ASSERT_TRUE(open->stream);
  EXPECT_EQ(open->stream->protocol, "/echo/1.0.0");
  auto bare = decode_stream_info(encode_stream_info(si));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->peer, peer);
  EXPECT_EQ(bare->addr, addr);

  auto value = decode_response(encode_dht_value(to_bytes("v")));
  ASSERT_TRUE(value);
  EXPECT_EQ(*value->dht_type, 1);
  EXPECT_EQ(*value->dht_value, to_bytes("v"));

  auto item = decode_dht_stream_item(encode_dht_stream_peer(peer_entry{peer, {addr}}));
  ASSERT_TRUE(item);
  EXPECT_EQ(item->type, 1);
  ASSERT_TRUE(item->peer);
  EXPECT_EQ(item->peer->id, peer);
}
