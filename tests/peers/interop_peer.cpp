// agentp2p_interop_peer: the C++ side of tests/interop/run_interop.mjs. Same
// command-line contract as tests/interop/js_peer.mjs (see its README):
//   listen [--key-type T] [--listen ADDR]    serve ping, identify, echo
//   dial --addr ADDR [--expect-peer ID] [--key-type T] [--echo-bytes N]
//        [--streams N] [--stream-bytes N] [--pings N]
// Prints JSON lines on stdout; logs go to stderr.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/security/pnet/psk.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

using namespace agentp2p;
using namespace asio::experimental::awaitable_operators;
using multiformats::multiaddr;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::string_view echo_protocol = "/agentp2p/echo/1.0.0";

struct options {
  std::string mode;
  std::string key_type = "ed25519";
  std::string listen = "/ip4/127.0.0.1/tcp/0";
  std::string addr;
  std::string expect_peer;
  std::size_t echo_bytes = 64 * 1024 * 1024;
  std::size_t streams = 200;
  std::size_t stream_bytes = 64 * 1024;
  std::size_t pings = 10;
  std::string psk;  // swarm key file: join that private network
};

options parse_args(int argc, char** argv) {
  options o;
  if (argc < 2) throw std::runtime_error("usage: agentp2p_interop_peer listen|dial [options]");
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) throw std::runtime_error("missing value for " + k);
    std::string v = argv[++i];
    if (k == "--key-type") o.key_type = v;
    else if (k == "--listen") o.listen = v;
    else if (k == "--addr") o.addr = v;
    else if (k == "--expect-peer") o.expect_peer = v;
    else if (k == "--echo-bytes") o.echo_bytes = std::stoull(v);
    else if (k == "--streams") o.streams = std::stoull(v);
    else if (k == "--stream-bytes") o.stream_bytes = std::stoull(v);
    else if (k == "--pings") o.pings = std::stoull(v);
    else if (k == "--psk") o.psk = v;
    else throw std::runtime_error("unknown option " + k);
  }
  return o;
}

crypto::private_key make_key(const std::string& type) {
  if (type == "ed25519") return crypto::private_key::generate_ed25519();
  if (type == "secp256k1") return crypto::private_key::generate_secp256k1();
  if (type == "ecdsa") return crypto::private_key::generate_ecdsa_p256();
  if (type == "rsa") return crypto::private_key::generate_rsa(2048).value();
  throw std::runtime_error("unknown key type " + type);
}

void print(const json::value& v) { std::cout << json::serialize(v) << std::endl; }

json::array strings(const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); }
json::array addr_strings(const std::vector<multiaddr>& v) {
  json::array out;
  for (const auto& a : v) out.emplace_back(a.to_string());
  return out;
}

awaitable<void> serve_echo(std::shared_ptr<host::stream> s) {
  std::vector<std::uint8_t> buf(256 * 1024);
  for (;;) {
    auto n = co_await s->read_some(buf);
    if (!n) {
      if (n.error().is(errc::end_of_stream)) (void)co_await s->close_write();
      else s->reset();
      co_return;
    }
    auto w = co_await s->write(byte_span(buf.data(), *n));
    if (!w) co_return;
  }
}

// Sends `data` on a new echo stream while reading the echo back; true when
// the echo is byte-identical (compared by SHA-256).
awaitable<result<bool>> echo_round_trip(host::host& h, const crypto::peer_id& peer, const bytes& data) {
  AP_CO_TRY(auto s, co_await h.new_stream(peer, echo_protocol));
  auto writer = [](std::shared_ptr<host::stream> s, const bytes& data) -> awaitable<result<void>> {
    constexpr std::size_t chunk = 256 * 1024;
    for (std::size_t off = 0; off < data.size(); off += chunk)
      AP_CO_TRYV(co_await s->write(byte_span(data).subspan(off, std::min(chunk, data.size() - off))));
    co_return co_await s->close_write();
  };
  auto reader = [](std::shared_ptr<host::stream> s, std::size_t expect) -> awaitable<result<bytes>> {
    co_return co_await core::read_to_end(*s, expect + 1);
  };
  auto [w, r] = co_await (writer(s, data) && reader(s, data.size()));
  if (!w) co_return std::move(w).error();
  if (!r) co_return std::move(r).error();
  co_return crypto::sha256(*r) == crypto::sha256(data);
}

bytes random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  bytes out(n);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    auto v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < n; ++i) out[i] = static_cast<std::uint8_t>(rng());
  return out;
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

awaitable<result<json::object>> run_dial(std::shared_ptr<host::host> h, std::shared_ptr<identify::service> id,
                                         std::shared_ptr<ping::service> pinger, options o) {
  AP_CO_TRY(auto target, multiaddr::parse(o.addr));
  if (!o.expect_peer.empty()) {
    AP_CO_TRY(auto expected, crypto::peer_id::parse(o.expect_peer));
    auto bare = target.has(multiformats::protocol_code::p2p) ? target.decapsulate(multiformats::protocol_code::p2p)
                                                             : target;
    AP_CO_TRY(auto suffix, multiaddr::parse("/p2p/" + expected.to_string()));
    target = bare.encapsulate(suffix);
  }
  json::object out;
  auto t0 = clock_type::now();
  AP_CO_TRY(auto conn, co_await h->connect(target));
  AP_CO_TRY(auto first, co_await pinger->ping(conn, 1));
  out["connectMs"] = ms_since(t0);
  const auto peer = conn->remote_peer();

  AP_CO_TRY(auto rtts, co_await pinger->ping(conn, o.pings));
  json::array rtt_ms;
  for (auto r : rtts) rtt_ms.emplace_back(r.count() / 1000.0);
  out["pingRttMs"] = std::move(rtt_ms);

  AP_CO_TRY(auto info, co_await id->wait_identified(peer, std::chrono::seconds(10)));
  out["remote"] = json::object{{"peerId", peer.to_string()},
                               {"protocols", strings(info.protocols)},
                               {"listenAddrs", addr_strings(info.listen_addrs)},
                               {"agentVersion", info.agent_version}};

  if (o.echo_bytes > 0) {
    auto data = random_bytes(o.echo_bytes, 1);
    auto t = clock_type::now();
    AP_CO_TRY(auto intact, co_await with_deadline(echo_round_trip(*h, peer, data), std::chrono::seconds(120),
                                                  "64 MiB echo"));
    double ms = ms_since(t);
    out["echo"] = json::object{{"bytes", o.echo_bytes},
                               {"ms", ms},
                               {"mbps", (static_cast<double>(o.echo_bytes) / 1e6) / (ms / 1000.0)},
                               {"intact", intact}};
    if (!intact) co_return make_error(errc::protocol_error, "echo came back different");
  }

  if (o.streams > 0) {
    // Shared with the spawned streams, which may outlive this frame on timeout.
    struct fanout {
      explicit fanout(executor ex) : all_done(ex, clock_type::time_point::max()) {}
      bytes data;
      std::size_t done = 0, intact = 0, total = 0;
      std::string first_error;
      asio::steady_timer all_done;
    };
    auto ex = co_await asio::this_coro::executor;
    auto st = std::make_shared<fanout>(ex);
    st->data = random_bytes(o.stream_bytes, 2);
    st->total = o.streams;
    auto one = [](std::shared_ptr<host::host> h, crypto::peer_id peer,
                  std::shared_ptr<fanout> st) -> awaitable<result<bool>> {
      co_return co_await echo_round_trip(*h, peer, st->data);
    };
    auto t = clock_type::now();
    for (std::size_t i = 0; i < o.streams; ++i) {
      asio::co_spawn(ex, one(h, peer, st), [st](std::exception_ptr e, result<bool> r) {
        ++st->done;
        if (!e && r && *r) ++st->intact;
        else if (st->first_error.empty()) st->first_error = e ? "exception" : (r ? "data differs" : r.error().what());
        if (st->done == st->total) st->all_done.cancel();
      });
    }
    if (st->done < st->total) {
      st->all_done.expires_after(std::chrono::seconds(60));
      co_await st->all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    out["streams"] = json::object{{"count", o.streams}, {"intact", st->intact}, {"ms", ms_since(t)}};
    if (st->intact != o.streams)
      co_return make_error(errc::protocol_error, "only " + std::to_string(st->intact) + " of " +
                                                     std::to_string(o.streams) + " streams intact; first error: " +
                                                     (st->first_error.empty() ? "timeout" : st->first_error));
  }
  out["ok"] = true;
  co_return out;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  try {
    o = parse_args(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  asio::io_context ctx(1);
  host::config cfg;
  cfg.agent_version = "agentp2p-interop/0.1.0";
  if (!o.psk.empty()) {
    auto key = pnet::load_swarm_key(o.psk);
    if (!key) {
      std::cerr << key.error().what() << "\n";
      return 2;
    }
    cfg.psk = *key;
  }
  auto h = host::builder{}.identity(make_key(o.key_type)).settings(cfg).build(ctx.get_executor());
  auto id = identify::service::start(h);
  auto pinger = ping::service::start(h);
  h->set_stream_handler(std::string(echo_protocol), serve_echo);
  int rc = 0;

  if (o.mode == "listen") {
    auto bound = h->listen(*multiaddr::parse(o.listen));
    if (!bound) {
      print(json::object{{"ok", false}, {"error", bound.error().what()}});
      return 1;
    }
    json::array addrs;
    for (const auto& a : h->listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + h->id().to_string());
    print(json::object{{"peerId", h->id().to_string()}, {"addrs", addrs}, {"agentVersion", cfg.agent_version}});
    id->on_identified([](const identify::peer_info& info) {
      print(json::object{{"event", "identified"},
                         {"peerId", info.peer.to_string()},
                         {"protocols", strings(info.protocols)},
                         {"listenAddrs", addr_strings(info.listen_addrs)},
                         {"agentVersion", info.agent_version}});
    });
    auto shutdown = [&] { asio::co_spawn(ctx, h->close(), [&](std::exception_ptr) { ctx.stop(); }); };
    asio::signal_set signals(ctx, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) shutdown();
    });
    // Exit when the driver goes away (stdin closes), so no peer outlives its test.
    asio::posix::stream_descriptor in(ctx);
    boost::system::error_code ec;
    in.assign(::dup(0), ec);
    std::array<char, 256> sink{};
    std::function<void(const boost::system::error_code&, std::size_t)> on_read =
        [&](const boost::system::error_code& e, std::size_t) {
          if (e) shutdown();
          else in.async_read_some(asio::buffer(sink), on_read);
        };
    if (!ec) in.async_read_some(asio::buffer(sink), on_read);
    ctx.run();
    return 0;
  }

  if (o.mode == "dial") {
    // The dialer serves too (so the listener's identify sees its protocols and addresses).
    (void)h->listen(*multiaddr::parse(o.listen));
    asio::co_spawn(ctx, run_dial(h, id, pinger, o), [&](std::exception_ptr e, result<json::object> r) {
      const auto self = h->id().to_string();
      if (e) {
        print(json::object{{"ok", false}, {"peerId", self}, {"error", "exception"}});
        rc = 1;
      } else if (!r) {
        print(json::object{{"ok", false}, {"peerId", self}, {"error", r.error().what()}});
        rc = 1;
      } else {
        (*r)["peerId"] = self;
        print(*r);
      }
      asio::co_spawn(ctx, h->close(), [&](std::exception_ptr) { ctx.stop(); });
    });
    ctx.run_for(std::chrono::seconds(300));
    return rc;
  }
  std::cerr << "unknown mode " << o.mode << "\n";
  return 2;
}
