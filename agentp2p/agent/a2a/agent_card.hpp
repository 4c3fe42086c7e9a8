// The A2A agent card (self-description) built from a plain config, in the
// shape of A2A 0.3 (AgentCard with url/protocolVersion, as exchanged on
// /praxis/a2a.card/0.3.0) and of A2A 1.0 (supportedInterfaces).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

namespace agentp2p::a2a {

struct skill {
  std::string id;
  std::string name;
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> examples;
};

struct card_config {
  std::string name = "agentp2p agent";
  std::string description = "An agentp2p agent that runs tools over A2A";
  std::string version = "0.1.0";
  // Where the JSON-RPC endpoint is reached. Empty: the libp2p service fills
  // in "/p2p/<its peer id>" (the stream protocol /praxis/a2a/1.0.0).
  std::string url;
  std::vector<skill> skills;
  std::vector<std::string> default_input_modes{"application/json", "text/plain"};
  std::vector<std::string> default_output_modes{"application/json"};
  std::string provider_organization;  // optional, with provider_url
  std::string provider_url;
  std::string documentation_url;  // optional
};

// Both declare streaming and the extended card (answered with this same
// card); no push notifications.
boost::json::object agent_card_v03(const card_config& c);
boost::json::object agent_card_v10(const card_config& c);

}  // namespace agentp2p::a2a
