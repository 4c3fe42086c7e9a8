#include "agentp2p/protocols/ping/ping.hpp"

#include <array>
#include <cstring>
#include <random>
#include <variant>

#include "agentp2p/base/deadline.hpp"

namespace agentp2p::ping {

using payload = std::array<std::uint8_t, payload_size>;

awaitable<void> serve(std::shared_ptr<host::stream> s, config cfg) {
  payload buf{};
  for (std::size_t i = 0; i < cfg.max_pings_per_stream; ++i) {
    // An idle pinger may wait long between pings; only EOF or errors end the loop.
    auto r = co_await core::read_exact(*s, buf);
    if (!r) {
      if (r.error().is(errc::end_of_stream)) (void)co_await s->close_write();
      else s->reset();
      co_return;
    }
    auto echoed = co_await s->write(buf);
    if (!echoed) co_return;
  }
  (void)co_await s->close_write();
}

std::shared_ptr<service> service::start(std::shared_ptr<host::host> h, config cfg) {
  std::shared_ptr<service> s(new service(h, cfg));
  h->set_stream_handler(std::string(protocol_id), [cfg](std::shared_ptr<host::stream> st) -> awaitable<void> {
    return serve(std::move(st), cfg);
  });
  return s;
}

service::~service() {
  if (auto h = host_.lock()) h->remove_stream_handler(protocol_id);
}

awaitable<result<std::vector<rtt>>> service::ping(const crypto::peer_id& peer, std::size_t count) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "ping: host is gone");
  AP_CO_TRY(auto conn, co_await h->connect(peer));
  co_return co_await ping(std::move(conn), count);
}

awaitable<result<std::vector<rtt>>> service::ping(std::shared_ptr<host::connection> conn, std::size_t count) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "ping: host is gone");
  // Lazy select: the proposal travels with the first ping (no round trip
  // before it); a peer without ping fails the first read (errc::unsupported),
  // and the round-trip watchdog bounds the wait for its answer.
  AP_CO_TRY(auto s, co_await h->new_stream_lazy(conn, protocol_id));
  auto r = co_await run_pings(s, count);
  if (r) (void)co_await s->close_write();
  else s->reset();
  co_return r;
}

namespace {

using clock = std::chrono::steady_clock;

// When the round trip in progress started; the watchdog reads it.
struct round_clock {
  clock::time_point started{};
};

awaitable<result<void>> ping_rounds(host::stream& s, std::size_t count, std::vector<rtt>& out, round_clock& rounds) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  payload sent{}, echoed{};
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t k = 0; k < sent.size(); k += 8) {
      auto r = rng();
      std::memcpy(sent.data() + k, &r, 8);
    }
    rounds.started = clock::now();
    AP_CO_TRYV(co_await s.write(sent));
    AP_CO_TRYV(co_await core::read_exact(s, echoed));
    auto elapsed = std::chrono::duration_cast<rtt>(clock::now() - rounds.started);
    if (echoed != sent)
      co_return make_error(errc::protocol_error, "ping: " + s.remote_peer().to_string() + " echoed other bytes");
    out.push_back(elapsed);
  }
  co_return ok();
}

// One timer for all the round trips (not one armed and cancelled per ping):
// it wakes once per `limit`, and fails only when the round trip in progress
// has taken longer than that.
awaitable<result<void>> watch_rounds(const round_clock& rounds, duration limit, std::shared_ptr<host::stream> s) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    auto deadline = rounds.started + limit;
    if (clock::now() >= deadline)
      co_return make_error(errc::timeout, "ping " + s->remote_peer().to_string() + " timed out after " +
                                              describe_duration(limit));
    timer.expires_at(deadline);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return make_error(errc::cancelled, "ping: cancelled");
  }
}

}  // namespace

awaitable<result<std::vector<rtt>>> service::run_pings(std::shared_ptr<host::stream> s, std::size_t count) {
  using namespace asio::experimental::awaitable_operators;
  std::vector<rtt> out;
  out.reserve(count);
  round_clock rounds;
  rounds.started = clock::now();
  auto first = co_await (ping_rounds(*s, count, out, rounds) || watch_rounds(rounds, config_.timeout, s));
  auto done = std::visit([](auto& r) -> result<void> { return std::move(r); }, first);
  if (!out.empty())
    if (auto h = host_.lock()) h->peers().set_latency(s->remote_peer(), out.back());
  if (!done) co_return std::move(done).error();
  co_return out;
}

}  // namespace agentp2p::ping
