// Yamux over real loopback TCP: two sessions talking to each other, or one
// session facing a hand-written peer that writes raw frames.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/muxer/yamux/frame.hpp"
#include "agentp2p/muxer/yamux/notifier.hpp"
#include "agentp2p/muxer/yamux/session.hpp"
#include "agentp2p/muxer/yamux/yamux.hpp"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
using stream_ptr = std::shared_ptr<core::muxed_stream>;

// GCC 12 miscompiles co_await inside a condition (EXPECT_TRUE expands to an
// if), so results are bound to a variable first.
#define EXPECT_OK(expr)                                          \
  do {                                                           \
    auto expect_ok_ = (expr);                                    \
    EXPECT_TRUE(expect_ok_) << expect_ok_.error().what();       \
  } while (0)

namespace {

// run()'s outcome, filled in when it returns.
using run_end = std::shared_ptr<std::optional<result<void>>>;

run_end start(const std::shared_ptr<yamux::session>& s) {
  auto end = std::make_shared<std::optional<result<void>>>();
  asio::co_spawn(s->get_executor(), s->run(), [end](std::exception_ptr e, result<void> r) {
    if (e) std::rethrow_exception(e);
    end->emplace(std::move(r));
  });
  return end;
}

awaitable<result<void>> wait_end(const run_end& end, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!*end) {
    if (std::chrono::steady_clock::now() > deadline) co_return make_error(errc::timeout, "run() did not end");
    co_await sleep_for(2ms);
  }
  co_return **end;
}

// Streams the remote opened, in order.
struct inbox {
  explicit inbox(const executor& ex) : wake(ex) {}
  std::deque<stream_ptr> streams;
  yamux::notifier wake;

  awaitable<stream_ptr> next() {
    while (streams.empty()) co_await wake.wait();
    auto s = streams.front();
    streams.pop_front();
    co_return s;
  }
};

std::shared_ptr<yamux::session> make_session(std::unique_ptr<core::byte_stream> channel, bool initiator,
                                             const yamux::config& cfg) {
  yamux::yamux_muxer muxer(cfg);
  return std::static_pointer_cast<yamux::session>(muxer.create(std::move(channel), initiator));
}

struct connected {
  std::shared_ptr<yamux::session> a, b;  // a dialed
  run_end a_end, b_end;
  std::shared_ptr<inbox> a_in, b_in;

  awaitable<void> shutdown() {
    co_await a->close();
    co_await b->close();
    (void)co_await wait_end(a_end);
    (void)co_await wait_end(b_end);
  }
};

awaitable<connected> connect(yamux::config ca = {}, yamux::config cb = {}) {
  auto ex = co_await asio::this_coro::executor;
  auto pair = co_await test::make_stream_pair();
  connected c;
  c.a = make_session(std::move(pair.a), true, ca);
  c.b = make_session(std::move(pair.b), false, cb);
  c.a_in = std::make_shared<inbox>(ex);
  c.b_in = std::make_shared<inbox>(ex);
  for (auto [s, in] : {std::pair{c.a, c.a_in}, std::pair{c.b, c.b_in}})
    s->set_inbound_handler([in = in](stream_ptr st) {
      in->streams.push_back(std::move(st));
      in->wake.notify();
    });
  c.a_end = start(c.a);
  c.b_end = start(c.b);
  co_return c;
}

awaitable<void> echo(stream_ptr s) {
  std::array<std::uint8_t, 16384> buf;
  for (;;) {
    auto n = co_await s->read_some(buf);
    if (!n) break;
    auto w = co_await s->write(byte_span(buf.data(), *n));
    if (!w) co_return;
  }
  (void)co_await s->close_write();
}

void echo_all(connected& c, const std::shared_ptr<yamux::session>& server) {
  server->set_inbound_handler([ex = server->get_executor()](stream_ptr s) {
    asio::co_spawn(ex, echo(std::move(s)), asio::detached);
  });
}

bytes pattern(std::size_t n, std::uint64_t seed) {
  bytes out(n);
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::uint8_t>(x);
  }
  return out;
}

std::uint64_t fnv1a(byte_span data, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (auto b : data) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

// Writes data, reads everything back until end_of_stream.
awaitable<result<bytes>> round_trip(stream_ptr s, byte_span data) {
  using namespace asio::experimental::awaitable_operators;
  auto send = [&]() -> awaitable<result<void>> {
    AP_CO_TRYV(co_await s->write(data));
    co_return co_await s->close_write();
  };
  auto [sent, got] = co_await (send() && core::read_to_end(*s, data.size() + 1));
  if (!sent) co_return sent.error();
  co_return got;
}

// ---- raw peer helpers -----------------------------------------------------

awaitable<result<void>> write_frame(core::byte_stream& s, yamux::header h, byte_span payload = {}) {
  auto raw = yamux::encode(h);
  const byte_span parts[] = {byte_span(raw), payload};
  co_return co_await s.write_v(parts);
}

awaitable<result<yamux::header>> read_frame(core::byte_stream& s) {
  yamux::header_bytes raw{};
  AP_CO_TRYV(co_await core::read_exact(s, raw));
  AP_CO_TRY(auto h, yamux::decode(raw));
  if (h.type == yamux::frame_type::data && h.length > 0) {
    bytes skip(h.length);
    AP_CO_TRYV(co_await core::read_exact(s, skip));
  }
  co_return h;
}

// Reads frames until a GoAway; returns its code.
awaitable<result<std::uint32_t>> read_go_away(core::byte_stream& s) {
  for (;;) {
    AP_CO_TRY(auto h, co_await read_frame(s));
    if (h.type == yamux::frame_type::go_away) co_return h.length;
  }
}

struct raw_peer {
  std::unique_ptr<core::byte_stream> wire;  // the hand-written side (initiator, odd ids)
  std::shared_ptr<yamux::session> s;        // the session under test (responder)
  run_end end;
  std::shared_ptr<inbox> in;
};

awaitable<raw_peer> connect_raw(yamux::config cfg = {}) {
  auto ex = co_await asio::this_coro::executor;
  auto pair = co_await test::make_stream_pair();
  raw_peer p;
  p.wire = std::move(pair.a);
  p.s = make_session(std::move(pair.b), false, cfg);
  p.in = std::make_shared<inbox>(ex);
  p.s->set_inbound_handler([in = p.in](stream_ptr st) {
    in->streams.push_back(std::move(st));
    in->wake.notify();
  });
  p.end = start(p.s);
  co_return p;
}

yamux::config quiet() {  // no periodic pings to confuse a raw peer
  yamux::config c;
  c.keepalive_interval = {};
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------

TEST(yamux, open_accept_echo_both_directions) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto c = co_await connect();
    echo_all(c, c.b);
    auto s = co_await c.a->open_stream();
    EXPECT_TRUE(s) << s.error().what();
    EXPECT_EQ((*s)->id() % 2, 1u);  // the dialer's ids are odd
    auto back = co_await round_trip(*s, as_bytes("hello yamux"));
    EXPECT_TRUE(back) << back.error().what();
    EXPECT_EQ(as_string_view(*back), "hello yamux");

    // The listener opens one too: even id, arrives at a's handler.
    auto t = co_await c.b->open_stream();
    EXPECT_TRUE(t);
    EXPECT_EQ((*t)->id() % 2, 0u);
    (void)co_await (*t)->write(as_bytes("from b"));
    auto at_a = co_await c.a_in->next();
    EXPECT_EQ(at_a->id(), (*t)->id());
    std::array<std::uint8_t, 16> buf{};
    auto n = co_await at_a->read_some(buf);
    EXPECT_TRUE(n);
    EXPECT_EQ(as_string_view(byte_span(buf.data(), *n)), "from b");
    co_await c.shutdown();
  });
}

TEST(yamux, two_hundred_concurrent_streams_echo_intact) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor ex) -> awaitable<void> {
    auto c = co_await connect();
    echo_all(c, c.b);
    constexpr int count = 200;
    int done = 0, good = 0;
    yamux::notifier finished(ex);
    for (int i = 0; i < count; ++i) {
      asio::co_spawn(ex, [&, i]() -> awaitable<void> {
        auto data = pattern(64 * 1024, static_cast<std::uint64_t>(i));
        auto s = co_await c.a->open_stream();
        if (s) {
          auto back = co_await round_trip(*s, data);
          if (back && *back == data) ++good;
          else if (!back) ADD_FAILURE() << back.error().what();
        } else {
          ADD_FAILURE() << s.error().what();
        }
        ++done;
        finished.notify();
      }, asio::detached);
    }
    while (done < count) co_await finished.wait();
    EXPECT_EQ(good, count);
    co_await sleep_for(20ms);
    EXPECT_EQ(c.a->stream_count(), 0u);
    EXPECT_EQ(c.b->stream_count(), 0u);
    co_await c.shutdown();
  }, 60s);
}

TEST(yamux, sixty_four_mib_both_directions_on_one_stream) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    constexpr std::size_t total = 64 * 1024 * 1024;
    auto out_a = pattern(total, 1), out_b = pattern(total, 2);
    auto c = co_await connect();
    auto sa = (co_await c.a->open_stream()).value();
    auto sb = co_await c.b_in->next();

    // Each side sends its 64 MiB while receiving the other's into place.
    auto pump = [](stream_ptr s, const bytes& out, bytes& in) -> awaitable<result<void>> {
      auto send = [&]() -> awaitable<result<void>> {
        for (std::size_t at = 0; at < out.size(); at += 1024 * 1024)
          AP_CO_TRYV(co_await s->write(byte_span(out).subspan(at, std::min<std::size_t>(1024 * 1024, out.size() - at))));
        co_return co_await s->close_write();
      };
      auto receive = [&]() -> awaitable<result<void>> {
        std::size_t got = 0;
        for (;;) {
          auto room = mutable_byte_span(in).subspan(got);
          if (room.empty()) room = mutable_byte_span(in).last(1);  // only end_of_stream may come now
          auto n = co_await s->read_some(room);
          if (!n) {
            if (n.error().is(errc::end_of_stream)) break;
            co_return n.error();
          }
          if (got == in.size()) co_return make_error(errc::too_large, "more bytes than were sent");
          got += *n;
        }
        if (got != total) co_return make_error(errc::decode_error, "got " + std::to_string(got) + " bytes");
        co_return ok();
      };
      auto [w, r] = co_await (send() && receive());
      if (!w) co_return w;
      co_return r;
    };
    bytes in_a(total), in_b(total);
    auto t0 = std::chrono::steady_clock::now();
    auto [ra, rb] = co_await (pump(sa, out_a, in_a) && pump(sb, out_b, in_b));
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(ra) << ra.error().what();
    EXPECT_TRUE(rb) << rb.error().what();
    EXPECT_EQ(fnv1a(in_a), fnv1a(out_b));
    EXPECT_EQ(fnv1a(in_b), fnv1a(out_a));
    std::cout << "[ yamux    ] 64 MiB each way on one stream in " << secs << " s: " << (total / 1e6) / secs
              << " MB/s per direction (rtt " << (c.a->rtt() ? c.a->rtt()->count() / 1000 : -1) << " us)\n";
    co_await c.shutdown();
  }, 120s);
}

TEST(yamux, half_close) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto c = co_await connect();
    auto sa = (co_await c.a->open_stream()).value();
    EXPECT_OK(co_await sa->write(as_bytes("ping")));
    EXPECT_OK(co_await sa->close_write());
    auto w = co_await sa->write(as_bytes("late"));
    EXPECT_TRUE(!w && w.error().is(errc::closed));

    auto sb = co_await c.b_in->next();
    auto got = co_await core::read_to_end(*sb, 100);
    EXPECT_TRUE(got);
    EXPECT_EQ(as_string_view(*got), "ping");
    auto again = co_await sb->read_some(std::span(got->data(), 1));
    EXPECT_TRUE(!again && again.error().is(errc::end_of_stream));

    // b may still write after a's FIN.
    EXPECT_OK(co_await sb->write(as_bytes("pong")));
    EXPECT_EQ(c.a->stream_count(), 1u);
    EXPECT_OK(co_await sb->close_write());
    auto back = co_await core::read_to_end(*sa, 100);
    EXPECT_TRUE(back);
    EXPECT_EQ(as_string_view(*back), "pong");
    // Both directions closed: forgotten by both sessions.
    EXPECT_EQ(c.a->stream_count(), 0u);
    EXPECT_EQ(c.b->stream_count(), 0u);
    co_await c.shutdown();
  });
}

TEST(yamux, reset_from_either_side_fails_pending_operations) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor ex) -> awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    auto c = co_await connect();
    // a resets while b is blocked reading.
    auto sa = (co_await c.a->open_stream()).value();
    (void)co_await sa->write(as_bytes("x"));
    auto sb = co_await c.b_in->next();
    std::array<std::uint8_t, 8> buf{};
    EXPECT_OK(co_await sb->read_some(buf));
    auto reset_later = [&]() -> awaitable<result<void>> {
      co_await sleep_for(20ms);
      sa->reset();
      co_return ok();
    };
    auto [blocked, unused] = co_await (sb->read_some(buf) && reset_later());
    EXPECT_TRUE(!blocked && blocked.error().is(errc::reset)) << (blocked ? "read succeeded" : blocked.error().what());
    auto w = co_await sb->write(as_bytes("y"));
    EXPECT_TRUE(!w && w.error().is(errc::reset));
    auto local = co_await sa->read_some(buf);
    EXPECT_TRUE(!local && local.error().is(errc::reset));

    // b resets while a is blocked writing into a full window.
    auto sa2 = (co_await c.a->open_stream()).value();
    (void)co_await sa2->write(as_bytes("x"));
    auto sb2 = co_await c.b_in->next();
    auto reset_b = [&]() -> awaitable<result<void>> {
      co_await sleep_for(50ms);
      sb2->reset();
      co_return ok();
    };
    bytes big(2 * 1024 * 1024, 7);
    auto [wr, unused2] = co_await (sa2->write(big) && reset_b());
    EXPECT_TRUE(!wr && wr.error().is(errc::reset));
    co_await sleep_for(20ms);
    EXPECT_EQ(c.a->stream_count(), 0u);
    EXPECT_EQ(c.b->stream_count(), 0u);
    co_await c.shutdown();
    (void)ex;
  });
}

TEST(yamux, dropping_a_stream_resets_it) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto c = co_await connect();
    auto sa = (co_await c.a->open_stream()).value();
    (void)co_await sa->write(as_bytes("x"));
    { auto sb = co_await c.b_in->next(); }  // b drops it unread
    std::array<std::uint8_t, 8> buf{};
    auto r = co_await sa->read_some(buf);
    EXPECT_TRUE(!r && r.error().is(errc::reset));
    EXPECT_EQ(c.b->stream_count(), 0u);
    co_await c.shutdown();
  });
}

TEST(yamux, slow_reader_stalls_only_its_own_stream) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor ex) -> awaitable<void> {
    auto c = co_await connect();
    auto slow_a = (co_await c.a->open_stream()).value();
    auto fast_a = (co_await c.a->open_stream()).value();
    (void)co_await slow_a->write(as_bytes("s"));
    auto slow_b = co_await c.b_in->next();
    (void)co_await fast_a->write(as_bytes("f"));
    auto fast_b = co_await c.b_in->next();
    asio::co_spawn(ex, echo(fast_b), asio::detached);

    // Nobody reads slow_b: the 4 MiB write must block after about one window.
    bytes big = pattern(4 * 1024 * 1024, 9);
    bool write_done = false;
    asio::co_spawn(ex, [&]() -> awaitable<void> {
      auto w = co_await slow_a->write(big);
      EXPECT_TRUE(w) << w.error().what();
      (void)co_await slow_a->close_write();
      write_done = true;
    }, asio::detached);
    co_await sleep_for(300ms);
    EXPECT_FALSE(write_done);

    // Meanwhile the other stream moves 2 MiB both ways.
    auto data = pattern(2 * 1024 * 1024, 10);
    std::array<std::uint8_t, 1> skip{};
    (void)co_await fast_a->read_some(skip);  // the "f" echoed back
    auto back = co_await round_trip(fast_a, data);
    EXPECT_TRUE(back) << back.error().what();
    EXPECT_TRUE(back && *back == data);
    EXPECT_FALSE(write_done);

    // The reader wakes up: the write completes and every byte arrives.
    auto all = co_await core::read_to_end(*slow_b, 8 * 1024 * 1024);
    EXPECT_TRUE(all) << all.error().what();
    EXPECT_TRUE(write_done);
    EXPECT_EQ(all->size(), big.size() + 1);
    EXPECT_TRUE(all->size() == big.size() + 1 && std::memcmp(all->data() + 1, big.data(), big.size()) == 0);
    co_await c.shutdown();
  });
}

TEST(yamux, stream_limit_refuses_excess_inbound_streams_and_keeps_the_connection) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    yamux::config small;
    small.max_streams = 8;
    auto c = co_await connect({}, small);
    echo_all(c, c.b);
    auto keep = (co_await c.a->open_stream()).value();
    auto first = co_await round_trip(keep, {});  // closes our side; echo closes its side
    EXPECT_TRUE(first);
    auto live = (co_await c.a->open_stream()).value();
    EXPECT_OK(co_await live->write(as_bytes("a")));

    // A peer opening streams without end: 500 opens, each sending a byte.
    int refused = 0, accepted = 0;
    std::vector<stream_ptr> held;
    for (int i = 0; i < 500; ++i) {
      auto s = co_await c.a->open_stream();
      EXPECT_TRUE(s) << s.error().what();
      if (!s) break;
      (void)co_await (*s)->write(as_bytes("z"));
      held.push_back(*s);
    }
    std::array<std::uint8_t, 4> buf{};
    for (auto& s : held) {
      auto r = co_await s->read_some(buf);
      if (r) ++accepted;
      else if (r.error().is(errc::reset)) ++refused;
    }
    EXPECT_EQ(accepted, 7);  // 8 minus `live`
    EXPECT_EQ(refused, 493);
    EXPECT_LE(c.b->stream_count(), 8u);

    // The stream opened before the flood still works, and so does the connection.
    auto r = co_await live->read_some(buf);
    EXPECT_TRUE(r && buf[0] == 'a');
    EXPECT_OK(co_await live->write(as_bytes("b")));
    r = co_await live->read_some(buf);
    EXPECT_TRUE(r && buf[0] == 'b');
    EXPECT_FALSE(*c.a_end);
    EXPECT_FALSE(*c.b_end);
    held.clear();
    co_await c.shutdown();
  });
}

TEST(yamux, local_stream_limit_and_budget) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    yamux::config cfg;
    cfg.max_streams = 3;
    auto c = co_await connect(cfg);
    std::vector<stream_ptr> held;
    for (int i = 0; i < 3; ++i) held.push_back((co_await c.a->open_stream()).value());
    auto over = co_await c.a->open_stream();
    EXPECT_TRUE(!over && over.error().is(errc::limit_exceeded));
    co_await c.shutdown();

    yamux::config tight;
    tight.max_connection_buffer = 2 * 256 * 1024;
    auto d = co_await connect(tight);
    auto s1 = co_await d.a->open_stream(), s2 = co_await d.a->open_stream(), s3 = co_await d.a->open_stream();
    EXPECT_TRUE(s1 && s2);
    EXPECT_TRUE(!s3 && s3.error().is(errc::limit_exceeded));
    co_await d.shutdown();
  });
}

TEST(yamux, ping_measures_rtt) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto c = co_await connect();
    for (int i = 0; i < 200 && !c.a->rtt(); ++i) co_await sleep_for(5ms);
    EXPECT_TRUE(c.a->rtt());
    EXPECT_TRUE(c.b->rtt());
    if (c.a->rtt()) {
      EXPECT_GT(c.a->rtt()->count(), 0);
    }
    co_await c.shutdown();
  });
}

TEST(yamux, keepalive_timeout_ends_the_connection) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    yamux::config cfg;
    cfg.keepalive_interval = 50ms;
    cfg.keepalive_timeout = 200ms;
    auto p = co_await connect_raw(cfg);  // the raw peer never answers pings
    auto end = co_await wait_end(p.end);
    EXPECT_TRUE(!end && end.error().is(errc::timeout)) << (end ? "ok" : end.error().what());
  });
}

TEST(yamux, answers_ping_with_same_value) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto p = co_await connect_raw(quiet());
    EXPECT_OK(co_await write_frame(*p.wire, {yamux::frame_type::ping, yamux::flag::syn, 0, 0xdeadbeef}));
    for (;;) {
      auto h = co_await read_frame(*p.wire);
      EXPECT_TRUE(h);
      if (!h) break;
      if (h->type == yamux::frame_type::ping && h->has(yamux::flag::ack)) {
        EXPECT_EQ(h->length, 0xdeadbeefu);
        break;
      }
    }
    p.wire.reset();
    (void)co_await wait_end(p.end);
  });
}

TEST(yamux, close_sends_go_away_and_refuses_new_streams) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto c = co_await connect();
    auto sa = (co_await c.a->open_stream()).value();
    (void)co_await sa->write(as_bytes("x"));
    auto sb = co_await c.b_in->next();
    co_await c.a->close();
    EXPECT_TRUE(c.a->is_closed());
    auto a_end = co_await wait_end(c.a_end);
    EXPECT_TRUE(!a_end && a_end.error().is(errc::closed));
    auto b_end = co_await wait_end(c.b_end);
    EXPECT_TRUE(!b_end && b_end.error().is(errc::end_of_stream)) << (b_end ? "ok" : b_end.error().what());
    auto na = co_await c.a->open_stream();
    EXPECT_TRUE(!na && na.error().is(errc::closed));
    auto nb = co_await c.b->open_stream();
    EXPECT_TRUE(!nb && nb.error().is(errc::closed));
    std::array<std::uint8_t, 8> buf{};
    auto r = co_await sb->read_some(buf);  // buffered "x" first
    EXPECT_TRUE(r);
    r = co_await sb->read_some(buf);
    EXPECT_TRUE(!r && r.error().is(errc::reset));
    auto w = co_await sa->write(as_bytes("y"));
    EXPECT_TRUE(!w && w.error().is(errc::closed));
  });
}

TEST(yamux, remote_go_away_keeps_existing_streams) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    namespace flag = yamux::flag;
    using yamux::frame_type;
    auto p = co_await connect_raw(quiet());
    EXPECT_OK(co_await write_frame(*p.wire, {frame_type::window_update, flag::syn, 1, 0}));
    EXPECT_OK(co_await write_frame(*p.wire, {frame_type::go_away, 0, 0, 0}));
    EXPECT_OK(co_await write_frame(*p.wire, {frame_type::data, 0, 1, 2}, as_bytes("hi")));
    auto s = co_await p.in->next();
    std::array<std::uint8_t, 8> buf{};
    auto n = co_await core::read_exact(*s, std::span(buf.data(), 2));
    EXPECT_TRUE(n);
    EXPECT_EQ(as_string_view(byte_span(buf.data(), 2)), "hi");
    auto o = co_await p.s->open_stream();
    EXPECT_TRUE(!o && o.error().is(errc::closed));
    EXPECT_TRUE(p.s->remote_went_away());
    EXPECT_OK(co_await s->write(as_bytes("ok")));  // the existing stream still works
    p.wire.reset();  // the peer goes away for good
    auto end = co_await wait_end(p.end);
    EXPECT_FALSE(end);
  });
}

TEST(yamux, window_overflow_is_a_protocol_error) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    namespace flag = yamux::flag;
    using yamux::frame_type;
    auto p = co_await connect_raw(quiet());
    EXPECT_OK(co_await write_frame(*p.wire, {frame_type::window_update, flag::syn, 1, 0}));
    bytes window(256 * 1024, 1);
    EXPECT_OK(co_await write_frame(*p.wire, {frame_type::data, 0, 1, 200 * 1024}, byte_span(window).first(200 * 1024)));
    // Nobody read: only 56 KiB of window remain.
    EXPECT_OK(co_await write_frame(*p.wire, {frame_type::data, 0, 1, 57 * 1024}, byte_span(window).first(57 * 1024)));
    auto code = co_await read_go_away(*p.wire);
    EXPECT_TRUE(code);
    EXPECT_EQ(code ? *code : 99, 1u);  // protocol error
    p.wire.reset();  // (the session lingers until the peer closes too)
    auto end = co_await wait_end(p.end);
    EXPECT_TRUE(!end && end.error().is(errc::protocol_error)) << (end ? "ok" : end.error().what());
  });
}

TEST(yamux, unknown_frame_type_and_bad_version_are_protocol_errors) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    for (auto [byte, value, text] : {std::tuple{1, 7, "yamux: unknown frame type 7"},
                                     std::tuple{0, 1, "yamux: unsupported version 1"}}) {
      auto p = co_await connect_raw(quiet());
      auto raw = yamux::encode({yamux::frame_type::ping, yamux::flag::syn, 0, 1});
      raw[static_cast<std::size_t>(byte)] = static_cast<std::uint8_t>(value);
      EXPECT_OK(co_await p.wire->write(raw));
      auto code = co_await read_go_away(*p.wire);
      EXPECT_TRUE(code && *code == 1u);
      p.wire.reset();
      auto end = co_await wait_end(p.end);
      EXPECT_TRUE(!end && end.error().is(errc::protocol_error));
      if (!end) {
        EXPECT_EQ(end.error().message, text);
      }
    }
  });
}

TEST(yamux, duplicate_syn_and_wrong_parity_are_protocol_errors) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    namespace flag = yamux::flag;
    using yamux::frame_type;
    {
      auto p = co_await connect_raw(quiet());
      (void)co_await write_frame(*p.wire, {frame_type::window_update, flag::syn, 1, 0});
      (void)co_await write_frame(*p.wire, {frame_type::window_update, flag::syn, 1, 0});
      auto code = co_await read_go_away(*p.wire);
      EXPECT_TRUE(code && *code == 1u);
      p.wire.reset();
      auto end = co_await wait_end(p.end);
      EXPECT_TRUE(!end && end.error().is(errc::protocol_error));
    }
    {
      auto p = co_await connect_raw(quiet());
      (void)co_await write_frame(*p.wire, {frame_type::window_update, flag::syn, 2, 0});  // a responder's id
      auto code = co_await read_go_away(*p.wire);
      EXPECT_TRUE(code && *code == 1u);
      p.wire.reset();
      auto end = co_await wait_end(p.end);
      EXPECT_TRUE(!end && end.error().is(errc::protocol_error));
    }
  });
}

TEST(yamux, frames_for_unknown_streams_are_dropped) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    namespace flag = yamux::flag;
    using yamux::frame_type;
    auto p = co_await connect_raw(quiet());
    (void)co_await write_frame(*p.wire, {frame_type::data, 0, 41, 3}, as_bytes("abc"));
    (void)co_await write_frame(*p.wire, {frame_type::window_update, flag::fin, 43, 100});
    (void)co_await write_frame(*p.wire, {frame_type::window_update, flag::syn, 1, 0});
    (void)co_await write_frame(*p.wire, {frame_type::data, flag::fin, 1, 2}, as_bytes("ok"));
    auto s = co_await p.in->next();
    auto got = co_await core::read_to_end(*s, 10);
    EXPECT_TRUE(got);
    EXPECT_EQ(as_string_view(*got), "ok");
    EXPECT_FALSE(*p.end);
    // A frame no window of ours could ever have allowed is not "late".
    (void)co_await write_frame(*p.wire, {frame_type::data, 0, 45, 32 * 1024 * 1024});
    auto code = co_await read_go_away(*p.wire);
    EXPECT_TRUE(code && *code == 1u);
    p.wire.reset();
    auto end = co_await wait_end(p.end);
    EXPECT_TRUE(!end && end.error().is(errc::protocol_error));
  });
}

TEST(yamux, truncated_header_at_eof_is_an_error_not_a_hang) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto p = co_await connect_raw(quiet());
    auto raw = yamux::encode({yamux::frame_type::data, 0, 1, 0});
    EXPECT_OK(co_await p.wire->write(byte_span(raw).first(5)));
    EXPECT_OK(co_await p.wire->close_write());
    auto end = co_await wait_end(p.end);
    EXPECT_TRUE(!end && end.error().is(errc::decode_error)) << (end ? "ok" : end.error().what());

    // And a clean EOF between frames is end_of_stream.
    auto q = co_await connect_raw(quiet());
    EXPECT_OK(co_await q.wire->close_write());
    auto clean = co_await wait_end(q.end);
    EXPECT_TRUE(!clean && clean.error().is(errc::end_of_stream));
  });
}

TEST(yamux, dropping_the_connection_while_running_is_safe_and_releases_the_handler) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto sentinel = std::make_shared<int>(1);
    std::weak_ptr<int> handler_state = sentinel;
    auto pair = co_await test::make_stream_pair();
    auto a = make_session(std::move(pair.a), true, {});
    auto b = make_session(std::move(pair.b), false, {});
    b->set_inbound_handler([sentinel](stream_ptr) {});
    sentinel.reset();
    auto a_end = start(a), b_end = start(b);
    auto s = (co_await a->open_stream()).value();
    (void)co_await s->write(as_bytes("x"));
    std::weak_ptr<yamux::session> wa = a, wb = b;
    a.reset();  // the owners let go; run() keeps each session alive
    b.reset();
    s.reset();  // and a's last stream
    co_await sleep_for(20ms);
    EXPECT_FALSE(*a_end);
    EXPECT_FALSE(*b_end);
    EXPECT_FALSE(handler_state.expired());
    if (auto again = wa.lock()) co_await again->close();
    (void)co_await wait_end(a_end);
    (void)co_await wait_end(b_end);
    co_await sleep_for(10ms);
    EXPECT_TRUE(handler_state.expired());  // b's run() released its handler
    EXPECT_TRUE(wa.expired());
    EXPECT_TRUE(wb.expired());
  });
}

TEST(yamux, write_cancelled_by_a_deadline_leaves_the_stream_usable) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto c = co_await connect();
    auto sa = (co_await c.a->open_stream()).value();
    (void)co_await sa->write(as_bytes("x"));
    auto sb = co_await c.b_in->next();
    bytes big = pattern(1024 * 1024, 3);
    // Nobody reads: the write runs out of window and the deadline cancels it.
    auto first = co_await with_deadline(sa->write(big), std::chrono::milliseconds(100), "test write");
    EXPECT_TRUE(!first && first.error().is(errc::timeout)) << (first ? "ok" : first.error().what());
    using namespace asio::experimental::awaitable_operators;
    auto finish = [&]() -> awaitable<result<void>> {
      AP_CO_TRYV(co_await sa->write(as_bytes("tail")));
      co_return co_await sa->close_write();
    };
    auto [tail, all] = co_await (finish() && core::read_to_end(*sb, 4 * 1024 * 1024));
    EXPECT_OK(tail);
    EXPECT_TRUE(all) << all.error().what();
    if (all) {
      // Some prefix of `big` (whole frames) went out before the deadline, then "tail".
      auto sent = all->size() - 1 - 4;
      EXPECT_EQ(sent, 256u * 1024 - 1);  // exactly the window left after "x"
      EXPECT_LT(sent, big.size());
      EXPECT_EQ(std::memcmp(all->data() + 1, big.data(), sent), 0);
      EXPECT_EQ(as_string_view(byte_span(*all).last(4)), "tail");
    }
    co_await c.shutdown();
  });
}

TEST(yamux, config_is_validated) {
  yamux::config bad;
  bad.initial_stream_window = 1024;
  EXPECT_THROW(yamux::yamux_muxer{bad}, std::invalid_argument);
  yamux::config ok;
  EXPECT_NO_THROW(yamux::yamux_muxer{ok});
  EXPECT_EQ(yamux::yamux_muxer{}.protocol_id(), "/yamux/1.0.0");
}
