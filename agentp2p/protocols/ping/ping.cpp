#include "agentp2p/protocols/ping/ping.hpp"

#include <array>
#include <random>

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
  AP_CO_TRY(auto s, co_await h->new_stream(conn, protocol_id));
  auto r = co_await run_pings(s, count);
  if (r) (void)co_await s->close_write();
  else s->reset();
  co_return r;
}

awaitable<result<std::vector<rtt>>> service::run_pings(std::shared_ptr<host::stream> s, std::size_t count) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::vector<rtt> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    payload sent{}, echoed{};
    for (auto& b : sent) b = static_cast<std::uint8_t>(rng());
    auto start = std::chrono::steady_clock::now();
    auto round_trip = [](host::stream& s, const payload& sent, payload& echoed) -> awaitable<result<void>> {
      AP_CO_TRYV(co_await s.write(sent));
      co_return co_await core::read_exact(s, echoed);
    };
    AP_CO_TRYV(co_await with_deadline(round_trip(*s, sent, echoed), config_.timeout,
                                      "ping " + s->remote_peer().to_string()));
    auto elapsed = std::chrono::duration_cast<rtt>(std::chrono::steady_clock::now() - start);
    if (echoed != sent)
      co_return make_error(errc::protocol_error, "ping: " + s->remote_peer().to_string() + " echoed other bytes");
    out.push_back(elapsed);
    if (auto h = host_.lock()) h->peers().set_latency(s->remote_peer(), elapsed);
  }
  co_return out;
}

}  // namespace agentp2p::ping
