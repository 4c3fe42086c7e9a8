#include "agentp2p/agent/a2a/agent_card.hpp"

#include <boost/json/array.hpp>

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::array skills_json(const card_config& c) {
  json::array a;
  for (const auto& s : c.skills) {
    json::object o;
    o["id"] = s.id;
    o["name"] = s.name;
    o["description"] = s.description;
    o["tags"] = strings(s.tags);
    if (!s.examples.empty()) o["examples"] = strings(s.examples);
    a.push_back(std::move(o));
  }
  return a;
}

json::object common(const card_config& c) {
  json::object o;
  o["name"] = c.name;
  o["description"] = c.description;
  o["version"] = c.version;
  o["defaultInputModes"] = strings(c.default_input_modes);
  o["defaultOutputModes"] = strings(c.default_output_modes);
  o["skills"] = skills_json(c);
  if (!c.documentation_url.empty()) o["documentationUrl"] = c.documentation_url;
  if (!c.provider_organization.empty())
    o["provider"] = json::object{{"organization", c.provider_organization}, {"url", c.provider_url}};
  return o;
}

}  // namespace

json::object agent_card_v03(const card_config& c) {
  json::object o = common(c);
  o["protocolVersion"] = "0.3.0";
  o["url"] = c.url;
  o["preferredTransport"] = "JSONRPC";
  o["capabilities"] =
      json::object{{"streaming", true}, {"pushNotifications", false}, {"stateTransitionHistory", false}};
  o["supportsAuthenticatedExtendedCard"] = true;
  return o;
}

json::object agent_card_v10(const card_config& c) {
  json::object o = common(c);
  json::array interfaces;
  for (const char* version : {"1.0", "0.3"})
    interfaces.push_back(json::object{{"url", c.url}, {"protocolBinding", "JSONRPC"}, {"protocolVersion", version}});
  o["supportedInterfaces"] = std::move(interfaces);
  o["capabilities"] = json::object{{"streaming", true}, {"pushNotifications", false}, {"extendedAgentCard", true}};
  return o;
}

}  // namespace agentp2p::a2a
