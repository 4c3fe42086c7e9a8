#include "agentp2p/daemon/mcp_resources.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/card.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

json::array json_contents(const std::string& uri, const json::value& v) {
  json::object c;
  c["uri"] = uri;
  c["mimeType"] = "application/json";
  c["text"] = json::serialize(v);
  json::array out;
  out.push_back(std::move(c));
  return out;
}

// The peer registry and card service belong to the host's executor.
awaitable<result<json::value>> our_card(praxis::agent_services* agent) { co_return card::to_json(agent->our_card()); }

awaitable<result<json::value>> peer_card(praxis::agent_services* agent, std::string peer_text) {
  auto peer = crypto::peer_id::parse(peer_text);
  if (!peer) co_return make_error(errc::not_found, "not a peer id: " + peer_text.substr(0, 128));
  auto entry = agent->peers().get(*peer);
  if (!entry || !entry->card) co_return make_error(errc::not_found, "no card known for peer " + peer_text);
  co_return card::to_json(*entry->card);
}

awaitable<result<json::array>> read_our_card(praxis::agent_services* a, executor host_executor, std::string uri) {
  auto v = co_await asio::co_spawn(host_executor, our_card(a), asio::use_awaitable);
  if (!v) co_return std::move(v).error();
  co_return json_contents(uri, *v);
}

awaitable<result<json::array>> read_peer_card(praxis::agent_services* a, executor host_executor, std::string uri,
                                              std::string peer) {
  auto v = co_await asio::co_spawn(host_executor, peer_card(a, std::move(peer)), asio::use_awaitable);
  if (!v) co_return std::move(v).error();
  co_return json_contents(uri, *v);
}

}  // namespace

result<void> add_card_resources(mcp::server& srv, praxis::agent_services& agent, executor host_executor) {
  praxis::agent_services* a = &agent;
  mcp::resource card_res;
  card_res.uri = "agent://card";
  card_res.name = "agent-card";
  card_res.title = "Agent card";
  card_res.description = "This agent's praxis card: name, version, peer id, capabilities and tools";
  card_res.mime_type = "application/json";
  AP_TRYV(srv.add_resource(card_res, [a, host_executor](std::string uri, std::map<std::string, std::string>) {
    return read_our_card(a, host_executor, std::move(uri));
  }));

  mcp::resource_template peer_res;
  peer_res.uri_template = "agent://peers/{peer}/card";
  peer_res.name = "peer-card";
  peer_res.title = "A peer's agent card";
  peer_res.description = "The praxis card of a peer this agent knows, by peer id";
  peer_res.mime_type = "application/json";
  return srv.add_resource_template(peer_res,
                                   [a, host_executor](std::string uri, std::map<std::string, std::string> vars) {
                                     return read_peer_card(a, host_executor, std::move(uri), vars["peer"]);
                                   });
}

}  // namespace agentp2p::daemon
