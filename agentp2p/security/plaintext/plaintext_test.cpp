#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/security/plaintext/exchange.hpp"
#include "agentp2p/security/plaintext/plaintext.hpp"
#include "plaintext_exchange.pb.h"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;
using namespace asio::experimental::awaitable_operators;

// GoogleTest's ASSERT_* return, which a coroutine cannot: this co_returns.
#define CO_ASSERT(cond)                          \
  if (!(cond)) {                                 \
    ADD_FAILURE() << "assertion failed: " #cond; \
    co_return;                                   \
  }

namespace {

crypto::peer_id id_of(const crypto::private_key& k) { return crypto::peer_id::from_public_key(k.public_key()); }

bytes exchange_bytes(byte_span id, byte_span pubkey) {
  plaintext::pb::Exchange msg;
  msg.set_id(id.data(), id.size());
  msg.set_pubkey(pubkey.data(), pubkey.size());
  const auto s = msg.SerializeAsString();
  return to_bytes(s);
}

}  // namespace

TEST(plaintext, round_trip_then_raw_bytes_pass_through) {
  auto ka = crypto::private_key::generate_ed25519();
  auto kb = crypto::private_key::generate_secp256k1();
  plaintext::plaintext_protocol a(ka), b(kb);
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto [out, in] = co_await (a.secure_outbound(std::move(pair.a), id_of(kb)) && b.secure_inbound(std::move(pair.b)));
    EXPECT_TRUE(out) << out.error().what();
    EXPECT_TRUE(in) << in.error().what();
    CO_ASSERT(out && in);
    EXPECT_EQ(out->remote_peer, id_of(kb));
    EXPECT_EQ(in->remote_peer, id_of(ka));
    EXPECT_EQ(in->remote_key, ka.public_key());
    // Application data directly after the exchange arrives untouched.
    {
      auto awaited = co_await out->stream->write(as_bytes("hello"));
      EXPECT_TRUE(awaited);
    }
    {
      auto awaited = co_await out->stream->close_write();
      EXPECT_TRUE(awaited);
    }
    auto all = co_await core::read_to_end(*in->stream, 100);
    CO_ASSERT(all);
    EXPECT_EQ(as_string_view(*all), "hello");
  });
}

TEST(plaintext, wrong_expected_peer_is_a_mismatch) {
  auto kb = crypto::private_key::generate_ed25519();
  auto other = id_of(crypto::private_key::generate_ed25519());
  plaintext::plaintext_protocol a(crypto::private_key::generate_ed25519()), b(kb);
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto [out, in] = co_await (a.secure_outbound(std::move(pair.a), other) && b.secure_inbound(std::move(pair.b)));
    CO_ASSERT(!out);
    EXPECT_TRUE(out.error().is(errc::peer_id_mismatch)) << out.error().what();
    EXPECT_NE(out.error().message.find(other.to_string()), std::string::npos);
    EXPECT_NE(out.error().message.find(id_of(kb).to_string()), std::string::npos);
  });
}

TEST(plaintext, id_that_does_not_match_the_key_is_rejected) {
  auto key = crypto::private_key::generate_ed25519();
  auto liar = id_of(crypto::private_key::generate_ed25519());
  auto r = plaintext::decode_exchange(exchange_bytes(liar.to_bytes(), key.public_key().to_protobuf()));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::handshake_failed)) << r.error().what();
  EXPECT_NE(r.error().message.find(liar.to_string()), std::string::npos) << r.error().message;

  auto good = plaintext::decode_exchange(plaintext::encode_exchange(key.public_key()));
  ASSERT_TRUE(good) << good.error().what();
  EXPECT_EQ(good->peer, id_of(key));

  EXPECT_FALSE(plaintext::decode_exchange(to_bytes("\x0a\xff")));
  EXPECT_FALSE(plaintext::decode_exchange(exchange_bytes(liar.to_bytes(), to_bytes("not a key"))));
}

TEST(plaintext, a_mismatched_remote_fails_the_inbound_side) {
  auto key = crypto::private_key::generate_ed25519();
  plaintext::plaintext_protocol b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto liar = id_of(crypto::private_key::generate_ed25519());
    (void)co_await core::write_length_prefixed(*pair.a, exchange_bytes(liar.to_bytes(), key.public_key().to_protobuf()));
    auto in = co_await b.secure_inbound(std::move(pair.b));
    CO_ASSERT(!in);
    EXPECT_TRUE(in.error().is(errc::handshake_failed)) << in.error().what();
  });
}

TEST(plaintext, oversized_exchange_is_refused) {
  plaintext::plaintext_protocol b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    (void)co_await core::write_length_prefixed(*pair.a, bytes(100000, 0));
    auto in = co_await b.secure_inbound(std::move(pair.b));
    CO_ASSERT(!in);
    EXPECT_TRUE(in.error().is(errc::too_large)) << in.error().what();
  });
}
