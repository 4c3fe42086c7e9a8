#include <gtest/gtest.h>

#include "agentp2p/protocols/mdns/engine.hpp"

using namespace agentp2p;
using namespace agentp2p::mdns;
using multiformats::multiaddr;
using namespace std::chrono_literals;

namespace {

crypto::peer_id new_peer() { return crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key()); }

multiaddr addr_of(const std::string& text) { return *multiaddr::parse(text); }

multiaddr with_p2p(const std::string& text, const crypto::peer_id& p) {
  return addr_of(text).encapsulate(addr_of("/p2p/" + p.to_string()));
}

// A peer's answer, as our make_response builds it.
bytes answer_from(const crypto::peer_id& p, const std::string& peer_name, const std::string& service,
                  const std::string& addr = "/ip4/10.1.2.3/tcp/4001") {
  announcement a{service, peer_name, {with_p2p(addr, p)}, {bytes{10, 1, 2, 3}}, 4001, 120};
  return encode(make_response(a)).value();
}

interface_view lan_view(const crypto::peer_id& self) {
  interface_view v;
  v.name = "eth0";
  v.index = 2;
  v.addrs = {with_p2p("/ip4/10.9.9.9/tcp/4001", self)};
  v.ips = {bytes{10, 9, 9, 9}};
  return v;
}

const clock::time_point t0 = clock::time_point{} + 24h;

record txt_record(const std::string& name, std::vector<std::string> strings) {
  record r;
  r.name = name;
  r.type = rr_type::txt;
  r.ttl = 120;
  r.txt = std::move(strings);
  return r;
}

}  // namespace

TEST(mdns_records, service_names_get_the_local_domain_as_go_libp2p_does) {
  EXPECT_EQ(full_service_name("_p2p._udp"), "_p2p._udp.local");
  EXPECT_EQ(full_service_name("praxis-p2p-mcp"), "praxis-p2p-mcp.local");
  EXPECT_EQ(full_service_name("_p2p._udp.local."), "_p2p._udp.local");
  auto name = random_peer_name();
  EXPECT_GE(name.size(), 32u);
  EXPECT_LE(name.size(), 63u);
  EXPECT_NE(name, random_peer_name());
}

TEST(mdns_records, our_response_is_read_back_as_the_peer_and_its_addresses) {
  auto p = new_peer();
  announcement a{"_p2p._udp.local", "peername1",
                 {with_p2p("/ip4/10.1.2.3/tcp/4001", p), with_p2p("/ip6/fd00::1/tcp/4001", p),
                  with_p2p("/ip4/10.1.2.3/tcp/4001/p2p/" + new_peer().to_string() + "/p2p-circuit", p)},
                 {bytes{10, 1, 2, 3}},
                 4001,
                 120};
  auto m = make_response(a);
  // The layout the libp2p spec asks for: the PTR answer, SRV/TXT/A additional.
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(m.answers[0].ptr, "peername1._p2p._udp.local");
  ASSERT_EQ(m.additionals.size(), 3u);
  EXPECT_EQ(m.additionals[0].srv.target, "peername1.local");
  EXPECT_EQ(m.additionals[1].txt.size(), 3u);  // one TXT record holds all dnsaddr strings
  auto back = decode(encode(m).value()).value();
  auto found = read_response(back, {"_p2p._udp.local"}, "someone-else");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].peer, p);
  EXPECT_EQ(found[0].service, "_p2p._udp.local");
  EXPECT_EQ(found[0].addrs, (std::vector<multiaddr>{addr_of("/ip4/10.1.2.3/tcp/4001"), addr_of("/ip6/fd00::1/tcp/4001")}));
  // Our own answer, other services and goodbyes (TTL 0) are not peers.
  EXPECT_TRUE(read_response(back, {"_p2p._udp.local"}, "peername1").empty());
  EXPECT_TRUE(read_response(back, {"praxis-p2p-mcp.local"}, "x").empty());
  a.ttl = 0;
  EXPECT_TRUE(read_response(make_response(a), {"_p2p._udp.local"}, "x").empty());
}

TEST(mdns_records, js_libp2p_style_answers_are_read) {
  // js-libp2p puts the PTR and one TXT record per address, all in the answers.
  auto p = new_peer();
  message m;
  m.flags = message::flag_response;
  record ptr;
  ptr.name = "_p2p._udp.local";
  ptr.type = rr_type::ptr;
  ptr.ttl = 120;
  ptr.ptr = "jsname._p2p._udp.local";
  m.answers.push_back(ptr);
  m.answers.push_back(txt_record("jsname._p2p._udp.local", {"dnsaddr=" + with_p2p("/ip4/10.0.0.2/tcp/1234", p).to_string()}));
  m.answers.push_back(txt_record("jsname._p2p._udp.local", {"dnsaddr=" + with_p2p("/ip4/127.0.0.1/tcp/1234", p).to_string()}));
  m.answers.push_back(txt_record("jsname._p2p._udp.local", {"not-a-dnsaddr", "dnsaddr=/garbage", "dnsaddr=/ip4/1.2.3.4/tcp/1"}));
  auto found = read_response(decode(encode(m).value()).value(), {"_p2p._udp.local"}, "me");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].peer, p);
  EXPECT_EQ(found[0].addrs.size(), 2u);
}

TEST(mdns_engine, answers_queries_for_its_services_at_most_once_per_interval) {
  auto self = new_peer();
  config cfg;
  engine e(cfg, self, "mypeername");
  auto view = lan_view(self);
  auto queries = e.queries();
  ASSERT_EQ(queries.size(), 2u);  // _p2p._udp.local and praxis-p2p-mcp.local
  auto replies = e.on_packet(queries[0], view, "10.0.0.5", false, t0);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_FALSE(replies[0].unicast);
  auto m = decode(replies[0].packet).value();
  EXPECT_TRUE(m.is_response());
  EXPECT_EQ(m.answers[0].name, "_p2p._udp.local");
  auto found = read_response(m, {"_p2p._udp.local"}, "other");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].peer, self);
  EXPECT_EQ(found[0].addrs, std::vector<multiaddr>{addr_of("/ip4/10.9.9.9/tcp/4001")});

  // The praxis name is answered under that name (go-libp2p compares it exactly).
  auto praxis = e.on_packet(queries[1], view, "10.0.0.5", false, t0);
  ASSERT_EQ(praxis.size(), 1u);
  EXPECT_EQ(decode(praxis[0].packet).value().answers[0].name, "praxis-p2p-mcp.local");

  // The same query again within a second: everyone heard the first answer.
  EXPECT_TRUE(e.on_packet(queries[0], view, "10.0.0.6", false, t0 + 100ms).empty());
  EXPECT_EQ(e.stats().answers_held_back, 1u);
  EXPECT_EQ(e.on_packet(queries[0], view, "10.0.0.6", false, t0 + 1100ms).size(), 1u);

  // Nothing reachable on an interface: nothing to say there.
  interface_view empty = view;
  empty.index = 3;
  empty.addrs.clear();
  EXPECT_TRUE(e.on_packet(queries[0], empty, "10.0.0.5", false, t0 + 5s).empty());
  // Other services are not ours to answer.
  EXPECT_TRUE(e.on_packet(encode(make_query("_other._udp.local")).value(), view, "10.0.0.5", false, t0 + 9s).empty());
}

TEST(mdns_engine, known_answers_and_legacy_queriers) {
  auto self = new_peer();
  engine e(config{}, self, "mypeername");
  auto view = lan_view(self);
  // A query that already lists our PTR with a fresh TTL is not answered.
  auto q = make_query("_p2p._udp.local");
  record known;
  known.name = "_p2p._udp.local";
  known.type = rr_type::ptr;
  known.ttl = 100;
  known.ptr = "mypeername._p2p._udp.local";
  q.answers.push_back(known);
  EXPECT_TRUE(e.on_packet(encode(q).value(), view, "10.0.0.5", false, t0).empty());
  // A one-shot querier on another port gets a unicast reply with its id and question.
  auto legacy = make_query("_p2p._udp.local");
  legacy.id = 0x4242;
  auto replies = e.on_packet(encode(legacy).value(), view, "10.0.0.5", true, t0);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].unicast);
  auto m = decode(replies[0].packet).value();
  EXPECT_EQ(m.id, 0x4242);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_LE(m.answers[0].ttl, 10u);
}

TEST(mdns_engine, discovered_peers_are_deduplicated_and_rate_limited) {
  auto self = new_peer();
  config cfg;
  cfg.max_discoveries_per_second = 2;
  cfg.rediscovery_interval = 30s;
  engine e(cfg, self, "me");
  auto view = lan_view(self);
  auto p = new_peer();
  // The same peer announced under both names and twice: one discovery.
  e.on_packet(answer_from(p, "pname", "_p2p._udp.local"), view, "10.0.0.2", false, t0);
  e.on_packet(answer_from(p, "pname", "praxis-p2p-mcp.local", "/ip4/10.1.2.4/tcp/4001"), view, "10.0.0.2", false, t0);
  EXPECT_EQ(e.pending(), 1u);
  auto f = e.next(t0);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->peer, p);
  EXPECT_EQ(f->addrs.size(), 2u);  // merged
  // Announced again soon after: already acted upon.
  e.on_packet(answer_from(p, "pname", "_p2p._udp.local"), view, "10.0.0.2", false, t0 + 1s);
  EXPECT_EQ(e.pending(), 0u);
  // Once it disconnected (forget), it is acted upon again.
  e.forget(p);
  e.on_packet(answer_from(p, "pname", "_p2p._udp.local"), view, "10.0.0.2", false, t0 + 1s);
  EXPECT_EQ(e.pending(), 1u);

  // Five new peers: two per second (the bucket holds one token after the first).
  for (int i = 0; i < 5; ++i) e.on_packet(answer_from(new_peer(), "n" + std::to_string(i), "_p2p._udp.local"), view,
                                          "10.0.1." + std::to_string(i), false, t0 + 1s);
  int now_count = 0;
  while (e.next(t0 + 1s)) ++now_count;
  EXPECT_LE(now_count, 2);
  EXPECT_GT(e.next_ready(t0 + 1s), t0 + 1s);
  int later = 0;
  for (int s = 2; s < 10; ++s)
    while (e.next(t0 + std::chrono::seconds(s))) ++later;
  EXPECT_EQ(now_count + later, 6);
  EXPECT_EQ(e.next_ready(t0 + 10s), clock::time_point::max());
  (void)now_count;
}

TEST(mdns_engine, a_flood_of_answers_is_bounded_and_honest_peers_are_still_found) {
  auto self = new_peer();
  config cfg;
  engine e(cfg, self, "me");
  auto view = lan_view(self);
  // 20000 answers from one source, each for a different fake peer, plus
  // garbage, in the same second.
  auto fake = new_peer();
  auto bogus = answer_from(fake, "fake", "_p2p._udp.local");
  for (int i = 0; i < 20000; ++i) {
    e.on_packet(bogus, view, "10.0.0.66", false, t0);
    bytes junk(64, static_cast<std::uint8_t>(i));
    e.on_packet(junk, view, "10.0.0.66", false, t0);
  }
  EXPECT_EQ(e.stats().packets, cfg.max_packets_per_source_per_second);
  EXPECT_EQ(e.stats().packets_rate_limited, 40000u - cfg.max_packets_per_source_per_second);
  // The honest peer, from its own address, still gets through.
  auto honest = new_peer();
  e.on_packet(answer_from(honest, "honest", "_p2p._udp.local"), view, "10.0.0.7", false, t0);
  bool found_honest = false;
  for (int s = 0; s < 5 && !found_honest; ++s)
    while (auto f = e.next(t0 + std::chrono::seconds(s)))
      if (f->peer == honest) found_honest = true;
  EXPECT_TRUE(found_honest);

  // Many sources, each announcing many fake peers: the queue stays bounded.
  engine e2(cfg, self, "me");
  for (int src = 0; src < 200; ++src)
    for (int i = 0; i < 5; ++i)
      e2.on_packet(answer_from(new_peer(), "f", "_p2p._udp.local"), view, "10.2." + std::to_string(src), false, t0);
  EXPECT_LE(e2.pending(), cfg.max_pending_discoveries);
  EXPECT_GT(e2.stats().discoveries_dropped, 0u);
  EXPECT_LE(e2.stats().packets, cfg.max_packets_per_second);
}

TEST(mdns_engine, a_packet_with_many_peers_and_strings_is_read_within_budget) {
  auto self = new_peer();
  engine e(config{}, self, "me");
  message m;
  m.flags = message::flag_response;
  // 100 PTRs to distinct instances, each with a TXT of 60 strings.
  for (int i = 0; i < 100; ++i) {
    record ptr;
    ptr.name = "_p2p._udp.local";
    ptr.type = rr_type::ptr;
    ptr.ttl = 120;
    ptr.ptr = "i" + std::to_string(i) + "._p2p._udp.local";
    m.answers.push_back(ptr);
  }
  auto p = new_peer();
  std::vector<std::string> strings(60, "dnsaddr=" + with_p2p("/ip4/10.0.0.1/tcp/1", p).to_string());
  m.additionals.push_back(txt_record("i0._p2p._udp.local", strings));
  auto found = read_response(m, {"_p2p._udp.local"}, "me");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].addrs.size(), 1u);
}
