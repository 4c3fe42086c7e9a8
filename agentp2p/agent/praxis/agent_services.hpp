// The agent core on a host, in one place: the local tool registry, our
// praxis card, the peer registry (cards fetched automatically after
// identify), the /praxis/card, /praxis/tool and /praxis/mcp servers, and
// remote tools callable by (peer, tool).
//
//   auto host = host::builder{}.build(ex);
//   auto id = identify::service::start(host);
//   auto agent = praxis::agent_services::start(host, id, {.card = {.name = "my-agent"}});
//   agent->tools().add(def, handler);
//   agent->peers().subscribe([](const registry::event& e) { ... });
//   auto r = co_await agent->remote().call(peer, "search", args);
//
// Lives on the host's executor; stop() (or destruction) removes the stream
// handlers and ends the peer registry's background work.
#pragma once

#include <memory>

#include "agentp2p/agent/card/exchange.hpp"
#include "agentp2p/agent/praxis/config.hpp"
#include "agentp2p/agent/praxis/remote_tools.hpp"
#include "agentp2p/agent/registry/peer_registry.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/protocols/identify/identify.hpp"

namespace agentp2p::praxis {

struct config {
  card::card_info card;                 // name, version, capabilities of our card
  tools::config tools;                  // worker threads, concurrency, deadlines
  card::exchange_config card_exchange;  // card size and time limits
  registry::config peers;               // sweep interval, staleness, auto exchange
  server_config server;                 // tool and MCP servers: line size, idle timeout, requests per stream
  client_config client;                 // remote calls: deadline, reply size
  bool serve_tools = true;              // answer /praxis/tool/1.0.0
  bool serve_mcp = true;                // answer /praxis/mcp/1.0.0
};

class agent_services {
 public:
  static std::unique_ptr<agent_services> start(std::shared_ptr<host::host> h, std::shared_ptr<identify::service> id,
                                               config cfg = {});
  ~agent_services();
  void stop();

  tools::registry& tools() noexcept { return *tools_; }
  std::shared_ptr<tools::registry> shared_tools() const noexcept { return tools_; }
  registry::peer_registry& peers() noexcept { return *peers_; }
  std::shared_ptr<registry::peer_registry> shared_peers() const noexcept { return peers_; }
  card::service& cards() noexcept { return *cards_; }
  remote_tools& remote() noexcept { return *remote_; }
  card::agent_card our_card() const { return cards_->our_card(); }
  const config& settings() const noexcept { return config_; }
  // Where /praxis/mcp/1.0.0's mcp.execute sends MCP methods it does not
  // answer itself (the node's MCP server). Call before serving peers.
  void set_mcp_executor(mcp_execute_fn fn) { *config_.server.mcp_fallback = std::move(fn); }

 private:
  agent_services(std::shared_ptr<host::host> h, config cfg);

  std::weak_ptr<host::host> host_;
  config config_;
  std::shared_ptr<tools::registry> tools_;
  std::shared_ptr<card::service> cards_;
  std::shared_ptr<registry::peer_registry> peers_;
  std::unique_ptr<remote_tools> remote_;
  std::uint64_t tools_listener_ = 0;
  bool stopped_ = false;
};

}  // namespace agentp2p::praxis
