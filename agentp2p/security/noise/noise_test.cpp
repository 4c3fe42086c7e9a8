// Noise over real loopback TCP: handshakes between our own nodes with
// several identity key types, peer id checks, bulk transfer, and peers that
// misbehave in the handshake or the transport phase.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/security/noise/handshake_payload.hpp"
#include "agentp2p/security/noise/handshake_state.hpp"
#include "agentp2p/security/noise/noise.hpp"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;
using namespace asio::experimental::awaitable_operators;
using core::secured_channel;

// GoogleTest's ASSERT_* return, which a coroutine cannot: this co_returns.
#define CO_ASSERT(cond)                         \
  if (!(cond)) {                                \
    ADD_FAILURE() << "assertion failed: " #cond; \
    co_return;                                  \
  }

namespace {

using channel_result = result<secured_channel>;
using both = std::tuple<channel_result, channel_result>;

awaitable<both> connect(noise::noise_protocol& dialer, noise::noise_protocol& listener,
                        std::optional<crypto::peer_id> expected) {
  auto pair = co_await test::make_stream_pair();
  co_return co_await (dialer.secure_outbound(std::move(pair.a), expected) &&
                      listener.secure_inbound(std::move(pair.b)));
}

crypto::peer_id id_of(const crypto::private_key& k) { return crypto::peer_id::from_public_key(k.public_key()); }

void expect_mutual(const crypto::private_key& a_key, const crypto::private_key& b_key) {
  noise::noise_protocol a(a_key), b(b_key);
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto [out, in] = co_await connect(a, b, id_of(b_key));
    EXPECT_TRUE(out) << out.error().what();
    EXPECT_TRUE(in) << in.error().what();
    if (!out || !in) co_return;
    EXPECT_EQ(out->remote_peer, id_of(b_key));
    EXPECT_EQ(in->remote_peer, id_of(a_key));
    EXPECT_EQ(out->remote_key, b_key.public_key());
    EXPECT_EQ(in->remote_key, a_key.public_key());
    // A little traffic each way through the encrypted streams.
    {
      auto awaited = co_await out->stream->write(as_bytes("ping"));
      EXPECT_TRUE(awaited);
    }
    std::uint8_t buf[16];
    auto n = co_await in->stream->read_some(buf);
    EXPECT_TRUE(n && as_string_view(byte_span(buf, *n)) == "ping");
    {
      auto awaited = co_await in->stream->write(as_bytes("pong"));
      EXPECT_TRUE(awaited);
    }
    n = co_await out->stream->read_some(buf);
    EXPECT_TRUE(n && as_string_view(byte_span(buf, *n)) == "pong");
  });
}

void expect_ok(const result<void>& r) { EXPECT_TRUE(r) << r.error().what(); }

awaitable<result<void>> send_frame(core::byte_stream& s, byte_span msg) {
  const std::uint8_t prefix[2] = {static_cast<std::uint8_t>(msg.size() >> 8), static_cast<std::uint8_t>(msg.size())};
  const byte_span parts[] = {byte_span(prefix, 2), msg};
  co_return co_await s.write_v(parts);
}

awaitable<result<bytes>> recv_frame(core::byte_stream& s) {
  std::uint8_t prefix[2];
  AP_CO_TRYV(co_await core::read_exact(s, prefix));
  bytes msg((std::size_t{prefix[0]} << 8) | prefix[1]);
  AP_CO_TRYV(co_await core::read_exact(s, msg));
  co_return msg;
}

// Forwards to a real stream; can flip one byte in the middle of the next write.
class tamper_stream final : public core::byte_stream {
 public:
  explicit tamper_stream(std::unique_ptr<core::byte_stream> inner) : inner_(std::move(inner)) {}
  bool corrupt_next_write = false;

  executor get_executor() const override { return inner_->get_executor(); }
  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override { return inner_->read_some(buf); }
  awaitable<result<void>> write(byte_span data) override {
    if (!corrupt_next_write) co_return co_await inner_->write(data);
    corrupt_next_write = false;
    bytes copy(data.begin(), data.end());
    copy[copy.size() / 2] ^= 0x01;
    co_return co_await inner_->write(copy);
  }
  awaitable<result<void>> close_write() override { return inner_->close_write(); }
  void reset() override { inner_->reset(); }

 private:
  std::unique_ptr<core::byte_stream> inner_;
};

// Forwards to a real stream and keeps a copy of everything written.
class recording_stream final : public core::byte_stream {
 public:
  recording_stream(std::unique_ptr<core::byte_stream> inner, bytes& log) : inner_(std::move(inner)), log_(log) {}

  executor get_executor() const override { return inner_->get_executor(); }
  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override { return inner_->read_some(buf); }
  awaitable<result<void>> write(byte_span data) override {
    log_.insert(log_.end(), data.begin(), data.end());
    return inner_->write(data);
  }
  awaitable<result<void>> write_v(std::span<const byte_span> parts) override {
    for (auto p : parts) log_.insert(log_.end(), p.begin(), p.end());
    return inner_->write_v(parts);
  }
  awaitable<result<void>> close_write() override { return inner_->close_write(); }
  void reset() override { inner_->reset(); }

 private:
  std::unique_ptr<core::byte_stream> inner_;
  bytes& log_;
};

}  // namespace

// Ephemeral keys come from a pool refilled after each handshake: every
// handshake still sends a fresh ephemeral key on both sides (message 1 and
// message 2 begin with it, after the 2-byte length), the handshakes work, and
// the pool is full again once the event loop has run the refill steps.
TEST(noise, pooled_ephemeral_keys_are_each_used_once) {
  noise::noise_protocol a(crypto::private_key::generate_ed25519()), b(crypto::private_key::generate_ed25519());
  EXPECT_EQ(a.ephemeral_keys_ready(), 0u);  // filled after the first handshake, not at construction
  std::set<bytes> seen;
  asio::io_context ctx;
  for (int i = 0; i < 12; ++i) {
    bytes wrote_a, wrote_b;
    test::run_void(ctx, [&](executor) -> awaitable<void> {
      auto pair = co_await test::make_stream_pair();
      auto [out, in] =
          co_await (a.secure_outbound(std::make_unique<recording_stream>(std::move(pair.a), wrote_a), std::nullopt) &&
                    b.secure_inbound(std::make_unique<recording_stream>(std::move(pair.b), wrote_b)));
      EXPECT_TRUE(out) << out.error().what();
      EXPECT_TRUE(in) << in.error().what();
    });
    // run_void returns when the io_context is out of work: the refills ran.
    EXPECT_EQ(a.ephemeral_keys_ready(), 4u);
    EXPECT_EQ(b.ephemeral_keys_ready(), 4u);
    ASSERT_GE(wrote_a.size(), 34u);
    ASSERT_GE(wrote_b.size(), 34u);
    EXPECT_TRUE(seen.insert(bytes(wrote_a.begin() + 2, wrote_a.begin() + 34)).second) << "initiator reused a key";
    EXPECT_TRUE(seen.insert(bytes(wrote_b.begin() + 2, wrote_b.begin() + 34)).second) << "responder reused a key";
  }
}

// Reconnecting peers: after the first handshake each side has the other's
// (identity key, static key, signature) as verified and the later handshakes
// still authenticate both sides; with the cache off they verify every time.
TEST(noise, reconnecting_peers_authenticate_with_the_signature_cache_on_and_off) {
  for (std::size_t cached : {std::size_t{32}, std::size_t{0}}) {
    noise::config cfg;
    cfg.verified_signatures_cached = cached;
    auto ka = crypto::private_key::generate_ed25519(), kb = crypto::private_key::generate_ed25519();
    noise::noise_protocol a(ka, cfg), b(kb, cfg);
    asio::io_context ctx;
    for (int i = 0; i < 5; ++i)
      test::run_void(ctx, [&](executor) -> awaitable<void> {
        auto [out, in] = co_await connect(a, b, id_of(kb));
        CO_ASSERT(out && in);
        EXPECT_EQ(out->remote_peer, id_of(kb));
        EXPECT_EQ(in->remote_peer, id_of(ka));
      });
  }
}

TEST(noise, early_muxer_is_the_first_of_the_initiators_list_both_support) {
  auto all = [](std::string_view) { return true; };
  noise::extensions client, server;
  client.stream_muxers = {"/yamux/1.0.0", "/mplex/6.7.0"};
  server.stream_muxers = {"/mplex/6.7.0", "/yamux/1.0.0"};
  // The spec's example: both sides arrive at the initiator's preference.
  auto at_client = noise::early_muxer(client, server, true, all);
  auto at_server = noise::early_muxer(server, client, false, all);
  ASSERT_TRUE(at_client && at_server);
  EXPECT_EQ(**at_client, "/yamux/1.0.0");
  EXPECT_EQ(**at_server, "/yamux/1.0.0");
  // A muxer the host cannot run is skipped.
  auto no_yamux = [](std::string_view id) { return id != "/yamux/1.0.0"; };
  EXPECT_EQ(**noise::early_muxer(client, server, true, no_yamux), "/mplex/6.7.0");
  // Either list empty: no early negotiation (multistream decides).
  noise::extensions none;
  auto fallback = noise::early_muxer(client, none, true, all);
  ASSERT_TRUE(fallback);
  EXPECT_FALSE(*fallback);
  EXPECT_FALSE(*noise::early_muxer(none, server, false, all));
  // Both listed, nothing in common: the handshake fails.
  noise::extensions other;
  other.stream_muxers = {"/other/1.0.0"};
  auto none_common = noise::early_muxer(client, other, true, all);
  ASSERT_FALSE(none_common);
  EXPECT_TRUE(none_common.error().is(errc::handshake_failed));
}

TEST(noise, without_a_pool_handshakes_generate_their_keys) {
  noise::config cfg;
  cfg.ephemeral_keys_ahead = 0;
  noise::noise_protocol a(crypto::private_key::generate_ed25519(), cfg), b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto [out, in] = co_await connect(a, b, std::nullopt);
    EXPECT_TRUE(out && in);
  });
  EXPECT_EQ(a.ephemeral_keys_ready(), 0u);
  EXPECT_EQ(b.ephemeral_keys_ready(), 4u);
}

TEST(noise, ed25519_peers_learn_each_others_ids) {
  expect_mutual(crypto::private_key::generate_ed25519(), crypto::private_key::generate_ed25519());
}

TEST(noise, secp256k1_dialer_and_ed25519_listener) {
  expect_mutual(crypto::private_key::generate_secp256k1(), crypto::private_key::generate_ed25519());
}

TEST(noise, ed25519_dialer_and_rsa_listener) {
  auto rsa = crypto::private_key::generate_rsa(2048);
  ASSERT_TRUE(rsa) << rsa.error().what();
  expect_mutual(crypto::private_key::generate_ed25519(), *rsa);
}

TEST(noise, ecdsa_dialer_and_ed25519_listener) {
  expect_mutual(crypto::private_key::generate_ecdsa_p256(), crypto::private_key::generate_ed25519());
}

TEST(noise, extensions_reach_the_other_side) {
  noise::config cfg;
  cfg.local_extensions.stream_muxers = {"/yamux/1.0.0", "/mplex/6.7.0"};
  auto ka = crypto::private_key::generate_ed25519();
  noise::noise_protocol a(ka, cfg), b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto [out, in] = co_await connect(a, b, std::nullopt);
    if (!out || !in) {
      ADD_FAILURE() << "handshake failed";
      co_return;
    }
    auto* ext = noise::remote_extensions(*in->stream);
    CO_ASSERT(ext != nullptr);
    EXPECT_EQ(ext->stream_muxers, cfg.local_extensions.stream_muxers);
    EXPECT_TRUE(noise::remote_extensions(*out->stream)->stream_muxers.empty());
  });
}

TEST(noise, wrong_expected_peer_is_a_mismatch_naming_both_ids) {
  auto kb = crypto::private_key::generate_ed25519();
  auto someone_else = id_of(crypto::private_key::generate_ed25519());
  noise::noise_protocol a(crypto::private_key::generate_ed25519()), b(kb);
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto [out, in] = co_await connect(a, b, someone_else);
    CO_ASSERT(!out);
    EXPECT_TRUE(out.error().is(errc::peer_id_mismatch)) << out.error().what();
    EXPECT_NE(out.error().message.find(someone_else.to_string()), std::string::npos) << out.error().message;
    EXPECT_NE(out.error().message.find(id_of(kb).to_string()), std::string::npos) << out.error().message;
    // The listener never got our identity and sees the connection die.
    EXPECT_FALSE(in);
  });
}

TEST(noise, eight_mib_each_way_concurrently) {
  noise::noise_protocol a(crypto::private_key::generate_ed25519()), b(crypto::private_key::generate_ed25519());
  constexpr std::size_t total = 8 << 20;
  bytes data_a(total), data_b(total);
  std::mt19937 rng(42);
  for (auto& x : data_a) x = static_cast<std::uint8_t>(rng());
  for (auto& x : data_b) x = static_cast<std::uint8_t>(rng());

  // Writes in a mix of shapes: one bigger than a frame, yamux-like write_v
  // (12-byte header + body), small writes, and a big tail.
  auto sender = [](core::byte_stream& s, const bytes& data) -> awaitable<result<void>> {
    std::size_t at = 0;
    auto next = [&](std::size_t n) {
      auto part = byte_span(data).subspan(at, std::min(n, data.size() - at));
      at += part.size();
      return part;
    };
    AP_CO_TRYV(co_await s.write(next(200000)));
    for (int i = 0; i < 200; ++i) {
      auto header = next(12);
      auto body = next(static_cast<std::size_t>(1000 + i * 97));
      const byte_span parts[] = {header, body};
      AP_CO_TRYV(co_await s.write_v(parts));
    }
    for (int i = 0; i < 100; ++i) AP_CO_TRYV(co_await s.write(next(37)));
    AP_CO_TRYV(co_await s.write(next(data.size() - at)));
    co_return co_await s.close_write();
  };
  auto receiver = [](core::byte_stream& s, std::size_t chunk) -> awaitable<result<bytes>> {
    bytes got;
    bytes buf(chunk);
    std::size_t reads = 0;
    for (;;) {
      // Alternate small and large reads: both the in-place and the direct path.
      const std::size_t want = (++reads % 3 == 0) ? 100 : buf.size();
      auto n = co_await s.read_some(mutable_byte_span(buf).first(want));
      if (!n) {
        if (n.error().is(errc::end_of_stream)) co_return got;
        co_return std::move(n).error();
      }
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
  };

  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    const auto t0 = std::chrono::steady_clock::now();
    auto [out, in] = co_await connect(a, b, std::nullopt);
    const auto t1 = std::chrono::steady_clock::now();
    if (!out || !in) {
      ADD_FAILURE() << "handshake failed";
      co_return;
    }
    auto [wa, wb, ra, rb] = co_await (sender(*out->stream, data_a) && sender(*in->stream, data_b) &&
                                      receiver(*out->stream, 70000) && receiver(*in->stream, 16384));
    const auto t2 = std::chrono::steady_clock::now();
    EXPECT_TRUE(wa) << wa.error().what();
    EXPECT_TRUE(wb) << wb.error().what();
    EXPECT_TRUE(ra) << ra.error().what();
    CO_ASSERT(ra);
    EXPECT_TRUE(rb) << rb.error().what();
    CO_ASSERT(rb);
    EXPECT_EQ(ra->size(), total);
    EXPECT_EQ(rb->size(), total);
    EXPECT_EQ(crypto::sha256(*ra), crypto::sha256(data_b));
    EXPECT_EQ(crypto::sha256(*rb), crypto::sha256(data_a));
    using ms = std::chrono::duration<double, std::milli>;
    std::printf("handshake %.2f ms, 2 x 8 MiB concurrently %.1f ms\n", ms(t1 - t0).count(), ms(t2 - t1).count());
  });
}

TEST(noise, tampered_ciphertext_is_a_crypto_error) {
  noise::noise_protocol a(crypto::private_key::generate_ed25519()), b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto tamper = std::make_unique<tamper_stream>(std::move(pair.a));
    auto* control = tamper.get();
    auto [out, in] = co_await (a.secure_outbound(std::move(tamper), std::nullopt) &&
                               b.secure_inbound(std::move(pair.b)));
    if (!out || !in) {
      ADD_FAILURE() << "handshake failed";
      co_return;
    }
    // A good frame, then a bad one: the good data is delivered, then the error.
    {
      auto awaited = co_await out->stream->write(bytes(500, 'y'));
      EXPECT_TRUE(awaited);
    }
    control->corrupt_next_write = true;
    {
      auto awaited = co_await out->stream->write(bytes(1000, 'x'));
      EXPECT_TRUE(awaited);
    }
    std::uint8_t buf[2000];
    auto good = co_await in->stream->read_some(buf);
    EXPECT_TRUE(good && *good == 500);
    auto n = co_await in->stream->read_some(buf);
    CO_ASSERT(!n);
    EXPECT_TRUE(n.error().is(errc::crypto_error)) << n.error().what();
    EXPECT_NE(n.error().message.find("failed to decrypt"), std::string::npos);
    // The failure sticks: later reads do not resynchronise on garbage.
    auto again = co_await in->stream->read_some(buf);
    EXPECT_FALSE(again);
  });
}

TEST(noise, payload_signed_for_another_static_key_fails_the_handshake) {
  auto liar = crypto::private_key::generate_ed25519();
  noise::noise_protocol b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    // A hand-driven initiator whose payload signs a static key it does not use.
    auto fake = [&](core::byte_stream& s) -> awaitable<result<void>> {
      noise::handshake_state hs(noise::role::initiator, noise::x25519_keypair::generate());
      AP_CO_TRY(auto m1, hs.write_message({}));
      AP_CO_TRYV(co_await send_frame(s, m1));
      AP_CO_TRY(auto m2, co_await recv_frame(s));
      AP_CO_TRYV(hs.read_message(m2));
      auto other = noise::x25519_keypair::generate();
      AP_CO_TRY(auto payload, noise::make_handshake_payload(liar, other.public_key, {}));
      AP_CO_TRY(auto m3, hs.write_message(noise::encode(payload)));
      co_return co_await send_frame(s, m3);
    };
    auto [sent, in] = co_await (fake(*pair.a) && b.secure_inbound(std::move(pair.b)));
    expect_ok(sent);
    CO_ASSERT(!in);
    EXPECT_TRUE(in.error().is(errc::handshake_failed)) << in.error().what();
    EXPECT_NE(in.error().message.find("signature"), std::string::npos) << in.error().message;
  });
}

TEST(noise, garbage_message_two_is_a_crypto_error) {
  noise::noise_protocol a(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto fake = [](core::byte_stream& s) -> awaitable<result<void>> {
      AP_CO_TRY(auto m1, co_await recv_frame(s));
      bytes garbage(200);
      for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>(i * 7 + 9);
      co_return co_await send_frame(s, garbage);
    };
    auto [out, sent] = co_await (a.secure_outbound(std::move(pair.a), std::nullopt) && fake(*pair.b));
    CO_ASSERT(!out);
    EXPECT_TRUE(out.error().is(errc::crypto_error) || out.error().is(errc::handshake_failed)) << out.error().what();
  });
}

TEST(noise, oversized_handshake_message_is_refused) {
  noise::noise_protocol b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    const std::uint8_t huge_prefix[2] = {0xff, 0xff};
    (void)co_await pair.a->write(huge_prefix);
    auto in = co_await b.secure_inbound(std::move(pair.b));
    CO_ASSERT(!in);
    EXPECT_TRUE(in.error().is(errc::too_large)) << in.error().what();
  });
}

TEST(noise, truncated_length_prefix_is_an_error_not_a_hang) {
  noise::noise_protocol b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    const std::uint8_t half[1] = {0x00};
    (void)co_await pair.a->write(half);
    (void)co_await pair.a->close_write();
    auto in = co_await b.secure_inbound(std::move(pair.b));
    CO_ASSERT(!in);
    EXPECT_TRUE(in.error().is(errc::decode_error)) << in.error().what();
  }, std::chrono::seconds(10));
}

TEST(noise, peer_closing_mid_handshake_is_an_error_not_a_hang) {
  noise::noise_protocol a(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    auto fake = [](core::byte_stream& s) -> awaitable<result<void>> {
      AP_CO_TRY(auto m1, co_await recv_frame(s));
      const std::uint8_t partial[] = {0x00, 0x60, 1, 2, 3};  // announces 96 bytes, sends 3
      AP_CO_TRYV(co_await s.write(partial));
      co_return co_await s.close_write();
    };
    auto [out, sent] = co_await (a.secure_outbound(std::move(pair.a), std::nullopt) && fake(*pair.b));
    CO_ASSERT(!out);
    EXPECT_TRUE(out.error().is(errc::decode_error)) << out.error().what();
    EXPECT_NE(out.error().message.find("handshake message 2"), std::string::npos) << out.error().message;
  }, std::chrono::seconds(10));
}

TEST(noise, transport_frame_problems_are_errors) {
  noise::noise_protocol a(crypto::private_key::generate_ed25519()), b(crypto::private_key::generate_ed25519());
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    // A frame shorter than its tag.
    {
      auto pair = co_await test::make_stream_pair();
      auto tamper = std::make_unique<tamper_stream>(std::move(pair.a));
      auto* raw = tamper.get();
      auto [out, in] = co_await (a.secure_outbound(std::move(tamper), std::nullopt) &&
                                 b.secure_inbound(std::move(pair.b)));
      if (!out || !in) {
        ADD_FAILURE() << "handshake failed";
        co_return;
      }
      const std::uint8_t runt[] = {0x00, 0x05, 1, 2, 3, 4, 5};
      (void)co_await raw->write(runt);
      std::uint8_t buf[64];
      auto n = co_await in->stream->read_some(buf);
      CO_ASSERT(!n);
      EXPECT_TRUE(n.error().is(errc::protocol_error)) << n.error().what();
    }
    // A frame cut short by the end of the connection.
    {
      auto pair = co_await test::make_stream_pair();
      auto tamper = std::make_unique<tamper_stream>(std::move(pair.a));
      auto* raw = tamper.get();
      auto [out, in] = co_await (a.secure_outbound(std::move(tamper), std::nullopt) &&
                                 b.secure_inbound(std::move(pair.b)));
      if (!out || !in) {
        ADD_FAILURE() << "handshake failed";
        co_return;
      }
      const std::uint8_t cut[] = {0x01, 0x00, 1, 2, 3};
      (void)co_await raw->write(cut);
      (void)co_await raw->close_write();
      std::uint8_t buf[64];
      auto n = co_await in->stream->read_some(buf);
      CO_ASSERT(!n);
      EXPECT_TRUE(n.error().is(errc::decode_error)) << n.error().what();
    }
    // A clean close between frames is end_of_stream.
    {
      auto [out, in] = co_await connect(a, b, std::nullopt);
      if (!out || !in) {
        ADD_FAILURE() << "handshake failed";
        co_return;
      }
      (void)co_await out->stream->write(as_bytes("bye"));
      (void)co_await out->stream->close_write();
      auto all = co_await core::read_to_end(*in->stream, 100);
      EXPECT_TRUE(all) << all.error().what();
      CO_ASSERT(all);
      EXPECT_EQ(as_string_view(*all), "bye");
    }
  });
}

// A connection starts on its small buffers and switches to the large ones at
// the first frame that needs them: small frames, then bulk, then small again,
// with frames straddling the switch.
TEST(noise, small_frames_then_bulk_then_small_frames) {
  noise::noise_protocol a(crypto::private_key::generate_ed25519()), b(crypto::private_key::generate_ed25519());
  constexpr std::size_t total = 3 << 20;
  bytes data(total);
  std::mt19937 rng(7);
  for (auto& x : data) x = static_cast<std::uint8_t>(rng());
  auto sender = [](core::byte_stream& s, const bytes& data) -> awaitable<result<void>> {
    std::size_t at = 0;
    auto next = [&](std::size_t n) {
      auto part = byte_span(data).subspan(at, std::min(n, data.size() - at));
      at += part.size();
      return part;
    };
    for (int i = 0; i < 50; ++i) AP_CO_TRYV(co_await s.write(next(static_cast<std::size_t>(1 + i * 41))));
    AP_CO_TRYV(co_await s.write(next(1000000)));
    for (int i = 0; i < 50; ++i) AP_CO_TRYV(co_await s.write(next(static_cast<std::size_t>(5 + i * 13))));
    AP_CO_TRYV(co_await s.write(next(data.size() - at)));
    co_return co_await s.close_write();
  };
  asio::io_context ctx;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto [out, in] = co_await connect(a, b, std::nullopt);
    CO_ASSERT(out && in);
    auto [sent, got] = co_await (sender(*out->stream, data) && core::read_to_end(*in->stream, total + 1));
    EXPECT_TRUE(sent) << sent.error().what();
    CO_ASSERT(got);
    EXPECT_EQ(got->size(), total);
    EXPECT_EQ(crypto::sha256(*got), crypto::sha256(data));
  });
}
