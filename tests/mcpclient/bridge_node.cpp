// A whole node for the P2P-MCP end-to-end test: daemon::node with external
// MCP servers (--external JSON, repeatable), optionally connected to a peer
// (--connect multiaddr/p2p/id) and serving its MCP server over Streamable
// HTTP on 127.0.0.1 (--http). Prints one JSON ready line on stdout, then
// runs until SIGTERM/SIGINT or until stdin closes.
#include <signal.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/mcp/streamable_http.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/daemon/node.hpp"
#include "agentp2p/http/server.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

mcp::external_server_config parse_external(const std::string& text) {
  auto o = json::parse(text).as_object();
  mcp::external_server_config c;
  c.name = std::string(o.at("name").as_string());
  if (o.contains("command")) c.command = std::string(o.at("command").as_string());
  if (o.contains("url")) c.url = std::string(o.at("url").as_string());
  if (o.contains("args"))
    for (const auto& a : o.at("args").as_array()) c.args.emplace_back(a.as_string());
  if (o.contains("expose")) c.expose = std::string(o.at("expose").as_string());
  c.initial_backoff = std::chrono::milliseconds(200);
  return c;
}

awaitable<void> dial(std::shared_ptr<host::host> h, std::string addr) {
  for (int i = 0; i < 50; ++i) {
    auto a = multiformats::multiaddr::parse(addr);
    if (!a) {
      std::cerr << "bad --connect address\n";
      co_return;
    }
    auto c = co_await h->connect(*a);
    if (c) co_return;
    asio::steady_timer t(h->get_executor(), std::chrono::milliseconds(100));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  std::cerr << "could not connect to " << addr << "\n";
}

awaitable<void> watch_stdin(executor ex) {
  asio::posix::stream_descriptor in(ex, ::dup(0));
  char buf[256];
  for (;;) {
    auto [ec, n] = co_await in.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"P2P-MCP bridge test node"};
  daemon::node_options opts;
  std::vector<std::string> externals;
  std::string connect;
  bool serve_http = false;
  std::string data_dir;
  opts.listen = {"/ip4/127.0.0.1/tcp/0"};
  opts.dht.enabled = false;
  app.add_option("--name", opts.name);
  app.add_option("--data-dir", data_dir)->required();
  app.add_option("--external", externals);
  app.add_option("--connect", connect);
  app.add_flag("--http", serve_http);
  CLI11_PARSE(app, argc, argv);
  opts.data_dir = data_dir;
  opts.identity_file = std::filesystem::path(data_dir) / "identity.key";
  for (const auto& e : externals) opts.mcp_servers.push_back(parse_external(e));
  if (const char* lvl = std::getenv("AGENTP2P_LOG_LEVEL")) {
    log::level l;
    if (log::parse_level(lvl, l)) log::set_level(l);
  }

  asio::io_context io(1);
  auto started = daemon::node::start(io.get_executor(), opts);
  if (!started) {
    std::cerr << "node: " << started.error().what() << "\n";
    return 1;
  }
  auto n = std::move(*started);
  std::unique_ptr<http::server> web;
  std::shared_ptr<mcp::http_endpoint> endpoint;
  if (serve_http) {
    web = std::make_unique<http::server>(io.get_executor(), http::config{});
    endpoint = mcp::http_endpoint::mount(*web, n->shared_mcp(), mcp::http_config{});
    if (auto s = web->start(); !s) {
      std::cerr << "http: " << s.error().what() << "\n";
      return 1;
    }
  }
  json::object ready;
  ready["peerId"] = n->host().id().to_string();
  json::array addrs;
  for (const auto& a : n->host().listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + n->host().id().to_string());
  ready["addrs"] = std::move(addrs);
  if (web) ready["mcpUrl"] = web->url() + "/mcp";
  std::cout << json::serialize(ready) << std::endl;
  if (!connect.empty()) asio::co_spawn(io, dial(n->shared_host(), connect), [](std::exception_ptr) {});

  bool stopping = false;
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    asio::co_spawn(io, [](daemon::node* node, mcp::http_endpoint* ep, http::server* w) -> awaitable<void> {
      if (ep) co_await ep->close();
      if (w) co_await w->close();
      co_await node->close();
    }(n.get(), endpoint.get(), web.get()), [&](std::exception_ptr) { io.stop(); });
  };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { stop(); });
  asio::co_spawn(io, watch_stdin(io.get_executor()), [&](std::exception_ptr) { stop(); });
  io.run();
  return 0;
}
