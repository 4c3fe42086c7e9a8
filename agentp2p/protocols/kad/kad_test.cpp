// The DHT between real hosts on loopback (one io_context), and against a
// malicious fake DHT server.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/multiformats/cid.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/kad/kad.hpp"
#include "agentp2p/protocols/kad/test_util.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

namespace {

struct dht_node {
  std::shared_ptr<host::host> h;
  std::shared_ptr<identify::service> id;
  std::shared_ptr<kad::service> dht;
  multiaddr addr;
};

dht_node make_node(asio::io_context& ctx, kad::config cfg) {
  dht_node n;
  n.h = host::builder{}.build(ctx.get_executor());
  n.id = identify::service::start(n.h);
  cfg.mode = kad::mode::server;  // loopback only: force server mode
  n.dht = kad::service::start(n.h, cfg);
  std::weak_ptr<kad::service> weak = n.dht;
  n.id->on_identified([weak](const identify::peer_info& p) {
    if (auto d = weak.lock()) d->peer_identified(p.peer);
  });
  n.addr = n.h->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")).value().encapsulate(
      *multiaddr::parse("/p2p/" + n.h->id().to_string()));
  return n;
}

awaitable<void> connect_and_identify(dht_node& from, const dht_node& to) {
  auto c = co_await from.h->connect(to.addr);
  EXPECT_TRUE(c) << (c ? "" : c.error().what());
  auto a = co_await from.id->wait_identified(to.h->id(), std::chrono::seconds(10));
  EXPECT_TRUE(a);
  auto b = co_await to.id->wait_identified(from.h->id(), std::chrono::seconds(10));
  EXPECT_TRUE(b);
}

awaitable<void> close_all(std::vector<dht_node>& nodes) {
  for (auto& n : nodes) n.dht->stop();
  for (auto& n : nodes) co_await n.h->close();
}

bytes provider_key(std::string_view name) {
  return multiformats::multihash::from_digest(multiformats::hash_code::sha2_256, crypto::sha256(as_bytes(name)))
      .to_bytes();
}

}  // namespace

TEST(kad_service, chain_of_six_finds_peers_values_and_providers) {
  asio::io_context ctx;
  kad::config cfg;
  cfg.bootstrap_on_first_peer = false;
  std::vector<dht_node> nodes;
  for (int i = 0; i < 6; ++i) nodes.push_back(make_node(ctx, cfg));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    // A chain: 0-1-2-3-4-5; nobody knows more than its neighbours.
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) co_await connect_and_identify(nodes[i], nodes[i + 1]);
    EXPECT_EQ(nodes[0].dht->table().size(), 1u);
    for (auto& n : nodes) {
      auto b = co_await n.dht->bootstrap();
      EXPECT_TRUE(b);
    }
    EXPECT_GE(nodes[0].dht->table().size(), 3u);

    // Peer routing.
    co_await nodes[0].h->disconnect(nodes[5].h->id());
    auto found = co_await nodes[0].dht->find_peer(nodes[5].h->id());
    EXPECT_TRUE(found) << (found ? "" : found.error().what());
    if (found) EXPECT_FALSE(found->peer.addrs.empty());
    auto nobody = co_await nodes[0].dht->find_peer(kad::testutil::random_peer(*std::make_unique<std::mt19937_64>(1)));
    EXPECT_FALSE(nobody);

    // Values: /pk/ records, validated.
    auto pk_key = kad::public_key_record_key(nodes[3].h->id());
    auto put = co_await nodes[3].dht->put_value(pk_key, nodes[3].h->public_key().to_protobuf());
    EXPECT_TRUE(put) << (put ? "" : put.error().what());
    if (put) EXPECT_GE(put->stored, 1u);
    auto got = co_await nodes[0].dht->get_value(pk_key);
    EXPECT_TRUE(got) << (got ? "" : got.error().what());
    if (got) EXPECT_EQ(got->rec.value, nodes[3].h->public_key().to_protobuf());
    auto bad = co_await nodes[3].dht->put_value(pk_key, nodes[2].h->public_key().to_protobuf());
    EXPECT_FALSE(bad);

    // Providers.
    auto key = provider_key("agentp2p:tool:translate");
    auto p1 = co_await nodes[1].dht->provide(key);
    EXPECT_TRUE(p1);
    auto p4 = co_await nodes[4].dht->provide(key);
    EXPECT_TRUE(p4);
    auto provs = co_await nodes[5].dht->find_providers(key, 10);
    EXPECT_TRUE(provs);
    if (provs) {
      std::set<crypto::peer_id> ids;
      for (auto& p : provs->providers) ids.insert(p.id);
      EXPECT_TRUE(ids.contains(nodes[1].h->id()));
      EXPECT_TRUE(ids.contains(nodes[4].h->id()));
    }
    co_await close_all(nodes);
  }, std::chrono::seconds(60));
}

namespace {

// A DHT "server" that answers every request with thousands of bogus closer
// peers (random ids, unroutable loopback addresses) and, for GET_VALUE, a
// record that fails validation.
awaitable<void> malicious_serve(std::shared_ptr<host::stream> s) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 100; ++i) {
    auto frame = co_await core::read_length_prefixed(*s, 1 << 20);
    if (!frame) co_return;
    auto req = kad::decode(*frame, kad::wire_limits{});
    if (!req) co_return;
    kad::message reply;
    reply.type = req->type;
    reply.key = req->key;
    for (int j = 0; j < 3000; ++j)
      reply.closer_peers.push_back(kad::peer_info{kad::testutil::random_peer(rng),
                                                  {*multiaddr::parse("/ip4/127.0.0.1/tcp/1")}, {}});
    if (req->type == kad::message_type::get_value) reply.rec = kad::record{req->key, to_bytes("forged"), {}};
    auto sent = co_await core::write_length_prefixed(*s, kad::encode(reply));
    if (!sent) co_return;
  }
}

}  // namespace

TEST(kad_service, honest_lookups_survive_a_peer_flooding_bogus_peers_and_records) {
  asio::io_context ctx;
  kad::config cfg;
  cfg.bootstrap_on_first_peer = false;
  cfg.wire.max_message_size = 4 * 1024 * 1024;  // let the flood through the size check; the peer cap must hold
  std::vector<dht_node> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(make_node(ctx, cfg));
  // The malicious node speaks /ipfs/kad/1.0.0 but answers with garbage.
  dht_node evil;
  evil.h = host::builder{}.build(ctx.get_executor());
  evil.id = identify::service::start(evil.h);
  evil.h->set_stream_handler("/ipfs/kad/1.0.0", [](std::shared_ptr<host::stream> s) -> awaitable<void> {
    co_await malicious_serve(std::move(s));
  });
  evil.addr = evil.h->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")).value().encapsulate(
      *multiaddr::parse("/p2p/" + evil.h->id().to_string()));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    // 0 knows the evil node and 1; 1-2-3 is honest.
    co_await connect_and_identify(nodes[0], evil);
    co_await connect_and_identify(nodes[0], nodes[1]);
    co_await connect_and_identify(nodes[1], nodes[2]);
    co_await connect_and_identify(nodes[2], nodes[3]);
    EXPECT_TRUE(nodes[0].dht->table().contains(evil.h->id()));
    auto pk_key = kad::public_key_record_key(nodes[3].h->id());
    auto put = co_await nodes[3].dht->put_value(pk_key, nodes[3].h->public_key().to_protobuf());
    EXPECT_TRUE(put);

    auto found = co_await nodes[0].dht->find_peer(nodes[3].h->id());
    EXPECT_TRUE(found) << (found ? "" : found.error().what());
    if (found) EXPECT_LE(found->stats.requests, cfg.lookup.max_requests);
    auto got = co_await nodes[0].dht->get_value(pk_key);
    EXPECT_TRUE(got) << (got ? "" : got.error().what());
    if (got) EXPECT_EQ(got->rec.value, nodes[3].h->public_key().to_protobuf());
    EXPECT_GT(nodes[0].dht->stats().dropped_peers, 0u);
    EXPECT_GT(nodes[0].dht->stats().invalid_records, 0u);
    co_await close_all(nodes);
    co_await evil.h->close();
  }, std::chrono::seconds(60));
}
