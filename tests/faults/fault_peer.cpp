// agentp2p_fault_peer: the node and the client of the fault and abuse tests
// (tests/faults/*.sh). One JSON line on stdout per run or event; logs on stderr.
//
//   serve --data-dir DIR --listen MA [--name N]
//       a daemon::node (DHT off) with tools echo {text}, sleep {ms}, blob {bytes};
//       prints {"peerId","addrs"} and runs until SIGTERM/SIGINT (or SIGKILL).
//   call --target MA/p2p/ID --data-dir DIR [--tool echo] [--args JSON] [--count N]
//        [--concurrency C] [--deadline-ms D] [--duration-ms T] [--window-ms W] [--interval-ms I]
//       calls the tool N times (or for T ms), C at a time, each under deadline D;
//       prints {"ok","failed","successRate","p50Ms","p95Ms","maxMs","errors":{},
//       "windows":[{"ok","failed"}...]} (windows of W ms, for partitions).
//   a2a-send / a2a-get --target MA/p2p/ID --data-dir DIR [--task ID]
//       an A2A task that runs echo on the target / the task's state.
// Abuse (the attacker's side; prints what it managed):
//   flood-connect --target MA/p2p/ID --count N --bind IP --duration-ms T
//       N TCP connections that never start a handshake, held for T ms
//   flood-streams --target MA/p2p/ID --duration-ms T
//       opens (and resets) streams as fast as it can on one connection
//   bad-json --target MA/p2p/ID --count N
//       N oversized (5 MiB) and N deeply nested (100k '[') lines on /praxis/tool/1.0.0
//   flood-connect also takes --ips K: the connections come from K source
//       addresses (--bind, then the next ones: 127.0.0.2, 127.0.0.3, ...)
// HTTP (against the HTTP server of `agentp2p run`, --url http://127.0.0.1:PORT):
//   http-call --url U [--duration-ms T] [--interval-ms I] [--deadline-ms D] [--concurrency C]
//       the legitimate client: POST /api/v1/tools/call {"tool":"node_info"} on a
//       fresh connection each time; prints the same JSON as call
//   slowloris --url U --count N --bind IP --duration-ms T
//       N connections that send half a request and one more header byte a
//       second, reconnecting whenever the server closes one
//   bad-http --url U --count N
//       N oversized (5 MiB), N deeply nested (1M '[') bodies and N 64 KiB
//       headers to each of /api/v1/tools/call, /mcp and /a2a
// Link emulation where the kernel has no sch_netem (tc qdisc netem):
//   lossy-proxy --listen IP:PORT --to IP:PORT [--delay-ms 100] [--loss 0.05]
//       a TCP proxy that delivers every piece (at most one 1448-byte segment)
//       DELAY ms late in each direction, and a LOSS share of them one round
//       trip later still (what a retransmission costs), in order; prints
//       {"listening"} and at SIGTERM {"connections","segments","retransmitted"}
#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/a2a/client.hpp"
#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/daemon/node.hpp"
#include "agentp2p/http/client.hpp"

using namespace agentp2p;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  std::string mode;
  std::filesystem::path data_dir;
  std::string listen = "/ip4/127.0.0.1/tcp/0";
  std::string target;
  std::string name = "fault-peer";
  std::string tool = "echo";
  std::string args = R"({"text":"hello"})";
  std::string task;
  std::size_t count = 100;
  std::size_t concurrency = 1;
  std::int64_t deadline_ms = 10000;
  std::int64_t duration_ms = 0;
  std::int64_t window_ms = 1000;
  std::string bind = "127.0.0.2";
  std::int64_t interval_ms = 0;
  std::size_t ips = 1;
  std::string url;
  std::string to;
  double loss = 0.05;
  std::int64_t delay_ms = 100;
};

options parse_args(int argc, char** argv) {
  if (argc < 2) throw std::runtime_error("usage: agentp2p_fault_peer serve|call|a2a-send|a2a-get [options]");
  options o;
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) throw std::runtime_error("missing value for " + k);
    std::string v = argv[++i];
    if (k == "--data-dir") o.data_dir = v;
    else if (k == "--listen") o.listen = v;
    else if (k == "--target") o.target = v;
    else if (k == "--name") o.name = v;
    else if (k == "--tool") o.tool = v;
    else if (k == "--args") o.args = v;
    else if (k == "--task") o.task = v;
    else if (k == "--count") o.count = std::stoull(v);
    else if (k == "--concurrency") o.concurrency = std::max<std::size_t>(1, std::stoull(v));
    else if (k == "--deadline-ms") o.deadline_ms = std::stoll(v);
    else if (k == "--duration-ms") o.duration_ms = std::stoll(v);
    else if (k == "--window-ms") o.window_ms = std::max<std::int64_t>(1, std::stoll(v));
    else if (k == "--bind") o.bind = v;
    else if (k == "--interval-ms") o.interval_ms = std::stoll(v);
    else if (k == "--ips") o.ips = std::max<std::size_t>(1, std::stoull(v));
    else if (k == "--url") o.url = v;
    else if (k == "--to") o.to = v;
    else if (k == "--loss") o.loss = std::stod(v);
    else if (k == "--delay-ms") o.delay_ms = std::stoll(v);
    else throw std::runtime_error("unknown option " + k);
  }
  const bool http_mode = o.mode == "http-call" || o.mode == "slowloris" || o.mode == "bad-http";
  if (http_mode && o.url.empty()) throw std::runtime_error("--url is required");
  if (o.mode == "lossy-proxy" && o.to.empty()) throw std::runtime_error("--to is required");
  if (!http_mode && o.mode != "lossy-proxy" && o.data_dir.empty()) throw std::runtime_error("--data-dir is required");
  return o;
}

void print(const json::value& v) { std::cout << json::serialize(v) << std::endl; }

void add_tools(daemon::node& n) {
  auto& reg = n.agent().tools();
  tools::tool_definition echo;
  echo.name = "echo";
  echo.description = "Returns its arguments";
  echo.input_schema = json::object{{"type", "object"}};
  (void)reg.add(std::move(echo), [](json::object args, tools::call_context&) -> awaitable<result<json::value>> {
    co_return json::value(std::move(args));
  });
  tools::tool_definition sleep;
  sleep.name = "sleep";
  sleep.description = "Sleeps {ms} milliseconds";
  sleep.input_schema = json::object{{"type", "object"}};
  (void)reg.add(std::move(sleep), [](json::object args, tools::call_context& ctx) -> awaitable<result<json::value>> {
    std::int64_t ms = 1000;
    if (auto* v = args.if_contains("ms"); v && v->is_int64()) ms = v->as_int64();
    asio::steady_timer t(ctx.get_executor(), std::chrono::milliseconds(ms));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return json::value("slept");
  });
  tools::tool_definition blob;
  blob.name = "blob";
  blob.description = "Returns a string of {bytes} bytes";
  blob.input_schema = json::object{{"type", "object"}};
  (void)reg.add(std::move(blob), [](json::object args, tools::call_context&) -> awaitable<result<json::value>> {
    std::int64_t n = 1024;
    if (auto* v = args.if_contains("bytes"); v && v->is_int64()) n = std::clamp<std::int64_t>(v->as_int64(), 0, 3 << 20);
    co_return json::value(std::string(static_cast<std::size_t>(n), 'x'));
  });
}

result<std::unique_ptr<daemon::node>> start_node(asio::io_context& ctx, const options& o, std::string listen) {
  daemon::node_options nopts;
  nopts.data_dir = o.data_dir;
  nopts.identity_file = o.data_dir / "identity.key";
  nopts.listen = {std::move(listen)};
  nopts.name = o.name;
  nopts.dht.enabled = false;
  return daemon::node::start(ctx.get_executor(), nopts);
}

struct target {
  multiformats::multiaddr addr;
  crypto::peer_id peer;
};

result<target> parse_target(const std::string& text) {
  AP_TRY(auto addr, multiformats::multiaddr::parse(text));
  auto p = addr.find(multiformats::protocol_code::p2p);
  if (!p) return make_error(errc::invalid_argument, "--target needs /p2p/<id>");
  AP_TRY(auto peer, crypto::peer_id::from_bytes(p->value));
  return target{addr, peer};
}

std::string kind_of(const error& e) {
  std::string w = e.code.message();
  return w.empty() ? "error" : w;
}

struct call_stats {
  std::size_t ok = 0, failed = 0;
  std::vector<double> latencies_ms;
  std::map<std::string, std::size_t> errors;
  std::string first_error;
  double max_failure_ms = 0;  // how long the slowest failure took (deadline check)
  std::vector<std::pair<std::size_t, std::size_t>> windows;
  clock_type::time_point started = clock_type::now();
};

awaitable<void> caller(daemon::node& n, target t, const options& o, json::object args, call_stats& st,
                       std::size_t* issued, clock_type::time_point until) {
  for (;;) {
    if (o.duration_ms > 0 ? clock_type::now() >= until : *issued >= o.count) co_return;
    ++*issued;
    tools::call_options opts;
    opts.deadline = std::chrono::milliseconds(o.deadline_ms);
    const auto t0 = clock_type::now();
    auto r = co_await n.agent().remote().call(t.peer, o.tool, args, opts);
    const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    const auto w = static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(t0 - st.started).count() / o.window_ms);
    if (st.windows.size() <= w) st.windows.resize(w + 1);
    if (r) {
      ++st.ok;
      ++st.windows[w].first;
      st.latencies_ms.push_back(ms);
      if (o.interval_ms > 0) {
        asio::steady_timer pace(co_await asio::this_coro::executor, std::chrono::milliseconds(o.interval_ms));
        co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    } else {
      ++st.failed;
      ++st.windows[w].second;
      ++st.errors[kind_of(r.error())];
      st.max_failure_ms = std::max(st.max_failure_ms, ms);
      if (st.first_error.empty()) st.first_error = r.error().what();
      // A failed call (peer gone, partition) must not turn into a busy loop.
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void print_stats(const call_stats& st);

awaitable<int> run_call(daemon::node& n, options o) {
  auto parsed = parse_target(o.target);
  if (!parsed) {
    print(json::object{{"ok", 0}, {"error", parsed.error().what()}});
    co_return 2;
  }
  auto t = *parsed;
  json::object args = json::parse(o.args).as_object();
  // Connect first (retrying: the target may still be starting).
  const auto connect_until = clock_type::now() + std::chrono::milliseconds(std::max<std::int64_t>(o.deadline_ms, 5000));
  for (;;) {
    auto c = co_await n.host().connect(t.addr);
    if (c) break;
    if (clock_type::now() >= connect_until) {
      print(json::object{{"ok", 0}, {"failed", 0}, {"error", "connect: " + c.error().what()}});
      co_return 1;
    }
    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  call_stats st;
  std::size_t issued = 0;
  const auto until = clock_type::now() + std::chrono::milliseconds(o.duration_ms);
  task_group group(co_await asio::this_coro::executor);
  for (std::size_t i = 0; i < o.concurrency; ++i) group.spawn(caller(n, t, o, args, st, &issued, until), "caller");
  co_await group.join();
  print_stats(st);
  co_return 0;
}

void print_stats(const call_stats& st) {
  json::object errors;
  for (const auto& [k, v] : st.errors) errors[k] = v;
  json::array windows;
  for (const auto& [ok, failed] : st.windows) windows.emplace_back(json::object{{"ok", ok}, {"failed", failed}});
  const double total = static_cast<double>(st.ok + st.failed);
  print(json::object{{"ok", st.ok},
                     {"failed", st.failed},
                     {"successRate", total > 0 ? static_cast<double>(st.ok) / total : 0.0},
                     {"p50Ms", percentile(st.latencies_ms, 0.5)},
                     {"p95Ms", percentile(st.latencies_ms, 0.95)},
                     {"maxMs", st.latencies_ms.empty() ? 0.0 : *std::max_element(st.latencies_ms.begin(), st.latencies_ms.end())},
                     {"maxFailureMs", st.max_failure_ms},
                     {"errors", errors},
                     {"firstError", st.first_error},
                     {"windows", windows}});
}

awaitable<int> run_a2a(daemon::node& n, options o) {
  auto parsed = parse_target(o.target);
  if (!parsed) {
    print(json::object{{"ok", false}, {"error", parsed.error().what()}});
    co_return 2;
  }
  auto t = *parsed;
  auto c = co_await n.host().connect(t.addr);
  if (!c) {
    print(json::object{{"ok", false}, {"error", c.error().what()}});
    co_return 1;
  }
  a2a::client client(n.shared_host());
  result<a2a::task> r;
  if (o.mode == "a2a-send") {
    a2a::message m;
    m.message_id = "fault-" + std::to_string(clock_type::now().time_since_epoch().count());
    m.parts.push_back(a2a::part::data(json::parse(R"({"tool":"echo","arguments":{"text":"persist me"}})")));
    auto sent = co_await client.send(t.peer, std::move(m));
    if (!sent)
      r = sent.error();
    else if (auto* task = std::get_if<a2a::task>(&*sent))
      r = std::move(*task);
    else
      r = agentp2p::error(errc::protocol_error, "the agent answered with a message, not a task");
  } else {
    r = co_await client.get(t.peer, o.task);
  }
  if (!r) {
    print(json::object{{"ok", false}, {"error", r.error().what()}});
    co_return 1;
  }
  print(json::object{{"ok", true},
                     {"task", r->id},
                     {"state", a2a::to_string(r->status.state)},
                     {"artifacts", r->artifacts.size()}});
  co_return 0;
}

awaitable<void> sleep_ms(std::int64_t ms) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// The i-th address after `first` (127.0.0.2 + 3 -> 127.0.0.5).
asio::ip::address source_address(const std::string& first, std::size_t i) {
  auto v4 = asio::ip::make_address_v4(first);
  return asio::ip::address_v4(v4.to_uint() + static_cast<std::uint32_t>(i));
}

awaitable<int> run_flood_connect(options o) {
  auto t = parse_target(o.target);
  if (!t) co_return 2;
  auto ex = co_await asio::this_coro::executor;
  const auto ip = *t->addr.value_for(multiformats::protocol_code::ip4);
  const auto port = static_cast<std::uint16_t>(std::stoi(*t->addr.value_for(multiformats::protocol_code::tcp)));
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> held;
  std::size_t failed = 0;
  const auto t0 = clock_type::now();
  for (std::size_t i = 0; i < o.count; ++i) {
    auto sock = std::make_unique<asio::ip::tcp::socket>(ex);
    boost::system::error_code ec;
    sock->open(asio::ip::tcp::v4(), ec);
    if (!ec) sock->bind({source_address(o.bind, i % o.ips), 0}, ec);
    if (ec) {
      ++failed;
      continue;
    }
    auto [cec] = co_await sock->async_connect({asio::ip::make_address(ip), port}, asio::as_tuple(asio::use_awaitable));
    if (cec) ++failed;
    else held.push_back(std::move(sock));
  }
  const double open_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  co_await sleep_ms(o.duration_ms);
  // How many the target had already closed on us (refused at accept or timed out).
  std::size_t closed_by_target = 0;
  for (auto& s : held) {
    char b;
    boost::system::error_code ec;
    s->non_blocking(true);
    auto n = s->read_some(asio::buffer(&b, 1), ec);
    if ((!ec && n == 0) || (ec && ec != asio::error::would_block)) ++closed_by_target;
  }
  print(json::object{{"attempted", o.count}, {"sourceIps", o.ips}, {"connected", held.size()}, {"connectFailed", failed},
                     {"closedByTarget", closed_by_target}, {"openMs", open_ms}});
  co_return 0;
}

awaitable<int> run_flood_streams(daemon::node& n, options o) {
  auto t = parse_target(o.target);
  if (!t) co_return 2;
  auto c = co_await n.host().connect(t->addr);
  if (!c) {
    print(json::object{{"error", c.error().what()}});
    co_return 1;
  }
  std::size_t opened = 0, refused = 0;
  const auto until = clock_type::now() + std::chrono::milliseconds(o.duration_ms);
  while (clock_type::now() < until) {
    auto s = co_await n.host().new_stream(*c, "/praxis/tool/1.0.0");
    if (s) {
      ++opened;
      (*s)->reset();
    } else {
      ++refused;
      if ((*c)->is_closed()) {
        auto again = co_await n.host().connect(t->addr);
        if (!again) break;
        c = std::move(again);
      }
    }
  }
  print(json::object{{"streamsOpened", opened}, {"streamsRefused", refused}});
  co_return 0;
}

awaitable<int> run_bad_json(daemon::node& n, options o) {
  auto t = parse_target(o.target);
  if (!t) co_return 2;
  auto c = co_await n.host().connect(t->addr);
  if (!c) {
    print(json::object{{"error", c.error().what()}});
    co_return 1;
  }
  std::size_t answered = 0, dropped = 0;
  std::string first_answer;
  const std::string big = "{\"id\":1,\"name\":\"echo\",\"arguments\":{\"text\":\"" + std::string(5 << 20, 'a') + "\"}}\n";
  const std::string deep = std::string(100000, '[') + "\n";
  for (std::size_t i = 0; i < 2 * o.count; ++i) {
    auto s = co_await n.host().new_stream(t->peer, "/praxis/tool/1.0.0");
    if (!s) {
      ++dropped;
      continue;
    }
    const auto& line = i % 2 ? deep : big;
    auto w = co_await (*s)->write(as_bytes(line));
    (void)w;
    (void)co_await (*s)->close_write();
    auto reply = co_await core::read_to_end(**s, 1 << 20);
    if (reply && !reply->empty()) {
      ++answered;
      if (first_answer.empty()) first_answer = std::string(reply->begin(), reply->begin() + std::min<std::size_t>(reply->size(), 200));
    } else {
      ++dropped;
    }
  }
  print(json::object{{"badLines", 2 * o.count}, {"answeredWithError", answered}, {"streamReset", dropped},
                     {"sampleAnswer", first_answer}});
  co_return 0;
}


// --- HTTP ------------------------------------------------------------------

struct http_target {
  std::string host;
  std::uint16_t port = 0;
};

result<http_target> parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return make_error(errc::invalid_argument, "--url must start with http://");
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  if (slash != std::string::npos) rest.resize(slash);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return make_error(errc::invalid_argument, "--url needs a port");
  http_target t;
  t.host = rest.substr(0, colon);
  t.port = static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)));
  return t;
}

http::client_request tool_call_request(const std::string& base, std::int64_t deadline_ms) {
  auto req = http::post_request(base + "/api/v1/tools/call", R"({"tool":"node_info","arguments":{}})");
  req.timeout = std::chrono::milliseconds(deadline_ms);
  return req;
}

http::client_options fresh_connections() {
  http::client_options o;
  o.max_idle_per_host = 0;  // a new connection per request, as curl or a CLI would
  o.connect_timeout = std::chrono::milliseconds(5000);
  return o;
}

awaitable<void> http_caller(std::string base, const options& o, call_stats& st, clock_type::time_point until) {
  auto ex = co_await asio::this_coro::executor;
  http::client client(ex, fresh_connections());
  while (clock_type::now() < until) {
    const auto t0 = clock_type::now();
    auto r = co_await client.send(tool_call_request(base, o.deadline_ms));
    const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    const auto w = static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(t0 - st.started).count() / o.window_ms);
    if (st.windows.size() <= w) st.windows.resize(w + 1);
    std::string failure;
    if (!r) failure = kind_of(r.error());
    else if (r->status != 200) failure = "http " + std::to_string(r->status);
    if (failure.empty()) {
      ++st.ok;
      ++st.windows[w].first;
      st.latencies_ms.push_back(ms);
    } else {
      ++st.failed;
      ++st.windows[w].second;
      ++st.errors[failure];
      st.max_failure_ms = std::max(st.max_failure_ms, ms);
      if (st.first_error.empty()) st.first_error = r ? r->body.substr(0, 200) : r.error().what();
    }
    co_await sleep_ms(std::max<std::int64_t>(o.interval_ms, failure.empty() ? 0 : 50));
  }
}

awaitable<int> run_http_call(options o) {
  call_stats st;
  const auto until = clock_type::now() + std::chrono::milliseconds(o.duration_ms);
  task_group group(co_await asio::this_coro::executor);
  for (std::size_t i = 0; i < o.concurrency; ++i) group.spawn(http_caller(o.url, o, st, until), "http caller");
  co_await group.join();
  print_stats(st);
  co_return 0;
}

struct slowloris_stats {
  std::size_t opened = 0, connect_failed = 0, closed_by_server = 0, answered_503 = 0, open_now = 0, max_open = 0;
};

// What the server did to a stalled connection: nothing yet, answered, or closed.
enum class peer_state { quiet, answered_503, closed };

peer_state poll_server(asio::ip::tcp::socket& s) {
  std::array<char, 64> b;
  boost::system::error_code ec;
  s.non_blocking(true);
  auto n = s.read_some(asio::buffer(b), ec);
  if (ec == asio::error::would_block) return peer_state::quiet;
  if (!ec && n >= 12 && std::string_view(b.data(), 12) == "HTTP/1.1 503") return peer_state::answered_503;
  return peer_state::closed;
}

awaitable<void> slowloris_slot(http_target t, options o, slowloris_stats& st, clock_type::time_point until) {
  auto ex = co_await asio::this_coro::executor;
  const std::string head = "POST /api/v1/tools/call HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  while (clock_type::now() < until) {
    asio::ip::tcp::socket s(ex);
    boost::system::error_code ec;
    s.open(asio::ip::tcp::v4(), ec);
    if (!ec) s.bind({asio::ip::make_address(o.bind), 0}, ec);
    if (ec) {
      ++st.connect_failed;
      co_await sleep_ms(100);
      continue;
    }
    const asio::ip::tcp::endpoint server(asio::ip::make_address(t.host), t.port);
    auto [cec] = co_await s.async_connect(server, asio::as_tuple(asio::use_awaitable));
    if (cec) {
      ++st.connect_failed;
      co_await sleep_ms(100);
      continue;
    }
    ++st.opened;
    st.max_open = std::max(st.max_open, ++st.open_now);
    auto [wec, wn] = co_await asio::async_write(s, asio::buffer(head), asio::as_tuple(asio::use_awaitable));
    (void)wn;
    // One more header byte a second until the server gives up on us (or the attack ends).
    peer_state state = wec ? peer_state::closed : peer_state::quiet;
    while (state == peer_state::quiet && clock_type::now() < until) {
      co_await sleep_ms(1000);
      state = poll_server(s);
      if (state != peer_state::quiet) break;
      const char byte = 'X';
      auto [bec, bn] = co_await asio::async_write(s, asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
      (void)bn;
      if (bec) state = peer_state::closed;
    }
    --st.open_now;
    if (state == peer_state::answered_503) ++st.answered_503;
    if (state != peer_state::quiet) ++st.closed_by_server;
    // Reconnect at once, as an attacker would (a short pause keeps a refusing server from turning this into a spin).
    co_await sleep_ms(20);
  }
}

awaitable<int> run_slowloris(options o) {
  auto t = parse_url(o.url);
  if (!t) co_return 2;
  slowloris_stats st;
  const auto until = clock_type::now() + std::chrono::milliseconds(o.duration_ms);
  task_group group(co_await asio::this_coro::executor);
  for (std::size_t i = 0; i < o.count; ++i) group.spawn(slowloris_slot(*t, o, st, until), "slowloris");
  co_await group.join();
  print(json::object{{"slots", o.count}, {"connectionsOpened", st.opened}, {"maxOpenAtOnce", st.max_open},
                     {"closedByServer", st.closed_by_server}, {"answered503", st.answered_503},
                     {"connectFailed", st.connect_failed}});
  co_return 0;
}

// Sends `raw` on a new connection (the server may cut it short) and returns the
// answer's status code, 0 when the connection closed without one.
awaitable<int> raw_exchange(http_target t, std::string raw) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket s(ex);
  const asio::ip::tcp::endpoint server(asio::ip::make_address(t.host), t.port);
  auto [cec] = co_await s.async_connect(server, asio::as_tuple(asio::use_awaitable));
  if (cec) co_return -1;
  auto [wec, wn] = co_await asio::async_write(s, asio::buffer(raw), asio::as_tuple(asio::use_awaitable));
  (void)wec;
  (void)wn;
  std::string answer;
  std::array<char, 4096> buf;
  asio::steady_timer limit(ex, std::chrono::seconds(10));
  limit.async_wait([&s](const boost::system::error_code& ec) {
    if (!ec) s.close();
  });
  while (answer.size() < 64 * 1024) {
    auto [rec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    answer.append(buf.data(), n);
    if (rec || answer.find("\r\n\r\n") != std::string::npos) break;
  }
  limit.cancel();
  if (answer.size() < 12 || answer.rfind("HTTP/1.1 ", 0) != 0) co_return 0;
  co_return std::atoi(answer.substr(9, 3).c_str());
}

std::string post_raw(const std::string& path, const std::string& body, const std::string& extra_headers) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Accept: application/json, text/event-stream\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// "nested /mcp 400"; "closed" when the server hung up without an answer.
std::string answer_key(const char* what, const char* path, int status) {
  return std::string(what) + " " + path + " " + (status > 0 ? std::to_string(status) : std::string("closed"));
}

constexpr std::array<const char*, 3> bad_http_paths = {"/api/v1/tools/call", "/mcp", "/a2a"};

awaitable<int> run_bad_http(options o) {
  auto t = parse_url(o.url);
  if (!t) co_return 2;
  const std::string big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"node_info\","
                          "\"arguments\":{\"pad\":\"" + std::string(5 << 20, 'a') + "\"}}}";
  const std::string deep = std::string(1 << 20, '[');
  const std::string fat_header = "X-Pad: " + std::string(64 << 10, 'h') + "\r\n";
  std::map<std::string, std::size_t> statuses;  // "oversized 413" -> count
  std::size_t sent = 0;
  for (std::size_t i = 0; i < o.count; ++i) {
    for (const char* path : bad_http_paths) {
      auto a = co_await raw_exchange(*t, post_raw(path, big, ""));
      ++statuses[answer_key("oversized", path, a)];
      auto b = co_await raw_exchange(*t, post_raw(path, deep, ""));
      ++statuses[answer_key("nested", path, b)];
      auto c = co_await raw_exchange(*t, post_raw(path, "{}", fat_header));
      ++statuses[answer_key("header", path, c)];
      sent += 3;
    }
  }
  json::object answers;
  for (const auto& [k, v] : statuses) answers[k] = v;
  print(json::object{{"badRequests", sent}, {"answers", answers}});
  co_return 0;
}

// --- lossy-proxy -------------------------------------------------------------

asio::ip::tcp::endpoint parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("expected IP:PORT, got " + text);
  return asio::ip::tcp::endpoint(asio::ip::make_address(text.substr(0, colon)),
                                 static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1))));
}

struct proxy_stats {
  std::size_t connections = 0, segments = 0, retransmitted = 0;
};

// One direction of a proxied connection: pieces wait in `queue` until their time.
struct delayed_pipe {
  explicit delayed_pipe(executor ex) : wake(ex, asio::steady_timer::time_point::max()) {}
  std::deque<std::pair<clock_type::time_point, std::string>> queue;
  std::size_t queued_bytes = 0;
  clock_type::time_point last_due = clock_type::now();
  bool eof = false, broken = false;
  asio::steady_timer wake;  // cancelled whenever the other side should look again
};

constexpr std::size_t segment_bytes = 1448;  // what one lost packet holds back
constexpr std::size_t max_queued_bytes = 1 << 20;

awaitable<void> pipe_reader(asio::ip::tcp::socket& from, delayed_pipe& p, const options& o, proxy_stats& st,
                            std::mt19937_64& rng) {
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::array<char, segment_bytes> buf;
  while (!p.broken) {
    if (p.queued_bytes >= max_queued_bytes) {  // backpressure: let the writer catch up
      p.wake.expires_at(asio::steady_timer::time_point::max());
      auto [ec] = co_await p.wake.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ec;
      continue;
    }
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) break;
    ++st.segments;
    auto due = clock_type::now() + std::chrono::milliseconds(o.delay_ms);
    if (coin(rng) < o.loss) {
      ++st.retransmitted;
      due += std::chrono::milliseconds(2 * o.delay_ms + 20);  // noticed and resent one round trip later
    }
    p.last_due = std::max(p.last_due, due);  // TCP delivers in order: nothing overtakes a late piece
    p.queue.emplace_back(p.last_due, std::string(buf.data(), n));
    p.queued_bytes += n;
    p.wake.cancel();
  }
  p.eof = true;
  p.wake.cancel();
}

// Writes what is due to `to`; when `to` fails, closes `from` too so its reader ends.
awaitable<void> pipe_writer(asio::ip::tcp::socket& to, asio::ip::tcp::socket& from, delayed_pipe& p) {
  for (;;) {
    if (p.queue.empty()) {
      if (p.eof || p.broken) break;
      p.wake.expires_at(asio::steady_timer::time_point::max());
      auto [ec] = co_await p.wake.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ec;
      continue;
    }
    auto due = p.queue.front().first;
    if (clock_type::now() < due) {
      asio::steady_timer t(co_await asio::this_coro::executor, due);
      auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)ec;
      continue;
    }
    auto piece = std::move(p.queue.front().second);
    p.queue.pop_front();
    p.queued_bytes -= piece.size();
    p.wake.cancel();  // the reader may be waiting for room
    auto [ec, n] = co_await asio::async_write(to, asio::buffer(piece), asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (ec) {
      p.broken = true;
      boost::system::error_code ignored;
      from.close(ignored);
      break;
    }
  }
  boost::system::error_code ignored;
  to.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

awaitable<void> proxy_connection(asio::ip::tcp::socket client, options o, proxy_stats& st, std::uint64_t seed) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::socket upstream(ex);
  const auto target = parse_endpoint(o.to);
  auto [cec] = co_await upstream.async_connect(target, asio::as_tuple(asio::use_awaitable));
  if (cec) co_return;
  ++st.connections;
  std::mt19937_64 rng_up(seed), rng_down(seed ^ 0x9e3779b97f4a7c15ULL);
  delayed_pipe up(ex), down(ex);
  task_group group(ex);
  group.spawn(pipe_reader(client, up, o, st, rng_up), "proxy read up");
  group.spawn(pipe_writer(upstream, client, up), "proxy write up");
  group.spawn(pipe_reader(upstream, down, o, st, rng_down), "proxy read down");
  group.spawn(pipe_writer(client, upstream, down), "proxy write down");
  co_await group.join();
}

awaitable<int> run_lossy_proxy(options o) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::acceptor acc(ex, parse_endpoint(o.listen));
  print(json::object{{"listening", o.listen}, {"to", o.to}, {"delayMs", o.delay_ms}, {"loss", o.loss}});
  proxy_stats st;
  task_group group(ex);
  asio::signal_set signals(ex, SIGINT, SIGTERM);
  signals.async_wait([&acc](const boost::system::error_code& ec, int) {
    if (!ec) acc.close();
  });
  std::uint64_t seed = 1;
  for (;;) {
    auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    group.spawn(proxy_connection(std::move(sock), o, st, seed++), "proxy connection");
  }
  print(json::object{{"connections", st.connections}, {"segments", st.segments}, {"retransmitted", st.retransmitted}});
  co_return 0;
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
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context ctx(1);
  if (o.mode == "http-call" || o.mode == "slowloris" || o.mode == "bad-http" || o.mode == "lossy-proxy") {
    int rc = 0;
    auto body = [](options o, int& rc) -> awaitable<void> {
      if (o.mode == "lossy-proxy") rc = co_await run_lossy_proxy(o);
      else if (o.mode == "http-call") rc = co_await run_http_call(o);
      else if (o.mode == "slowloris") rc = co_await run_slowloris(o);
      else rc = co_await run_bad_http(o);
    };
    asio::co_spawn(ctx, body(o, rc), [&](std::exception_ptr e) {
      if (e) rc = 1;
      ctx.stop();
    });
    ctx.run();
    return rc;
  }
  auto started = start_node(ctx, o, o.mode == "serve" ? o.listen : "/ip4/0.0.0.0/tcp/0");
  if (!started) {
    print(json::object{{"ok", false}, {"error", started.error().what()}});
    return 1;
  }
  auto& n = **started;
  int rc = 0;
  if (o.mode == "serve") {
    add_tools(n);
    json::array addrs;
    for (const auto& a : n.host().listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + n.host().id().to_string());
    print(json::object{{"peerId", n.host().id().to_string()}, {"addrs", addrs}});
    asio::signal_set signals(ctx, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) asio::co_spawn(ctx, n.close(), [&](std::exception_ptr) { ctx.stop(); });
    });
    ctx.run();
    return 0;
  }
  auto body = [](daemon::node& n, options o, int& rc) -> awaitable<void> {
    if (o.mode == "call") rc = co_await run_call(n, o);
    else if (o.mode == "a2a-send" || o.mode == "a2a-get") rc = co_await run_a2a(n, o);
    else if (o.mode == "flood-connect") rc = co_await run_flood_connect(o);
    else if (o.mode == "flood-streams") rc = co_await run_flood_streams(n, o);
    else if (o.mode == "bad-json") rc = co_await run_bad_json(n, o);
    else rc = 2;
    co_await n.close();
  };
  asio::co_spawn(ctx, body(n, o, rc), [&](std::exception_ptr e) {
    if (e) rc = 1;
    ctx.stop();
  });
  ctx.run();
  return rc;
}
