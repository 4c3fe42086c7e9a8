#include "agentp2p/daemon/builtin_tools.hpp"

#include <boost/json.hpp>

#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/base/run_on.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

json::object empty_object_schema() {
  return json::object{{"type", "object"}, {"properties", json::object{}}, {"additionalProperties", false}};
}

json::value describe_peers(std::shared_ptr<host::host> h, std::shared_ptr<registry::peer_registry> peers) {
  json::array out;
  for (const auto& e : peers->peers()) {
    json::object p{{"peerId", e.peer.to_string()}, {"connected", e.connected}};
    if (e.card) {
      p["name"] = e.card->name;
      json::array tools;
      for (const auto& t : e.card->tools) tools.emplace_back(t.name);
      p["tools"] = std::move(tools);
    }
    if (auto rec = h->peers().get(e.peer)) {
      if (!rec->agent_version.empty()) p["agentVersion"] = rec->agent_version;
      if (rec->latency) p["latencyMs"] = static_cast<double>(rec->latency->count()) / 1000.0;
      json::array addrs;
      for (const auto& a : rec->addrs) addrs.emplace_back(a.to_string());
      p["addrs"] = std::move(addrs);
    }
    out.push_back(std::move(p));
  }
  return json::object{{"peers", std::move(out)}};
}

json::value describe_node(std::shared_ptr<host::host> h, card::agent_card ours) {
  json::array addrs;
  for (const auto& a : h->listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + h->id().to_string());
  json::array protocols;
  for (const auto& p : h->protocols()) protocols.emplace_back(p);
  return json::object{{"peerId", h->id().to_string()},
                      {"name", ours.name},
                      {"version", ours.version},
                      {"agentVersion", h->settings().agent_version},
                      {"listenAddrs", std::move(addrs)},
                      {"protocols", std::move(protocols)},
                      {"connections", h->connections().size()}};
}

// Runs `fn` on the host's executor (where its state lives) and returns its value.
template <class Fn>
awaitable<result<json::value>> on_host(std::weak_ptr<host::host> weak, Fn fn) {
  auto h = weak.lock();
  if (!h || h->is_closed()) co_return make_error(errc::closed, "the node is shutting down");
  auto run = [](std::shared_ptr<host::host> h, Fn fn) -> awaitable<json::value> { co_return fn(h); };
  // run_on, not co_spawn(..., use_awaitable): these handlers run on the tool
  // registry's workers, and a cancellation across executors must go through a
  // relay in Boost 1.81 (base/cancel_relay.hpp).
  co_return co_await run_on(h->get_executor(), run(h, std::move(fn)));
}

}  // namespace

void register_builtin_tools(praxis::agent_services& agent, std::shared_ptr<host::host> h) {
  std::weak_ptr<host::host> weak = h;
  std::weak_ptr<registry::peer_registry> peers = agent.shared_peers();
  (void)agent.tools().add_or_replace(
      {.name = "list_peers",
       .description = "Peers this agent knows: connection state, name, tools, addresses and latency",
       .input_schema = empty_object_schema(),
       .origin = tools::tool_origin::builtin},
      [weak, peers](json::object, tools::call_context&) -> awaitable<result<json::value>> {
        return on_host(weak, [peers](std::shared_ptr<host::host> h) -> json::value {
          auto p = peers.lock();
          return p ? describe_peers(h, p) : json::value(json::object{{"peers", json::array{}}});
        });
      });
  auto* services = &agent;
  (void)agent.tools().add_or_replace(
      {.name = "node_info",
       .description = "This node's peer id, listen addresses, protocols and connection count",
       .input_schema = empty_object_schema(),
       .origin = tools::tool_origin::builtin},
      [weak, services](json::object, tools::call_context&) -> awaitable<result<json::value>> {
        return on_host(weak, [services](std::shared_ptr<host::host> h) -> json::value {
          return describe_node(h, services->our_card());
        });
      });
}

}  // namespace agentp2p::daemon
