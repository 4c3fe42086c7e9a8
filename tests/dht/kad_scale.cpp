// DHT scale test: N of our nodes on loopback, hosts spread over a few
// threads (one io_context each) to fit small machines. Each node bootstraps
// from a few others; then every node looks up every other node by peer id
// (always over the network, never from an open connection) and finds the
// providers of a tool that 3 random nodes announce. Prints the distribution
// of lookup hops and times; exit 0 when every lookup succeeded.
//
//   agentp2p_kad_scale [--nodes 100] [--threads 2] [--bootstrap-peers 3] [--parallel 4] [--seed 1]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/discovery/capability.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/kad/kad.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
using steady = std::chrono::steady_clock;

namespace {

struct sample {
  std::size_t hops = 0;
  std::size_t requests = 0;
  double ms = 0;
  bool ok = false;
};

struct node {
  asio::io_context* ctx = nullptr;
  std::shared_ptr<host::host> h;
  std::shared_ptr<identify::service> id;
  std::shared_ptr<kad::service> dht;
  multiaddr addr;
  std::vector<sample> peer_lookups;      // touched only on ctx's thread
  std::vector<sample> provider_lookups;
  std::size_t providers_found = 0;
};

struct options {
  std::size_t nodes = 100;
  std::size_t threads = 2;
  std::size_t bootstrap_peers = 3;
  std::size_t parallel = 4;  // lookups in flight per node
  unsigned seed = 1;
};

// Runs task(i) for every node on its own context; waits until all finish.
template <class Make>
bool run_phase(std::vector<node>& nodes, const char* name, Make make, std::chrono::seconds limit) {
  auto start = steady::now();
  std::atomic<std::size_t> left{nodes.size()};
  std::mutex m;
  std::condition_variable cv;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    asio::co_spawn(nodes[i].ctx->get_executor(), make(i), [&](std::exception_ptr e) {
      if (e) std::cerr << name << ": a task threw\n";
      if (--left == 0) {
        std::lock_guard lk(m);
        cv.notify_all();
      }
    });
  std::unique_lock lk(m);
  bool done = cv.wait_for(lk, limit, [&] { return left.load() == 0; });
  auto ms = std::chrono::duration<double, std::milli>(steady::now() - start).count();
  std::fprintf(stderr, "phase %-10s %s in %.0f ms\n", name, done ? "done" : "TIMED OUT", ms);
  return done;
}

awaitable<void> connect_to(node* self, std::vector<node*> others) {
  for (auto* o : others) {
    auto c = co_await self->h->connect(o->addr);
    if (!c) {
      std::cerr << "connect failed: " << c.error().what() << "\n";
      continue;
    }
    (void)co_await self->id->wait_identified(o->h->id(), std::chrono::seconds(20));
  }
}

awaitable<void> bootstrap(node* self) {
  auto r = co_await self->dht->bootstrap();
  if (!r) std::cerr << "bootstrap: " << r.error().what() << "\n";
}

awaitable<void> lookup_worker(node* self, std::vector<crypto::peer_id>* targets, std::size_t* next) {
  while (*next < targets->size()) {
    auto target = (*targets)[(*next)++];
    auto t0 = steady::now();
    auto r = co_await self->dht->lookup_peer(target);
    sample s;
    s.ms = std::chrono::duration<double, std::milli>(steady::now() - t0).count();
    s.ok = r.has_value() && !r->peer.addrs.empty();
    if (r) {
      s.hops = r->stats.done_hop;
      s.requests = r->stats.requests;
    }
    self->peer_lookups.push_back(s);
  }
}

awaitable<void> find_everyone(node* self, std::vector<crypto::peer_id> targets, std::size_t parallel) {
  std::size_t next = 0;
  task_group workers(co_await asio::this_coro::executor);
  for (std::size_t i = 0; i < parallel; ++i) workers.spawn(lookup_worker(self, &targets, &next), "scale lookup");
  co_await workers.join();
}

awaitable<void> provide(node* self, bytes key) {
  auto r = co_await self->dht->provide(key);
  if (!r) std::cerr << "provide: " << r.error().what() << "\n";
}

awaitable<void> find_providers(node* self, bytes key, std::set<crypto::peer_id> expected) {
  auto t0 = steady::now();
  auto r = co_await self->dht->find_providers(key, expected.size());
  sample s;
  s.ms = std::chrono::duration<double, std::milli>(steady::now() - t0).count();
  if (r) {
    std::size_t hits = 0;
    for (auto& p : r->providers) hits += expected.contains(p.id) ? 1 : 0;
    self->providers_found = hits;
    s.ok = hits == expected.size();
    s.hops = r->stats.done_hop;
    s.requests = r->stats.requests;
  }
  self->provider_lookups.push_back(s);
}

awaitable<void> close_node(node* self) {
  self->dht->stop();
  co_await self->h->close();
}

void report(const char* what, std::vector<sample> all) {
  std::size_t ok = 0;
  std::map<std::size_t, std::size_t> hops;
  std::vector<double> times;
  double requests = 0;
  for (auto& s : all) {
    if (s.ok) ++ok;
    ++hops[s.hops];
    times.push_back(s.ms);
    requests += static_cast<double>(s.requests);
  }
  std::sort(times.begin(), times.end());
  auto pct = [&](double p) { return times.empty() ? 0.0 : times[std::min(times.size() - 1, static_cast<std::size_t>(p * times.size()))]; };
  std::printf("%s: %zu/%zu succeeded, mean %.1f requests per lookup\n", what, ok, all.size(),
              all.empty() ? 0.0 : requests / static_cast<double>(all.size()));
  std::printf("  hops (hop of the reply that found it):");
  for (auto& [h, n] : hops) std::printf("  %zu:%zu", h, n);
  std::printf("\n  time ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", pct(0.5), pct(0.9), pct(0.99),
              times.empty() ? 0.0 : times.back());
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    auto v = static_cast<std::size_t>(std::stoul(argv[i + 1]));
    if (k == "--nodes") o.nodes = v;
    else if (k == "--threads") o.threads = v;
    else if (k == "--bootstrap-peers") o.bootstrap_peers = v;
    else if (k == "--parallel") o.parallel = v;
    else if (k == "--seed") o.seed = static_cast<unsigned>(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (o.nodes < 4 || o.threads < 1) return 2;
  std::mt19937 rng(o.seed);
  std::vector<std::unique_ptr<asio::io_context>> ctxs;
  for (std::size_t t = 0; t < o.threads; ++t) ctxs.push_back(std::make_unique<asio::io_context>(1));
  std::vector<node> nodes(o.nodes);
  kad::config cfg;
  cfg.mode = kad::mode::server;
  cfg.bootstrap_on_first_peer = false;
  for (std::size_t i = 0; i < o.nodes; ++i) {
    auto& n = nodes[i];
    n.ctx = ctxs[i % o.threads].get();
    n.h = host::builder{}.build(n.ctx->get_executor());
    n.id = identify::service::start(n.h);
    n.dht = kad::service::start(n.h, cfg);
    std::weak_ptr<kad::service> weak = n.dht;
    n.id->on_identified([weak](const identify::peer_info& p) {
      if (auto d = weak.lock()) d->peer_identified(p.peer);
    });
    n.addr = n.h->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0")).value().encapsulate(
        *multiaddr::parse("/p2p/" + n.h->id().to_string()));
  }
  std::vector<std::thread> threads;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& c : ctxs) guards.emplace_back(c->get_executor());
  for (auto& c : ctxs) threads.emplace_back([ctx = c.get()] { ctx->run(); });

  auto start = steady::now();
  bool ok = true;
  // Each node dials a few random earlier nodes (node 0 is dialled by others).
  std::vector<std::vector<node*>> peers_of(o.nodes);
  for (std::size_t i = 1; i < o.nodes; ++i) {
    std::set<std::size_t> picks;
    while (picks.size() < std::min(o.bootstrap_peers, i)) picks.insert(rng() % i);
    for (auto j : picks) peers_of[i].push_back(&nodes[j]);
  }
  ok &= run_phase(nodes, "connect", [&](std::size_t i) { return connect_to(&nodes[i], peers_of[i]); },
                  std::chrono::seconds(120));
  ok &= run_phase(nodes, "bootstrap", [&](std::size_t i) { return bootstrap(&nodes[i]); }, std::chrono::seconds(300));
  std::size_t table_total = 0;
  for (auto& n : nodes) table_total += n.dht->table().size();
  std::printf("routing tables: mean %.1f peers\n", static_cast<double>(table_total) / static_cast<double>(o.nodes));

  std::vector<crypto::peer_id> ids;
  for (auto& n : nodes) ids.push_back(n.h->id());
  ok &= run_phase(nodes, "find_peer", [&](std::size_t i) {
    std::vector<crypto::peer_id> targets;
    for (std::size_t j = 0; j < ids.size(); ++j)
      if (j != i) targets.push_back(ids[j]);
    return find_everyone(&nodes[i], std::move(targets), o.parallel);
  }, std::chrono::seconds(900));

  auto key = discovery::provider_key(discovery::kind::tool, "scale-test-tool");
  std::set<std::size_t> provider_idx;
  while (provider_idx.size() < 3) provider_idx.insert(rng() % o.nodes);
  std::set<crypto::peer_id> expected;
  for (auto i : provider_idx) expected.insert(ids[i]);
  std::vector<node> providers_only;
  ok &= run_phase(nodes, "provide", [&](std::size_t i) -> awaitable<void> {
    if (provider_idx.contains(i)) return provide(&nodes[i], key);
    return []() -> awaitable<void> { co_return; }();
  }, std::chrono::seconds(120));
  ok &= run_phase(nodes, "providers", [&](std::size_t i) { return find_providers(&nodes[i], key, expected); },
                  std::chrono::seconds(300));
  auto total_ms = std::chrono::duration<double, std::milli>(steady::now() - start).count();

  std::vector<sample> peer_samples, provider_samples;
  for (auto& n : nodes) {
    peer_samples.insert(peer_samples.end(), n.peer_lookups.begin(), n.peer_lookups.end());
    provider_samples.insert(provider_samples.end(), n.provider_lookups.begin(), n.provider_lookups.end());
  }
  std::printf("%zu nodes on %zu threads, %zu bootstrap peers each, total %.1f s\n", o.nodes, o.threads,
              o.bootstrap_peers, total_ms / 1000);
  report("find_peer (every node -> every other node)", peer_samples);
  report("find_providers (tool offered by 3 random nodes)", provider_samples);
  std::size_t failed = 0;
  for (auto& s : peer_samples) failed += s.ok ? 0 : 1;
  for (auto& s : provider_samples) failed += s.ok ? 0 : 1;
  bool complete = peer_samples.size() == o.nodes * (o.nodes - 1) && provider_samples.size() == o.nodes;

  run_phase(nodes, "close", [&](std::size_t i) { return close_node(&nodes[i]); }, std::chrono::seconds(60));
  guards.clear();
  for (auto& c : ctxs) c->stop();
  for (auto& t : threads) t.join();
  std::fflush(stdout);
  return ok && complete && failed == 0 ? 0 : 1;
}
