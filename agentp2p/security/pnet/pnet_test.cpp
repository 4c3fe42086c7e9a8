#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <random>

#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/security/pnet/pnet.hpp"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;
using namespace asio::experimental::awaitable_operators;

#define CO_ASSERT(cond)                          \
  if (!(cond)) {                                 \
    ADD_FAILURE() << "assertion failed: " #cond; \
    co_return;                                   \
  }

namespace {

pnet::psk key_from_hex(std::string_view hex) {
  bytes b;
  EXPECT_TRUE(from_hex(hex, b));
  pnet::psk k;
  std::copy(b.begin(), b.end(), k.key.begin());
  return k;
}

template <std::size_t N>
std::array<std::uint8_t, N> array_from_hex(std::string_view hex) {
  bytes b;
  EXPECT_TRUE(from_hex(hex, b));
  std::array<std::uint8_t, N> a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

}  // namespace

TEST(pnet_key, parses_the_spec_format) {
  auto k = pnet::parse_swarm_key(
      "/key/swarm/psk/1.0.0/\n/base16/\ndffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d\n");
  ASSERT_TRUE(k) << k.error().what();
  EXPECT_EQ(to_hex(byte_span(k->key.data(), 32)), "dffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d");
  // \r\n line ends and no trailing newline (as js-libp2p's generateKey writes it).
  auto k2 = pnet::parse_swarm_key(
      "/key/swarm/psk/1.0.0/\r\n/base16/\r\ndffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d");
  ASSERT_TRUE(k2) << k2.error().what();
  EXPECT_EQ(*k, *k2);
  // Round trip of a generated key.
  auto g = pnet::generate_psk();
  auto back = pnet::parse_swarm_key(pnet::format_swarm_key(g));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, g);
  EXPECT_EQ(g.fingerprint().size(), 8u);
}

TEST(pnet_key, rejects_malformed_files_with_a_reason) {
  auto bad_header = pnet::parse_swarm_key("/key/swarm/psk/2.0.0/\n/base16/\n00\n");
  ASSERT_FALSE(bad_header);
  EXPECT_NE(bad_header.error().message.find("first line"), std::string::npos);
  auto short_key = pnet::parse_swarm_key("/key/swarm/psk/1.0.0/\n/base16/\nabcd\n");
  ASSERT_FALSE(short_key);
  EXPECT_NE(short_key.error().message.find("32 bytes"), std::string::npos);
  auto not_hex = pnet::parse_swarm_key(
      "/key/swarm/psk/1.0.0/\n/base16/\nzzfb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d\n");
  EXPECT_FALSE(not_hex);
  auto encoding = pnet::parse_swarm_key("/key/swarm/psk/1.0.0/\n/base58/\nabc\n");
  ASSERT_FALSE(encoding);
  EXPECT_TRUE(encoding.error().is(errc::unsupported));
  EXPECT_FALSE(pnet::parse_swarm_key("/key/swarm/psk/1.0.0/\n"));
  EXPECT_FALSE(pnet::parse_swarm_key(""));
  EXPECT_FALSE(pnet::load_swarm_key("/nonexistent/swarm.key"));
}

// NaCl's stream test (tests/stream.c in NaCl and libsodium): the SHA-256 of
// the first 4 MiB of XSalsa20 keystream for this key and nonce.
TEST(pnet_xsalsa20, matches_the_nacl_test_vector_in_any_chunking) {
  const auto key = key_from_hex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
  const auto nonce = array_from_hex<24>("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
  const std::size_t size = 4194304;
  bytes one_shot(size, 0);
  pnet::xsalsa20 whole(key, nonce);
  whole.apply(one_shot);
  EXPECT_EQ(to_hex(byte_span(one_shot.data(), 16)), "eea6a7251c1e72916d11c2cb214d3c25");
  const auto digest = crypto::sha256(one_shot);
  EXPECT_EQ(to_hex(byte_span(digest.data(), digest.size())),
            "662b9d0e3463029156069b12f918691a98f7dfb2ca0393c96bbfc6b1fbd630a2");
  // Chunks of awkward sizes (1, 63, 64, 65, 1000, ...) give the same keystream.
  bytes chunked(size, 0);
  pnet::xsalsa20 pieces(key, nonce);
  std::mt19937 rng(7);
  std::size_t pos = 0;
  const std::size_t sizes[] = {1, 63, 64, 65, 1, 127, 1000, 4096, 3, 70000};
  for (std::size_t i = 0; pos < size; ++i) {
    const std::size_t n = std::min(size - pos, sizes[i % std::size(sizes)] + (rng() % 3));
    pieces.apply(std::span<std::uint8_t>(chunked.data() + pos, n));
    pos += n;
  }
  EXPECT_EQ(pieces.position(), size);
  EXPECT_TRUE(one_shot == chunked);
}

TEST(pnet_stream, peers_with_the_same_key_talk_and_bytes_on_the_wire_are_not_plain) {
  const auto key = pnet::generate_psk();
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto [a, b] = co_await (pnet::protect(std::move(pair.a), key) && pnet::protect(std::move(pair.b), key));
    CO_ASSERT(a && b);
    const std::string text(100000, 'x');
    auto w = co_await (*a)->write(as_bytes(text));
    EXPECT_TRUE(w);
    auto c = co_await (*a)->close_write();
    EXPECT_TRUE(c);
    auto all = co_await core::read_to_end(**b, 200000);
    CO_ASSERT(all);
    EXPECT_EQ(std::string(all->begin(), all->end()), text);
  });
}

TEST(pnet_stream, different_keys_yield_noise) {
  const auto k1 = pnet::generate_psk();
  const auto k2 = pnet::generate_psk();
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto [a, b] = co_await (pnet::protect(std::move(pair.a), k1) && pnet::protect(std::move(pair.b), k2));
    CO_ASSERT(a && b);
    const std::string text = "/multistream/1.0.0\n";
    auto w = co_await (*a)->write(as_bytes(text));
    EXPECT_TRUE(w);
    auto c = co_await (*a)->close_write();
    EXPECT_TRUE(c);
    auto all = co_await core::read_to_end(**b, 100);
    CO_ASSERT(all);
    EXPECT_NE(std::string(all->begin(), all->end()), text);
  });
}
