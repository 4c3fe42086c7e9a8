// Micro benchmarks of the byte path's building blocks (Google Benchmark):
// the Noise cipher on a full transport message, the Yamux header codec and
// a stream's receive buffer taking and handing out 64 KiB frames.
//   build/release/bench/micro/agentp2p_micro_bench
#include <benchmark/benchmark.h>

#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/muxer/yamux/frame.hpp"
#include "agentp2p/muxer/yamux/notifier.hpp"
#include "agentp2p/muxer/yamux/recv_buffer.hpp"
#include "agentp2p/security/noise/cipher_state.hpp"
#include "agentp2p/security/noise/handshake_state.hpp"
#include "agentp2p/security/noise/x25519.hpp"

#include <openssl/evp.h>
#include <sodium.h>

using namespace agentp2p;

namespace {

noise::cipher_state keyed() {
  noise::cipher_state c;
  noise::cipher_key k{};
  k[0] = 1;
  c.initialize_key(k);
  return c;
}

void noise_encrypt_max_message(benchmark::State& state) {
  auto c = keyed();
  std::vector<std::uint8_t> buf(noise::max_message_len);
  const std::size_t plain = noise::max_plaintext_len;
  for (auto _ : state) {
    auto r = c.encrypt_with_ad({}, byte_span(buf.data(), plain), buf.data());  // in place
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * plain));
}
BENCHMARK(noise_encrypt_max_message);

void noise_decrypt_max_message(benchmark::State& state) {
  auto tx = keyed();
  auto rx = keyed();
  const std::size_t plain = noise::max_plaintext_len;
  std::vector<std::uint8_t> msg(noise::max_message_len), out(plain);
  for (auto _ : state) {
    state.PauseTiming();
    (void)tx.encrypt_with_ad({}, byte_span(out.data(), plain), msg.data());
    state.ResumeTiming();
    auto r = rx.decrypt_with_ad({}, msg, out.data());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * plain));
}
BENCHMARK(noise_decrypt_max_message);

// Small messages (pings, window updates, requests): per-message overhead.
void noise_seal_open_small(benchmark::State& state) {
  auto tx = keyed();
  auto rx = keyed();
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> msg(size + noise::tag_len), out(size);
  for (auto _ : state) {
    (void)tx.encrypt_with_ad({}, byte_span(out.data(), size), msg.data());
    auto r = rx.decrypt_with_ad({}, msg, out.data());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
BENCHMARK(noise_seal_open_small)->Arg(44)->Arg(1024)->Arg(1025)->Arg(4096);

void yamux_header_round_trip(benchmark::State& state) {
  yamux::header h{yamux::frame_type::data, yamux::flag::syn, 7, 65000};
  for (auto _ : state) {
    auto raw = yamux::encode(h);
    auto back = yamux::decode(raw);
    benchmark::DoNotOptimize(back);
  }
}
BENCHMARK(yamux_header_round_trip);

// One data frame in, read out by the application: what a bulk transfer does
// per frame on the receiving side.
void yamux_recv_buffer_frame(benchmark::State& state) {
  const auto frame = static_cast<std::size_t>(state.range(0));
  yamux::recv_buffer b;
  std::vector<std::uint8_t> app(frame);
  for (auto _ : state) {
    auto space = b.prepare(frame);
    benchmark::DoNotOptimize(space.data());
    b.commit(frame);
    auto n = b.read(app);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame));
}
BENCHMARK(yamux_recv_buffer_frame)->Arg(100)->Arg(65536 - 28);

// One hand-off between coroutines (a stream reader woken by the read loop):
// a waiter suspends on a notifier, another coroutine notifies it, inline
// (notify_now, the read loop's path) or through the event loop (notify).
awaitable<void> notifier_waiter(yamux::notifier& n, std::size_t& woken, bool& stop) {
  while (!stop) {
    co_await n.wait_uninterruptible();
    ++woken;
  }
}

void yamux_notifier_hand_off(benchmark::State& state) {
  const bool inline_wake = state.range(0) != 0;
  asio::io_context ctx;
  yamux::notifier n(ctx.get_executor());
  std::size_t woken = 0;
  bool stop = false;
  asio::co_spawn(ctx, notifier_waiter(n, woken, stop), asio::detached);
  ctx.poll();
  for (auto _ : state) {
    if (inline_wake) {
      n.notify_now();
    } else {
      n.notify();
      ctx.poll();
    }
  }
  stop = true;
  n.notify();
  ctx.poll();
  benchmark::DoNotOptimize(woken);
}
BENCHMARK(yamux_notifier_hand_off)->Arg(0)->Arg(1);

}  // namespace

// ---- X25519: libsodium against OpenSSL 3's EVP, as a handshake would use them
namespace x25519_bench {

noise::dh_key key_from(std::uint8_t seed) {
  noise::dh_key k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed * 31 + i * 7 + 1);
  return k;
}

EVP_PKEY* evp_private(const noise::dh_key& k) {
  return EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, k.data(), k.size());
}
EVP_PKEY* evp_public(const noise::dh_key& k) {
  return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, k.data(), k.size());
}

}  // namespace x25519_bench

// What the handshake does now: one call per DH.
void x25519_dh_libsodium(benchmark::State& state) {
  auto a = noise::x25519_keypair::from_private(x25519_bench::key_from(1));
  auto b = noise::x25519_keypair::from_private(x25519_bench::key_from(2));
  for (auto _ : state) {
    auto s = noise::x25519(a.private_key, b.public_key);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(x25519_dh_libsodium);

// OpenSSL 3 EVP, the cheapest a handshake could use it: our private key's
// object and derive context made once (ahead, like a pooled key), the
// remote's public key object built per DH (a handshake builds one per remote
// key and uses it once or twice), set as peer, derive.
void x25519_dh_openssl_peer_per_call(benchmark::State& state) {
  using namespace x25519_bench;
  auto a = noise::x25519_keypair::from_private(key_from(1));
  auto b = noise::x25519_keypair::from_private(key_from(2));
  EVP_PKEY* priv = evp_private(a.private_key);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, priv, nullptr);
  EVP_PKEY_derive_init(ctx);
  for (auto _ : state) {
    EVP_PKEY* peer = evp_public(b.public_key);
    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0);
    noise::dh_key out;
    std::size_t len = out.size();
    EVP_PKEY_derive(ctx, out.data(), &len);
    benchmark::DoNotOptimize(out);
    EVP_PKEY_free(peer);
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(priv);
}
BENCHMARK(x25519_dh_openssl_peer_per_call);

// Lower bound: everything prebuilt, derive only.
void x25519_dh_openssl_derive_only(benchmark::State& state) {
  using namespace x25519_bench;
  auto a = noise::x25519_keypair::from_private(key_from(1));
  auto b = noise::x25519_keypair::from_private(key_from(2));
  EVP_PKEY* priv = evp_private(a.private_key);
  EVP_PKEY* peer = evp_public(b.public_key);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, priv, nullptr);
  EVP_PKEY_derive_init(ctx);
  EVP_PKEY_derive_set_peer_ex(ctx, peer, 0);
  for (auto _ : state) {
    noise::dh_key out;
    std::size_t len = out.size();
    EVP_PKEY_derive(ctx, out.data(), &len);
    benchmark::DoNotOptimize(out);
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer);
  EVP_PKEY_free(priv);
}
BENCHMARK(x25519_dh_openssl_derive_only);

// Key generation (public from private): libsodium's X25519 base point ladder.
void x25519_keygen_libsodium(benchmark::State& state) {
  auto k = x25519_bench::key_from(3);
  for (auto _ : state) {
    noise::dh_key pub;
    crypto_scalarmult_base(pub.data(), k.data());
    benchmark::DoNotOptimize(pub);
  }
}
BENCHMARK(x25519_keygen_libsodium);

// OpenSSL derives the public key on the Edwards curve with a precomputed
// table (then maps it to Montgomery form).
void x25519_keygen_openssl(benchmark::State& state) {
  auto k = x25519_bench::key_from(3);
  for (auto _ : state) {
    EVP_PKEY* p = x25519_bench::evp_private(k);
    noise::dh_key pub;
    std::size_t len = pub.size();
    EVP_PKEY_get_raw_public_key(p, pub.data(), &len);
    benchmark::DoNotOptimize(pub);
    EVP_PKEY_free(p);
  }
}
BENCHMARK(x25519_keygen_openssl);

// libsodium's public API for the same trick: Ed25519 fixed-base (table),
// then the Edwards → Montgomery map (which also checks the point).
void x25519_keygen_libsodium_edwards(benchmark::State& state) {
  auto k = x25519_bench::key_from(3);
  for (auto _ : state) {
    unsigned char ed[32];
    noise::dh_key pub;
    crypto_scalarmult_ed25519_base(ed, k.data());
    crypto_sign_ed25519_pk_to_curve25519(pub.data(), ed);
    benchmark::DoNotOptimize(pub);
  }
}
BENCHMARK(x25519_keygen_libsodium_edwards);

// A whole XX handshake, both sides in one thread (pure computation: three
// messages, five DHs per side minus the pooled ephemeral keys, which are
// made outside the loop like the pool does, HKDFs, hashes, AEAD), no
// identity payload. What a dial costs in Noise CPU on both sides.
void noise_xx_handshake_both_sides(benchmark::State& state) {
  using noise::handshake_state;
  using noise::role;
  auto si = noise::x25519_keypair::generate(), sr = noise::x25519_keypair::generate();
  for (auto _ : state) {
    state.PauseTiming();
    auto ei = noise::x25519_keypair::generate(), er = noise::x25519_keypair::generate();
    state.ResumeTiming();
    handshake_state i(role::initiator, si, {}, ei), r(role::responder, sr, {}, er);
    auto m1 = i.write_message({});
    (void)r.read_message(*m1);
    auto m2 = r.write_message({});
    (void)i.read_message(*m2);
    auto m3 = i.write_message({});
    (void)r.read_message(*m3);
    auto ki = i.split();
    auto kr = r.split();
    benchmark::DoNotOptimize(ki);
    benchmark::DoNotOptimize(kr);
  }
}
BENCHMARK(noise_xx_handshake_both_sides);

BENCHMARK_MAIN();
