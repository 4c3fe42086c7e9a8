// A DHT node for the js-libp2p kad-dht interop test, driven by JSON lines:
// prints {"peerId","addrs"} when ready, then answers one stdout line per
// stdin command; exits when stdin closes. Server mode, loopback only.
//
//   {"cmd":"connect","addr":"/ip4/127.0.0.1/tcp/N/p2p/ID"}   → {"ok":true}
//   {"cmd":"find_peer","peer":ID}                            → {"ok":true,"addrs":[...],"hops":n}
//   {"cmd":"put_pk"}  {"cmd":"get_pk","peer":ID}             → /pk/ records
//   {"cmd":"put_card"}  {"cmd":"get","key_hex":H}            → our signed card record / any value
//   {"cmd":"provide","name":N}  {"cmd":"find_providers","name":N}  (tool names, agentp2p:tool:<N>)
//   {"cmd":"table"}                                          → {"ok":true,"peers":[...]}
#include <iostream>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/discovery/capability.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/kad/kad.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

using namespace agentp2p;
using multiformats::multiaddr;
namespace json = boost::json;

namespace {

struct peer {
  std::shared_ptr<host::host> h;
  std::shared_ptr<identify::service> id;
  std::shared_ptr<kad::service> dht;
  std::shared_ptr<ping::service> ping;  // js-libp2p pings a peer before it enters its routing table
};

void reply(json::object o) { std::cout << json::serialize(o) << std::endl; }
json::object fail(const std::string& why) { return json::object{{"ok", false}, {"error", why}}; }

awaitable<void> handle(peer* p, json::object cmd) {
  auto name = std::string(cmd["cmd"].as_string());
  if (name == "connect") {
    auto addr = multiaddr::parse(std::string(cmd["addr"].as_string()));
    if (!addr) co_return reply(fail(addr.error().what()));
    auto c = co_await p->h->connect(*addr);
    if (!c) co_return reply(fail(c.error().what()));
    auto who = (*c)->remote_peer();
    auto idd = co_await p->id->wait_identified(who, std::chrono::seconds(10));
    if (!idd) co_return reply(fail(idd.error().what()));
    co_return reply(json::object{{"ok", true}, {"inTable", p->dht->table().contains(who)}});
  }
  if (name == "find_peer") {
    auto target = crypto::peer_id::parse(std::string(cmd["peer"].as_string()));
    if (!target) co_return reply(fail(target.error().what()));
    auto r = co_await p->dht->lookup_peer(*target);
    if (!r) co_return reply(fail(r.error().what()));
    json::array addrs;
    for (auto& a : r->peer.addrs) addrs.emplace_back(a.to_string());
    co_return reply(json::object{{"ok", true}, {"addrs", addrs}, {"hops", r->stats.done_hop}});
  }
  if (name == "put_pk") {
    auto r = co_await p->dht->put_value(kad::public_key_record_key(p->h->id()), p->h->public_key().to_protobuf());
    if (!r) co_return reply(fail(r.error().what()));
    co_return reply(json::object{{"ok", true}, {"stored", r->stored}});
  }
  if (name == "get_pk") {
    auto target = crypto::peer_id::parse(std::string(cmd["peer"].as_string()));
    if (!target) co_return reply(fail(target.error().what()));
    auto r = co_await p->dht->get_value(kad::public_key_record_key(*target));
    if (!r) co_return reply(fail(r.error().what()));
    auto pk = crypto::public_key::from_protobuf(r->rec.value);
    co_return reply(json::object{{"ok", true}, {"matches", pk && target->matches(*pk)}});
  }
  if (name == "put_card") {
    card::agent_card c;
    c.name = "kad-interop";
    c.version = "1";
    c.peer_id = p->h->id().to_string();
    c.capabilities = {"mcp"};
    c.timestamp = 1700000000;
    auto v = discovery::sign_card_record(p->h->identity(), c);
    if (!v) co_return reply(fail(v.error().what()));
    auto r = co_await p->dht->put_value(discovery::card_record_key(p->h->id()), *v);
    if (!r) co_return reply(fail(r.error().what()));
    co_return reply(json::object{{"ok", true}, {"stored", r->stored},
                                 {"key_hex", to_hex(discovery::card_record_key(p->h->id()))}});
  }
  if (name == "get") {
    bytes key;
    if (!from_hex(std::string(cmd["key_hex"].as_string()), key)) co_return reply(fail("bad hex"));
    auto r = co_await p->dht->get_value(key);
    if (!r) co_return reply(fail(r.error().what()));
    co_return reply(json::object{{"ok", true}, {"value", std::string(as_string_view(r->rec.value))}});
  }
  if (name == "provide") {
    auto r = co_await p->dht->provide(discovery::provider_key(discovery::kind::tool, cmd["name"].as_string()));
    if (!r) co_return reply(fail(r.error().what()));
    co_return reply(json::object{{"ok", true}, {"stored", r->stored}, {"tried", r->tried}});
  }
  if (name == "find_providers") {
    auto r = co_await p->dht->find_providers(discovery::provider_key(discovery::kind::tool, cmd["name"].as_string()), 20);
    if (!r) co_return reply(fail(r.error().what()));
    json::array ids;
    for (auto& x : r->providers) ids.emplace_back(x.id.to_string());
    co_return reply(json::object{{"ok", true}, {"providers", ids}});
  }
  if (name == "table") {
    json::array ids;
    for (auto& x : p->dht->table().peers()) ids.emplace_back(x.to_string());
    co_return reply(json::object{{"ok", true}, {"peers", ids}});
  }
  reply(fail("unknown command " + name));
}

}  // namespace

int main() {
  asio::io_context ctx(1);
  peer p;
  p.h = host::builder{}.build(ctx.get_executor());
  p.id = identify::service::start(p.h);
  p.ping = ping::service::start(p.h);
  kad::config cfg;
  cfg.mode = kad::mode::server;  // loopback: force server
  p.dht = kad::service::start(p.h, cfg);
  std::weak_ptr<kad::service> weak = p.dht;
  p.id->on_identified([weak](const identify::peer_info& i) {
    if (auto d = weak.lock()) d->peer_identified(i.peer);
  });
  // js nodes validate our card namespace with their own validator; we use ours.
  p.dht->validators().add(std::string(discovery::card_namespace), std::make_shared<discovery::card_record_validator>());
  auto bound = p.h->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  if (!bound) {
    std::cerr << bound.error().what() << "\n";
    return 1;
  }
  json::array addrs;
  addrs.emplace_back(bound->to_string() + "/p2p/" + p.h->id().to_string());
  reply(json::object{{"peerId", p.h->id().to_string()}, {"addrs", addrs}});
  auto guard = asio::make_work_guard(ctx);
  std::thread reader([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      boost::system::error_code ec;
      auto v = json::parse(line, ec);
      if (ec || !v.is_object()) {
        asio::post(ctx, [] { reply(fail("not a JSON object")); });
        continue;
      }
      asio::post(ctx, [&p, &ctx, o = v.as_object()] { asio::co_spawn(ctx, handle(&p, o), asio::detached); });
    }
    asio::post(ctx, [&] {
      asio::co_spawn(ctx, [](peer* p) -> awaitable<void> {
        p->dht->stop();
        co_await p->h->close();
      }(&p), [&](std::exception_ptr) { ctx.stop(); });
    });
  });
  ctx.run();
  reader.join();
  return 0;
}
