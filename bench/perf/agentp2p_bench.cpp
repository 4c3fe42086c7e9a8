// agentp2p-bench: our side of the side-by-side benchmark (bench/perf/run_bench.py).
//
//   agentp2p-bench server                      → {"peerId","addrs"}; serves until stdin closes
//   agentp2p-bench dial    --addr MA --count N → fresh connection + first stream (ping), µs
//   agentp2p-bench ping    --addr MA --count N → RTT on one open stream, µs
//   agentp2p-bench rr      --addr MA --count N → new stream + 100-byte request/response, µs
//   agentp2p-bench streams --addr MA --count N --inflight K → request/response streams per second
//   agentp2p-bench tool    --addr MA --count N --inflight K → /praxis/tool/1.0.0 calls per second, µs
//   agentp2p-bench conns   --addr MA --count N → N idle connections (one client peer each);
//                                                prints {"ready":N}, holds them until stdin closes
// Every client mode prints one JSON line. The server speaks ping, identify,
// /perf/1.0.0, /bench/rr/1.0.0 and /praxis/tool/1.0.0 (tool "echo"); the js
// reference (js/bench_node.mjs) speaks the same, so one client measures both.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/praxis/agent_services.hpp"
#include "agentp2p/agent/praxis/tool_protocol.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/muxer/yamux/yamux.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/perf/perf.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::string_view rr_protocol = "/bench/rr/1.0.0";
constexpr std::size_t rr_size = 100;

void raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

host::config bench_host_config() {
  host::config cfg;
  cfg.max_connections = 50000;
  cfg.max_pending_inbound = 4096;
  cfg.dial_timeout = std::chrono::seconds(60);
  cfg.upgrade_timeout = std::chrono::seconds(60);
  // Every bench client dials from 127.0.0.1: the per-IP admission limits
  // (a defence against one abusive address) would refuse the conns and dial
  // rows' thousands of connections from one IP.
  cfg.inbound.per_ip_per_second = 0;
  cfg.inbound.max_pending_per_ip = 0;
  return cfg;
}

std::shared_ptr<host::host> make_host(executor ex) {
  return host::builder{}.settings(bench_host_config()).build(ex);
}

// Waits until stdin reaches end of file (the driver closed it). Any line
// read meanwhile prints the allocator's view of the heap (for analysing the
// memory per connection): {"heap_in_use":..,"mmapped":..,"connections":..}.
awaitable<void> wait_stdin_eof(std::shared_ptr<host::host> h) {
  asio::posix::stream_descriptor in(co_await asio::this_coro::executor, ::dup(0));
  char buf[256];
  for (;;) {
    auto [ec, n] = co_await in.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto mi = mallinfo2();
    std::printf(R"({"heap_in_use":%zu,"mmapped":%zu,"connections":%zu})" "\n", mi.uordblks, mi.hblkhd,
                h ? h->connections().size() : std::size_t{0});
    std::fflush(stdout);
  }
}

// ---- server ---------------------------------------------------------------

awaitable<void> serve_rr(std::shared_ptr<host::stream> s) {
  auto req = co_await core::read_to_end(*s, 4096);
  if (!req) {
    s->reset();
    co_return;
  }
  std::array<std::uint8_t, rr_size> reply{};
  auto w = co_await s->write(reply);
  if (!w) {
    s->reset();
    co_return;
  }
  (void)co_await s->close_write();
}

boost::json::object echo_schema() {
  return boost::json::parse(R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})")
      .as_object();
}

int run_server(const std::string& listen) {
  asio::io_context ctx;
  auto h = make_host(ctx.get_executor());
  auto id = identify::service::start(h);
  auto pg = ping::service::start(h);
  auto pf = perf::service::start(h);
  h->set_stream_handler(std::string(rr_protocol), [](std::shared_ptr<host::stream> s) { return serve_rr(s); });
  praxis::config pcfg;
  pcfg.card.name = "agentp2p-bench";
  pcfg.tools.max_concurrent_calls = 256;
  // One load client is one peer: the per-peer limits (16 in progress, 20
  // calls a second per tool) would measure the limiter, and the js reference
  // has none.
  pcfg.tools.callers.max_concurrent_per_peer = 0;
  pcfg.tools.callers.calls_per_second = 0;
  pcfg.peers.auto_exchange = false;
  auto agent = praxis::agent_services::start(h, id, pcfg);
  tools::tool_definition def;
  def.name = "echo";
  def.description = "Returns its text";
  def.input_schema = echo_schema();
  // The js reference answers in its event loop too: a quick handler has no
  // business on a worker thread.
  def.execution = tools::execution::inline_on_caller;
  auto added = agent->tools().add(def, [](boost::json::object args, tools::call_context&) -> awaitable<result<boost::json::value>> {
    boost::json::object out;
    out["text"] = args["text"];
    co_return boost::json::value(std::move(out));
  });
  if (!added) {
    std::cerr << added.error().what() << "\n";
    return 1;
  }
  auto bound = h->listen(*multiaddr::parse(listen));
  if (!bound) {
    std::cerr << bound.error().what() << "\n";
    return 1;
  }
  std::cout << R"({"peerId":")" << h->id().to_string() << R"(","addrs":[")" << bound->to_string() << "/p2p/"
            << h->id().to_string() << R"("]})" << std::endl;
  asio::co_spawn(ctx, [](std::shared_ptr<host::host> h) -> awaitable<void> {
    co_await wait_stdin_eof(h);
    co_await h->close();
  }(h), [&](std::exception_ptr) { ctx.stop(); });
  ctx.run();
  agent->stop();
  return 0;
}

// ---- client helpers -------------------------------------------------------

struct options {
  std::string addr;
  std::size_t count = 1000;
  std::size_t inflight = 64;
};

struct samples {
  std::vector<double> us;
  void add(clock_type::duration d) { us.push_back(std::chrono::duration<double, std::micro>(d).count()); }
  double quantile(double q) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    auto i = static_cast<std::size_t>(q * static_cast<double>(us.size() - 1) + 0.5);
    return us[std::min(i, us.size() - 1)];
  }
};

void print_latency(const char* metric, samples& s, double seconds, std::size_t errors) {
  std::printf(R"({"metric":"%s","count":%zu,"errors":%zu,"median_us":%.2f,"p95_us":%.2f,"per_second":%.1f})" "\n",
              metric, s.us.size(), errors, s.quantile(0.5), s.quantile(0.95),
              seconds > 0 ? static_cast<double>(s.us.size()) / seconds : 0.0);
}

crypto::peer_id peer_of(const multiaddr& ma) {
  auto text = ma.to_string();
  auto at = text.rfind("/p2p/");
  return *crypto::peer_id::parse(text.substr(at + 5));
}

awaitable<result<void>> rr_once(std::shared_ptr<host::host> h, std::shared_ptr<host::connection> conn) {
  AP_CO_TRY(auto s, co_await h->new_stream(conn, rr_protocol));
  std::array<std::uint8_t, rr_size> req{};
  AP_CO_TRYV(co_await s->write(req));
  AP_CO_TRYV(co_await s->close_write());
  AP_CO_TRY(auto reply, co_await core::read_to_end(*s, 4096));
  if (reply.size() != rr_size) co_return make_error(errc::protocol_error, "short reply");
  co_return ok();
}

awaitable<result<void>> tool_once(std::shared_ptr<host::host> h, crypto::peer_id peer) {
  boost::json::object args;
  args["text"] = "hello from the bench";
  AP_CO_TRY(auto v, co_await praxis::call_remote_tool(*h, peer, "echo", std::move(args)));
  if (!v.is_object()) co_return make_error(errc::protocol_error, "tool reply is not an object");
  co_return ok();
}

// ---- client modes ---------------------------------------------------------

awaitable<int> run_dial(options o) {
  auto h = make_host(co_await asio::this_coro::executor);
  auto id = identify::service::start(h);
  auto pg = ping::service::start(h);
  auto addr = *multiaddr::parse(o.addr);
  auto peer = peer_of(addr);
  samples s;
  std::size_t errors = 0;
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < o.count; ++i) {
    auto start = clock_type::now();
    auto conn = co_await h->connect(addr);
    if (!conn) {
      ++errors;
      continue;
    }
    auto rtt = co_await pg->ping(*conn, 1);
    if (rtt) s.add(clock_type::now() - start);
    else ++errors;
    co_await h->disconnect(peer);
  }
  print_latency("dial", s, std::chrono::duration<double>(clock_type::now() - t0).count(), errors);
  co_await h->close();
  co_return 0;
}

awaitable<int> run_ping(options o) {
  auto h = make_host(co_await asio::this_coro::executor);
  auto pg = ping::service::start(h);
  auto conn = co_await h->connect(*multiaddr::parse(o.addr));
  if (!conn) {
    std::cerr << conn.error().what() << "\n";
    co_return 1;
  }
  (void)co_await pg->ping(*conn, 100);  // warm up
  auto t0 = clock_type::now();
  auto rtts = co_await pg->ping(*conn, o.count);
  if (!rtts) {
    std::cerr << rtts.error().what() << "\n";
    co_return 1;
  }
  samples s;
  for (auto r : *rtts) s.add(r);
  print_latency("ping", s, std::chrono::duration<double>(clock_type::now() - t0).count(), 0);
  co_await h->close();
  co_return 0;
}

awaitable<int> run_rr(options o) {
  auto h = make_host(co_await asio::this_coro::executor);
  auto conn = co_await h->connect(*multiaddr::parse(o.addr));
  if (!conn) {
    std::cerr << conn.error().what() << "\n";
    co_return 1;
  }
  for (int i = 0; i < 50; ++i) (void)co_await rr_once(h, *conn);  // warm up
  samples s;
  std::size_t errors = 0;
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < o.count; ++i) {
    auto start = clock_type::now();
    auto r = co_await rr_once(h, *conn);
    if (r) s.add(clock_type::now() - start);
    else ++errors;
  }
  print_latency("rr", s, std::chrono::duration<double>(clock_type::now() - t0).count(), errors);
  co_await h->close();
  co_return 0;
}

struct shared_counter {
  std::size_t next = 0;
  std::size_t limit = 0;
  std::size_t errors = 0;
  samples lat;
};

awaitable<void> rr_worker(std::shared_ptr<host::host> h, std::shared_ptr<host::connection> conn, shared_counter& c) {
  while (c.next < c.limit) {
    ++c.next;
    auto start = clock_type::now();
    auto r = co_await rr_once(h, conn);
    if (r) c.lat.add(clock_type::now() - start);
    else ++c.errors;
  }
}

awaitable<void> tool_worker(std::shared_ptr<host::host> h, crypto::peer_id peer, shared_counter& c) {
  while (c.next < c.limit) {
    ++c.next;
    auto start = clock_type::now();
    auto r = co_await tool_once(h, peer);
    if (r) c.lat.add(clock_type::now() - start);
    else {
      if (c.errors == 0) std::cerr << "tool call: " << r.error().what() << "\n";
      ++c.errors;
    }
  }
}

awaitable<void> run_workers(std::shared_ptr<host::host> h, std::shared_ptr<host::connection> conn, crypto::peer_id peer,
                            shared_counter& run, std::size_t inflight, bool tool) {
  task_group g(co_await asio::this_coro::executor);
  for (std::size_t i = 0; i < inflight; ++i) {
    if (tool) g.spawn(tool_worker(h, peer, run), "tool worker");
    else g.spawn(rr_worker(h, conn, run), "rr worker");
  }
  co_await g.join();
}

awaitable<int> run_concurrent(options o, bool tool) {
  auto ex = co_await asio::this_coro::executor;
  auto h = make_host(ex);
  auto addr = *multiaddr::parse(o.addr);
  auto conn = co_await h->connect(addr);
  if (!conn) {
    std::cerr << conn.error().what() << "\n";
    co_return 1;
  }
  auto peer = peer_of(addr);
  shared_counter warm;
  warm.limit = std::min<std::size_t>(o.count / 10 + 1, 500);
  shared_counter c;
  c.limit = o.count;
  co_await run_workers(h, *conn, peer, warm, o.inflight, tool);
  auto t0 = clock_type::now();
  co_await run_workers(h, *conn, peer, c, o.inflight, tool);
  print_latency(tool ? "tool" : "streams", c.lat, std::chrono::duration<double>(clock_type::now() - t0).count(),
                c.errors);
  co_await h->close();
  co_return 0;
}

awaitable<void> open_one(std::shared_ptr<host::host> h, multiaddr addr, std::size_t& ok_count, std::size_t& failed) {
  auto c = co_await h->connect(addr);
  if (c) ++ok_count;
  else {
    if (failed == 0) std::cerr << "conns: " << c.error().what() << "\n";
    ++failed;
  }
}

awaitable<int> run_conns(options o) {
  auto ex = co_await asio::this_coro::executor;
  auto addr = *multiaddr::parse(o.addr);
  std::vector<std::shared_ptr<host::host>> hosts;
  std::vector<std::shared_ptr<identify::service>> ids;
  hosts.reserve(o.count);
  std::size_t ok_count = 0, failed = 0;
  for (std::size_t done = 0; done < o.count;) {
    task_group g(ex);
    for (std::size_t k = 0; k < 64 && done < o.count; ++k, ++done) {
      hosts.push_back(make_host(ex));
      ids.push_back(identify::service::start(hosts.back()));
      g.spawn(open_one(hosts.back(), addr, ok_count, failed), "open");
    }
    co_await g.join();
  }
  std::printf(R"({"metric":"conns","ready":%zu,"errors":%zu})" "\n", ok_count, failed);
  std::fflush(stdout);
  co_await wait_stdin_eof(nullptr);
  for (std::size_t i = 0; i < hosts.size(); i += 256) {
    task_group g(ex);
    for (std::size_t k = i; k < std::min(hosts.size(), i + 256); ++k)
      g.spawn([](std::shared_ptr<host::host> h) -> awaitable<void> { co_await h->close(); }(hosts[k]), "close");
    co_await g.join();
  }
  co_return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  raise_fd_limit();
  log::set_level(log::level::error);
  CLI::App app{"agentp2p-bench: our side of the benchmark suite"};
  app.require_subcommand(1);
  std::string listen = "/ip4/127.0.0.1/tcp/0";
  options o;
  auto* server = app.add_subcommand("server", "Serve the benchmark protocols");
  server->add_option("--listen", listen);
  std::vector<CLI::App*> clients;
  for (const char* name : {"dial", "ping", "rr", "streams", "tool", "conns"}) {
    auto* c = app.add_subcommand(name);
    c->add_option("--addr", o.addr, "Server multiaddr with /p2p/")->required();
    c->add_option("--count", o.count);
    c->add_option("--inflight", o.inflight);
    clients.push_back(c);
  }
  CLI11_PARSE(app, argc, argv);
  if (*server) return run_server(listen);
  asio::io_context ctx;
  int rc = 1;
  std::string mode = app.get_subcommands().front()->get_name();
  auto body = [](std::string mode, options o) -> awaitable<int> {
    if (mode == "dial") co_return co_await run_dial(o);
    if (mode == "ping") co_return co_await run_ping(o);
    if (mode == "rr") co_return co_await run_rr(o);
    if (mode == "streams") co_return co_await run_concurrent(o, false);
    if (mode == "tool") co_return co_await run_concurrent(o, true);
    co_return co_await run_conns(o);
  };
  asio::co_spawn(ctx, body(mode, o), [&](std::exception_ptr e, int r) {
    rc = e ? 1 : r;
    ctx.stop();
  });
  ctx.run();
  return rc;
}
