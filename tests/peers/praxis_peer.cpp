// agentp2p_praxis_peer: the C++ side of tests/interop/run_praxis_interop.mjs.
// A complete daemon::node (praxis cards, tools, A2A) with one extra tool
// `echo` ({text} -> {text}), driven by JSON-line commands on stdin:
//
//   agentp2p_praxis_peer --data-dir DIR [--name NAME]
//
// stdout: first a ready line {"peerId","addrs":[...]}, then exactly one JSON
// line per command:
//   {"cmd":"connect","addr":MA}                          -> {ok, peer}
//   {"cmd":"wait_card","peer":ID,"timeoutMs":N}          -> {ok, card} (as our registry stored it)
//   {"cmd":"call","peer":ID,"tool":T,"arguments":{...}}  -> {ok, result} | {ok:false, error, code}
//   {"cmd":"a2a_send","peer":ID,"data":{...}[,"dialect":"0.3"|"1.0"]} -> {ok, task}
//   {"cmd":"stats"}                                      -> {ok, spoofedCards, peers:[...]}
//   {"cmd":"quit"}                                       -> {ok} and exit
// Exits when stdin closes. Logs go to stderr.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/a2a/client.hpp"
#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/daemon/node.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

struct options {
  std::filesystem::path data_dir;
  std::string name = "agentp2p-praxis-peer";
};

options parse_args(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) throw std::runtime_error("missing value for " + k);
    std::string v = argv[++i];
    if (k == "--data-dir") o.data_dir = v;
    else if (k == "--name") o.name = v;
    else throw std::runtime_error("unknown option " + k);
  }
  if (o.data_dir.empty()) throw std::runtime_error("usage: agentp2p_praxis_peer --data-dir DIR [--name NAME]");
  return o;
}

void print(const json::value& v) { std::cout << json::serialize(v) << std::endl; }

json::object failure(const std::string& what) { return json::object{{"ok", false}, {"error", what}}; }

json::object failure(const error& e) {
  return json::object{{"ok", false},
                      {"error", e.what()},
                      {"message", e.message},
                      {"code", e.code.value()},
                      {"category", e.code.category().name()}};
}

std::string str_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return {};
  return std::string(v->as_string());
}

json::object obj_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_object()) return {};
  return v->as_object();
}

// The `echo` tool: {text} -> {text}.
void add_echo_tool(daemon::node& n) {
  tools::tool_definition def;
  def.name = "echo";
  def.description = "Returns its text argument unchanged";
  def.input_schema = json::object{
      {"type", "object"},
      {"properties", json::object{{"text", json::object{{"type", "string"}, {"description", "text to echo"}}}}},
      {"required", json::array{"text"}}};
  auto added = n.agent().tools().add(std::move(def), [](json::object args, tools::call_context&) -> awaitable<result<json::value>> {
    json::object out;
    out["text"] = args["text"];
    co_return json::value(std::move(out));
  });
  if (!added) throw std::runtime_error("cannot add echo tool: " + added.error().what());
}

awaitable<json::object> cmd_connect(daemon::node& n, json::object c) {
  auto addr = multiformats::multiaddr::parse(str_field(c, "addr"));
  if (!addr) co_return failure(addr.error());
  auto conn = co_await n.host().connect(*addr);
  if (!conn) co_return failure(conn.error());
  json::object out;
  out["ok"] = true;
  out["peer"] = (*conn)->remote_peer().to_string();
  co_return out;
}

awaitable<json::object> cmd_wait_card(daemon::node& n, json::object c) {
  auto peer = crypto::peer_id::parse(str_field(c, "peer"));
  if (!peer) co_return failure(peer.error());
  std::int64_t timeout_ms = 10000;
  if (auto* t = c.if_contains("timeoutMs"); t && t->is_int64()) timeout_ms = t->as_int64();
  auto ex = co_await asio::this_coro::executor;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto entry = n.agent().peers().get(*peer);
    if (entry && entry->card) {
      json::object out;
      out["ok"] = true;
      out["card"] = card::to_json(*entry->card);
      out["connected"] = entry->connected;
      co_return out;
    }
    if (std::chrono::steady_clock::now() >= until) break;
    asio::steady_timer t(ex, std::chrono::milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
  }
  auto out = failure("timeout: no card from " + peer->to_string());
  out["spoofedCards"] = n.agent().cards().spoofed_cards();
  auto entry = n.agent().peers().get(*peer);
  out["known"] = entry.has_value();
  co_return out;
}

awaitable<json::object> cmd_call(daemon::node& n, json::object c) {
  auto peer = crypto::peer_id::parse(str_field(c, "peer"));
  if (!peer) co_return failure(peer.error());
  auto tool = str_field(c, "tool");
  auto args = obj_field(c, "arguments");
  auto r = co_await n.agent().remote().call(*peer, std::move(tool), std::move(args));
  if (!r) co_return failure(r.error());
  json::object out;
  out["ok"] = true;
  out["result"] = std::move(*r);
  co_return out;
}

awaitable<json::object> cmd_a2a_send(daemon::node& n, json::object c) {
  auto peer = crypto::peer_id::parse(str_field(c, "peer"));
  if (!peer) co_return failure(peer.error());
  a2a::client_config cfg;
  cfg.version = str_field(c, "dialect") == "1.0" ? a2a::dialect::v1_0 : a2a::dialect::v0_3;
  cfg.call_timeout = std::chrono::seconds(30);
  a2a::client client(n.shared_host(), cfg);
  a2a::message m;
  m.message_id = "praxis-peer-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  json::value data = obj_field(c, "data");
  m.parts.push_back(a2a::part::data(std::move(data)));
  auto sent = co_await client.send(*peer, std::move(m));
  if (!sent) co_return failure(sent.error());
  json::object out;
  out["ok"] = true;
  if (const auto* t = std::get_if<a2a::task>(&*sent))
    out["task"] = a2a::to_json(*t, a2a::dialect::v0_3);
  else
    out["message"] = a2a::to_json(std::get<a2a::message>(*sent), a2a::dialect::v0_3);
  co_return out;
}

json::object cmd_stats(daemon::node& n) {
  json::array peers;
  for (const auto& e : n.agent().peers().peers()) {
    json::object p;
    p["peer"] = e.peer.to_string();
    p["connected"] = e.connected;
    p["hasCard"] = e.card.has_value();
    peers.push_back(std::move(p));
  }
  json::object out;
  out["ok"] = true;
  out["spoofedCards"] = n.agent().cards().spoofed_cards();
  out["peers"] = std::move(peers);
  return out;
}

// One command line -> one reply object. quit is handled by the caller.
awaitable<json::object> dispatch(daemon::node& n, std::string line) {
  boost::system::error_code ec;
  auto v = json::parse(line, ec);
  if (ec || !v.is_object()) co_return failure("not a JSON object: " + line);
  auto c = std::move(v.as_object());
  auto cmd = str_field(c, "cmd");
  json::object out;
  if (cmd == "connect") out = co_await cmd_connect(n, std::move(c));
  else if (cmd == "wait_card") out = co_await cmd_wait_card(n, std::move(c));
  else if (cmd == "call") out = co_await cmd_call(n, std::move(c));
  else if (cmd == "a2a_send") out = co_await cmd_a2a_send(n, std::move(c));
  else if (cmd == "stats") out = cmd_stats(n);
  else out = failure("unknown cmd \"" + cmd + "\"");
  out["cmd"] = cmd;
  co_return out;
}

// Reads commands until stdin closes or "quit", then closes the node.
awaitable<void> command_loop(daemon::node* n) {
  auto ex = co_await asio::this_coro::executor;
  asio::posix::stream_descriptor in(ex);
  boost::system::error_code aec;
  in.assign(::dup(0), aec);
  if (!aec) {
    asio::streambuf buf;
    for (;;) {
      auto [ec, size] = co_await asio::async_read_until(in, buf, '\n', asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(size));
      buf.consume(size);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.empty()) continue;
      bool quit = line.find("\"quit\"") != std::string::npos;
      if (quit) {
        print(json::object{{"ok", true}, {"cmd", "quit"}});
        break;
      }
      json::object reply;
      try {
        reply = co_await dispatch(*n, std::move(line));
      } catch (const std::exception& e) {
        reply = failure(std::string("exception: ") + e.what());
      }
      print(reply);
    }
  }
  co_await n->close();
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
  daemon::node_options nopts;
  nopts.data_dir = o.data_dir;
  nopts.identity_file = o.data_dir / "identity.key";
  nopts.listen = {"/ip4/127.0.0.1/tcp/0"};
  nopts.name = o.name;
  auto started = daemon::node::start(ctx.get_executor(), nopts);
  if (!started) {
    print(json::object{{"ok", false}, {"error", started.error().what()}});
    return 1;
  }
  auto& n = **started;
  try {
    add_echo_tool(n);
  } catch (const std::exception& e) {
    print(json::object{{"ok", false}, {"error", e.what()}});
    return 1;
  }
  json::array addrs;
  for (const auto& a : n.host().listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + n.host().id().to_string());
  print(json::object{{"peerId", n.host().id().to_string()}, {"addrs", addrs}, {"name", o.name}});

  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) asio::co_spawn(ctx, n.close(), [&](std::exception_ptr) { ctx.stop(); });
  });
  asio::co_spawn(ctx, command_loop(&n), [&](std::exception_ptr e) {
    if (e) std::cerr << "command loop ended with an exception\n";
    ctx.stop();
  });
  ctx.run();
  return 0;
}
