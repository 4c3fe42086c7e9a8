// The tools of other agents, callable like local ones: listed from the praxis
// cards in the peer registry, called over /praxis/tool/1.0.0 by (peer, tool).
// Results and errors have the same shape as tools::registry::call (a remote
// "unknown tool" is errc::not_found, a remote schema failure
// errc::invalid_argument naming the field, a deadline errc::timeout).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/agent/praxis/config.hpp"
#include "agentp2p/agent/registry/peer_registry.hpp"
#include "agentp2p/agent/tools/registry.hpp"

namespace agentp2p::praxis {

class remote_tools {
 public:
  remote_tools(std::shared_ptr<host::host> h, std::shared_ptr<registry::peer_registry> peers, client_config cfg = {});

  struct tool {
    crypto::peer_id peer;
    card::tool_spec spec;
  };
  // Tools of connected peers, as their cards list them.
  std::vector<tool> list() const;
  std::vector<card::tool_spec> tools_of(const crypto::peer_id& peer) const;

  // Calls `name` on `peer`; opts.deadline overrides the client deadline.
  awaitable<result<boost::json::value>> call(crypto::peer_id peer, std::string name, boost::json::object arguments,
                                             tools::call_options opts);
  awaitable<result<boost::json::value>> call(crypto::peer_id peer, std::string name, boost::json::object arguments);

 private:
  std::weak_ptr<host::host> host_;
  std::shared_ptr<registry::peer_registry> peers_;
  client_config config_;
};

}  // namespace agentp2p::praxis
