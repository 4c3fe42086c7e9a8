#include <gtest/gtest.h>

#include "agentp2p/protocols/mdns/dns_message.hpp"

using namespace agentp2p;
using namespace agentp2p::mdns;

namespace {

record rec(std::string name, std::uint16_t type, std::uint32_t ttl = 120) {
  record r;
  r.name = std::move(name);
  r.type = type;
  r.ttl = ttl;
  return r;
}

message sample() {
  message m;
  m.flags = message::flag_response | message::flag_authoritative;
  auto ptr = rec("_p2p._udp.local", rr_type::ptr);
  ptr.ptr = "abcdef._p2p._udp.local";
  m.answers.push_back(ptr);
  auto srv = rec("abcdef._p2p._udp.local", rr_type::srv);
  srv.cache_flush = true;
  srv.srv = {0, 0, 4001, "abcdef.local"};
  m.additionals.push_back(srv);
  auto txt = rec("abcdef._p2p._udp.local", rr_type::txt);
  txt.txt = {"dnsaddr=/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWabc", ""};
  m.additionals.push_back(txt);
  auto a = rec("abcdef.local", rr_type::a);
  a.address = {10, 0, 0, 1};
  m.additionals.push_back(a);
  auto aaaa = rec("abcdef.local", rr_type::aaaa);
  aaaa.address = bytes(16, 0xfd);
  m.additionals.push_back(aaaa);
  auto other = rec("abcdef.local", 99);
  other.raw = {1, 2, 3};
  m.additionals.push_back(other);
  return m;
}

bytes header(std::uint16_t qd, std::uint16_t an, std::uint16_t ns = 0, std::uint16_t ar = 0, bool response = true) {
  return {0, 0, static_cast<std::uint8_t>(response ? 0x84 : 0), 0, static_cast<std::uint8_t>(qd >> 8),
          static_cast<std::uint8_t>(qd), static_cast<std::uint8_t>(an >> 8), static_cast<std::uint8_t>(an),
          static_cast<std::uint8_t>(ns >> 8), static_cast<std::uint8_t>(ns), static_cast<std::uint8_t>(ar >> 8),
          static_cast<std::uint8_t>(ar)};
}

}  // namespace

TEST(dns_message, a_response_round_trips_with_compressed_names) {
  auto m = sample();
  auto wire = encode(m);
  ASSERT_TRUE(wire) << wire.error().what();
  // "_p2p._udp.local" and "abcdef.local" appear many times but are written once.
  std::string_view text(reinterpret_cast<const char*>(wire->data()), wire->size());
  EXPECT_EQ(text.find("_udp"), text.rfind("_udp"));
  auto back = decode(*wire);
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_TRUE(back->is_response());
  ASSERT_EQ(back->answers.size(), 1u);
  EXPECT_EQ(back->answers[0].ptr, "abcdef._p2p._udp.local");
  ASSERT_EQ(back->additionals.size(), 5u);
  EXPECT_EQ(back->additionals[0].srv.target, "abcdef.local");
  EXPECT_EQ(back->additionals[0].srv.port, 4001);
  EXPECT_TRUE(back->additionals[0].cache_flush);
  EXPECT_EQ(back->additionals[0].rclass, class_in);
  EXPECT_EQ(back->additionals[1].txt, m.additionals[1].txt);
  EXPECT_EQ(back->additionals[2].address, (bytes{10, 0, 0, 1}));
  EXPECT_EQ(back->additionals[3].address, bytes(16, 0xfd));
  EXPECT_EQ(back->additionals[4].raw, (bytes{1, 2, 3}));
  // Re-encoding what we decoded gives the same bytes.
  EXPECT_EQ(encode(*back).value(), *wire);
}

TEST(dns_message, a_query_with_the_unicast_bit_round_trips) {
  message q;
  q.questions.push_back(question{"_P2P._udp.local", rr_type::ptr, class_in, true});
  auto back = decode(encode(q).value());
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->is_response());
  ASSERT_EQ(back->questions.size(), 1u);
  EXPECT_TRUE(back->questions[0].unicast_response);
  EXPECT_TRUE(same_name(back->questions[0].name, "_p2p._udp.local"));
}

TEST(dns_message, dots_inside_labels_are_escaped) {
  message m;
  m.questions.push_back(question{"my\\.agent._p2p._udp.local"});
  auto wire = encode(m).value();
  EXPECT_EQ(wire[12], 8);  // one label "my.agent"
  auto back = decode(wire).value();
  EXPECT_EQ(back.questions[0].name, "my\\.agent._p2p._udp.local");
  EXPECT_EQ(first_label(back.questions[0].name), "my.agent");
}

TEST(dns_message, every_truncation_is_an_error_not_a_crash) {
  auto wire = encode(sample()).value();
  for (std::size_t n = 0; n < wire.size(); ++n) {
    auto r = decode(byte_span(wire.data(), n));
    EXPECT_FALSE(r) << "decoded a packet cut at " << n;
  }
}

TEST(dns_message, compression_pointer_loops_are_refused) {
  // A question whose name is a pointer to itself.
  auto self = header(1, 0, 0, 0, false);
  self.insert(self.end(), {0xC0, 12, 0, 12, 0, 1});
  EXPECT_FALSE(decode(self));
  // Two names pointing at each other: the second is a forward pointer target of the first.
  auto pair = header(2, 0, 0, 0, false);
  pair.insert(pair.end(), {0xC0, 18, 0, 12, 0, 1, 0xC0, 12, 0, 12, 0, 1});
  EXPECT_FALSE(decode(pair));
  // A pointer into the middle of the same name ("a" then a pointer back to "a").
  auto inner = header(1, 0, 0, 0, false);
  inner.insert(inner.end(), {1, 'a', 0xC0, 12, 0, 12, 0, 1});
  EXPECT_FALSE(decode(inner));
  // A backwards pointer is fine.
  auto good = header(2, 0, 0, 0, false);
  good.insert(good.end(), {1, 'a', 0, 0, 12, 0, 1, 1, 'b', 0xC0, 12, 0, 12, 0, 1});
  auto r = decode(good);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->questions[1].name, "b.a");
}

TEST(dns_message, limits_on_names_counts_and_sizes_hold) {
  // A name of 300 bytes (five labels of 59): longer than DNS allows.
  auto longname = header(1, 0, 0, 0, false);
  for (int i = 0; i < 5; ++i) {
    longname.push_back(59);
    longname.insert(longname.end(), 59, 'x');
  }
  longname.insert(longname.end(), {0, 0, 12, 0, 1});
  EXPECT_FALSE(decode(longname));
  // 65535 records claimed in a small packet.
  EXPECT_FALSE(decode(header(0, 0xFFFF)));
  // A packet above 9000 bytes.
  bytes big = header(0, 0);
  big.resize(9001);
  auto r = decode(big);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::too_large));
  // A TXT string that runs past its record.
  auto txt = header(0, 1);
  txt.insert(txt.end(), {0, 0, 16, 0, 1, 0, 0, 0, 120, 0, 3, 5, 'a', 'b'});
  EXPECT_FALSE(decode(txt));
  // An A record of 5 bytes.
  auto a = header(0, 1);
  a.insert(a.end(), {0, 0, 1, 0, 1, 0, 0, 0, 120, 0, 5, 1, 2, 3, 4, 5});
  EXPECT_FALSE(decode(a));
  // Reserved label types (0x40, 0x80).
  auto label = header(1, 0, 0, 0, false);
  label.insert(label.end(), {0x41, 'a', 0, 0, 12, 0, 1});
  EXPECT_FALSE(decode(label));
}

TEST(dns_message, encoding_refuses_what_dns_cannot_carry) {
  message m;
  m.questions.push_back(question{std::string(64, 'x') + ".local"});
  EXPECT_FALSE(encode(m));
  message t;
  auto txt = rec("a.local", rr_type::txt);
  txt.txt = {std::string(256, 'x')};
  t.answers.push_back(txt);
  EXPECT_FALSE(encode(t));
  message big;
  for (int i = 0; i < 100; ++i) {
    auto r = rec("a.local", rr_type::txt);
    r.txt = {std::string(200, 'x')};
    big.answers.push_back(r);
  }
  auto e = encode(big);
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().is(errc::too_large));
}
