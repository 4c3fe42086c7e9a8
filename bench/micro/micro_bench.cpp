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

BENCHMARK_MAIN();
