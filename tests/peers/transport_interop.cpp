// agentp2p_transport_interop: a test node per the libp2p test-plans
// transport-interop spec. Configured by environment variables:
//   transport=tcp  security=noise|plaintext  muxer=yamux  is_dialer=true|false
//   ip=<listen ip>  redis_addr=host:port  test_timeout_seconds=N (default 180)
// The listener publishes its address with RPUSH listenerAddr; the dialer
// BLPOPs it, dials, pings, and prints
//   {"handshakePlusOneRTTMillis": X, "pingRTTMilllis": Y}
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/ping/ping.hpp"
#include "redis_client.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

namespace {

std::string env(const char* name, std::string fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

struct settings {
  std::string transport, security, muxer, ip, redis_addr;
  bool is_dialer = false;
  std::chrono::seconds timeout{180};
};

awaitable<result<void>> run_listener(std::shared_ptr<host::host> h, settings s) {
  std::string host_part = s.ip.find(':') != std::string::npos ? "/ip6/" + s.ip : "/ip4/" + s.ip;
  AP_CO_TRY(auto listen_on, multiaddr::parse(host_part + "/tcp/0"));
  AP_CO_TRY(auto bound, h->listen(listen_on));
  auto addrs = h->listen_addresses();
  // A wildcard listen publishes the first interface address that is not loopback, if any.
  multiaddr publish = bound;
  for (const auto& a : addrs)
    if (a.value_for(multiformats::protocol_code::ip4) != "127.0.0.1") publish = a;
  if (s.ip != "0.0.0.0") publish = bound;
  test::redis_client redis(co_await asio::this_coro::executor);
  AP_CO_TRYV(co_await redis.connect(s.redis_addr));
  AP_CO_TRYV(co_await redis.rpush("listenerAddr", publish.to_string() + "/p2p/" + h->id().to_string()));
  // Serve until the runner stops us or the test times out.
  asio::steady_timer wait(co_await asio::this_coro::executor, s.timeout);
  co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return ok();
}

awaitable<result<void>> run_dialer(std::shared_ptr<host::host> h, std::shared_ptr<ping::service> pinger, settings s) {
  test::redis_client redis(co_await asio::this_coro::executor);
  AP_CO_TRYV(co_await redis.connect(s.redis_addr));
  AP_CO_TRY(auto addr_text, co_await redis.blpop("listenerAddr", s.timeout));
  if (!addr_text) co_return make_error(errc::timeout, "no listener address in redis");
  AP_CO_TRY(auto addr, multiaddr::parse(*addr_text));
  auto start = std::chrono::steady_clock::now();
  AP_CO_TRY(auto conn, co_await h->connect(addr));
  AP_CO_TRY(auto first, co_await pinger->ping(conn, 1));
  auto handshake_plus_rtt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  AP_CO_TRY(auto second, co_await pinger->ping(conn, 1));
  boost::json::object out{{"handshakePlusOneRTTMillis", handshake_plus_rtt.count()},
                          {"pingRTTMilllis", second.front().count() / 1000.0}};
  std::cout << boost::json::serialize(out) << std::endl;
  co_return ok();
}

}  // namespace

int main() {
  settings s{env("transport", "tcp"), env("security", "noise"), env("muxer", "yamux"), env("ip", "0.0.0.0"),
             env("redis_addr", "redis:6379")};
  s.is_dialer = env("is_dialer") == "true";
  s.timeout = std::chrono::seconds(std::stoi(env("test_timeout_seconds", "180")));
  if (s.transport != "tcp" || s.muxer != "yamux" || (s.security != "noise" && s.security != "plaintext")) {
    std::cerr << "unsupported combination: transport=" << s.transport << " security=" << s.security
              << " muxer=" << s.muxer << "\n";
    return 1;
  }
  asio::io_context ctx(1);
  host::builder b;
  if (s.security == "plaintext") b.plaintext_only();
  auto h = b.build(ctx.get_executor());
  auto id = identify::service::start(h);
  auto pinger = ping::service::start(h);
  int rc = 1;
  auto body = s.is_dialer ? run_dialer(h, pinger, s) : run_listener(h, s);
  asio::co_spawn(ctx, with_deadline(std::move(body), s.timeout, "transport interop test"),
                 [&](std::exception_ptr e, result<void> r) {
                   if (e) std::cerr << "error: exception\n";
                   else if (!r) std::cerr << "error: " << r.error().what() << "\n";
                   else rc = 0;
                   asio::co_spawn(ctx, h->close(), [&](std::exception_ptr) { ctx.stop(); });
                 });
  ctx.run();
  return rc;
}
