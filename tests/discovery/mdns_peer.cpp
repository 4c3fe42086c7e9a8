// A small node for the mDNS tests in network namespaces: a host (TCP, Noise,
// Yamux) with identify, the agent layer and mDNS on the given interfaces.
//
//   agentp2p_mdns_peer --interface eth0 [--interface ...] [--listen MA]...
//                      [--service NAME]... [--query-interval-ms 500]
//                      [--expect N] [--timeout-s 40] [--log-level warn]
//
// stdout: one JSON line per event —
//   {"event":"ready","peer":ID,"addrs":[...]}   {"event":"found","peer":ID}
//   {"event":"connected","peer":ID}             {"event":"done","peers":N}
// "done" once N distinct peers are connected. Runs until SIGTERM/SIGINT
// (exit 0) or --timeout-s (exit 0 if done was reached, else 1).
#include <csignal>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agentp2p/agent/praxis/agent_services.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/protocols/mdns/mdns.hpp"

using namespace agentp2p;

namespace {

void emit(const std::string& line) {
  std::cout << line << std::endl;  // flushed: the test script reads it live
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

int usage(const std::string& why) {
  std::cerr << "agentp2p_mdns_peer: " << why << "\n"
            << "usage: agentp2p_mdns_peer --interface IF [--interface IF]... [--listen MA]... [--service NAME]...\n"
            << "       [--query-interval-ms N] [--expect N] [--timeout-s N] [--log-level LEVEL]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  mdns::config cfg;
  cfg.query_interval = std::chrono::milliseconds(500);
  std::vector<std::string> listen;
  std::vector<std::string> services;
  std::size_t expect = 0;
  int timeout_s = 40;
  log::set_level(log::level::warn);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage("missing value for " + a);
    std::string v = argv[++i];
    try {
      if (a == "--interface") cfg.interfaces.push_back(v);
      else if (a == "--listen") listen.push_back(v);
      else if (a == "--service") services.push_back(v);
      else if (a == "--query-interval-ms") cfg.query_interval = std::chrono::milliseconds(std::stoi(v));
      else if (a == "--expect") expect = static_cast<std::size_t>(std::stoul(v));
      else if (a == "--timeout-s") timeout_s = std::stoi(v);
      else if (a == "--log-level") {
        log::level l;
        if (!log::parse_level(v, l)) return usage("bad log level " + v);
        log::set_level(l);
      } else {
        return usage("unknown option " + a);
      }
    } catch (const std::exception&) {
      return usage("bad value for " + a);
    }
  }
  if (cfg.interfaces.empty()) return usage("no --interface");
  if (listen.empty()) listen.push_back("/ip4/0.0.0.0/tcp/0");
  if (!services.empty()) cfg.service_names = services;

  asio::io_context ctx;
  auto h = host::builder{}.build(ctx.get_executor());
  for (const auto& l : listen) {
    auto ma = multiformats::multiaddr::parse(l);
    if (!ma) return usage("bad --listen " + l);
    auto bound = h->listen(*ma);
    if (!bound) {
      std::cerr << "agentp2p_mdns_peer: " << bound.error().what() << "\n";
      return 1;
    }
  }
  auto id = identify::service::start(h);
  auto agent = praxis::agent_services::start(h, id);
  auto started = mdns::service::start(h, cfg);
  if (!started) {
    std::cerr << "agentp2p_mdns_peer: " << started.error().what() << "\n";
    return 1;
  }
  auto md = *started;
  auto peers = agent->shared_peers();

  std::set<crypto::peer_id> connected;
  bool done = expect == 0;
  md->on_peer_found([&](const mdns::peer_found& p) {
    peers->add_peer(p.peer);
    emit("{\"event\":\"found\",\"peer\":" + quoted(p.peer.to_string()) + ",\"service\":" + quoted(p.service) + "}");
  });
  h->subscribe([&](const host::event& e) {
    const auto* c = std::get_if<host::peer_connected>(&e);
    if (!c || !connected.insert(c->peer).second) return;
    emit("{\"event\":\"connected\",\"peer\":" + quoted(c->peer.to_string()) + "}");
    if (!done && connected.size() >= expect) {
      done = true;
      emit("{\"event\":\"done\",\"peers\":" + std::to_string(connected.size()) + "}");
    }
  });

  std::string addrs;
  for (const auto& a : h->listen_addresses()) addrs += (addrs.empty() ? "" : ",") + quoted(a.to_string());
  emit("{\"event\":\"ready\",\"peer\":" + quoted(h->id().to_string()) + ",\"addrs\":[" + addrs + "]}");

  int exit_code = 1;
  auto finish = [&](int code) {
    exit_code = code;
    md->stop();
    agent->stop();
    asio::co_spawn(ctx, h->close(), [&](std::exception_ptr) { ctx.stop(); });
  };
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) finish(0);
  });
  asio::steady_timer deadline(ctx, std::chrono::seconds(timeout_s));
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    if (!done) std::cerr << "agentp2p_mdns_peer: timed out with " << connected.size() << " of " << expect << " peers\n";
    signals.cancel();
    finish(done ? 0 : 1);
  });
  ctx.run();
  return exit_code;
}
