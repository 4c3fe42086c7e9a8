// The praxis agent card: who an agent is and which tools it offers, as
// exchanged on /praxis/card/1.0.0 (praxis-go-sdk internal/p2p/protocol.go):
//
//   {"name":"...","version":"...","peerId":"12D3KooW...","capabilities":["mcp",...],
//    "tools":[{"name":"...","description":"...","parameters":[
//              {"name":"...","type":"string","description":"...","required":true}]}],
//    "timestamp":1700000000}
//
// Parsing is strict about types and sizes (a card comes from the network) and
// lenient about absence: Go encodes empty slices as null and may omit
// nothing, so missing or null lists read as empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::card {

struct tool_parameter {
  std::string name;
  std::string type;  // "string", "number", "integer", "boolean", "object", "array" (or "any")
  std::string description;
  bool required = false;
  bool operator==(const tool_parameter&) const = default;
};

struct tool_spec {
  std::string name;
  std::string description;
  std::vector<tool_parameter> parameters;
  bool operator==(const tool_spec&) const = default;
};

// Whether a received card was signed by its peer (signed_card.hpp).
enum class signature_state {
  unsigned_card,  // no signature (praxis-go-sdk agents do not sign)
  valid,          // signed by the identity key of the card's peer
  invalid,        // a signature that does not verify, or a key that is not the peer's
};
std::string_view to_string(signature_state s) noexcept;

struct agent_card {
  std::string name;
  std::string version;
  std::string peer_id;  // "peerId" on the wire
  std::vector<std::string> capabilities;
  std::vector<tool_spec> tools;
  std::int64_t timestamp = 0;  // Unix seconds
  // agentp2p extensions (other implementations ignore unknown fields):
  std::string public_key;  // "publicKey": base64 (RFC 4648, unpadded) of the libp2p protobuf PublicKey
  std::string signature;   // "signature": base64 of the signature over the canonical JSON (signed_card.hpp)
  // Not on the wire: what verification found when the card was received.
  signature_state verified = signature_state::unsigned_card;
  bool operator==(const agent_card&) const = default;
};

// True when the cards are equal apart from their timestamp.
bool same_content(const agent_card& a, const agent_card& b);

struct limits {
  std::size_t max_string = 256;        // name, version, peerId, capability, tool and parameter names and types
  std::size_t max_description = 4096;  // tool and parameter descriptions
  std::size_t max_capabilities = 64;
  std::size_t max_tools = 1024;
  std::size_t max_parameters = 128;  // per tool
  std::size_t max_signature_field = 2048;  // publicKey and signature (base64; RSA-4096 needs ~700)
};

boost::json::value to_json(const agent_card& c);
boost::json::value to_json(const tool_spec& t);
// errc::decode_error (wrong shape, naming the field: "card.tools[2].name:
// expected a string") or errc::too_large (over a limit).
result<agent_card> from_json(const boost::json::value& v, const limits& lim = {});
result<tool_spec> tool_spec_from_json(const boost::json::value& v, const limits& lim = {});

// The parameters a JSON Schema object describes: one per property, typed
// from the property's "type", required when listed in "required".
std::vector<tool_parameter> parameters_from_schema(const boost::json::object& schema);
tool_spec spec_of(const tools::tool_definition& def);

// What we say about ourselves besides our tools.
struct card_info {
  std::string name = "agentp2p-agent";
  std::string version = "0.1.0";
  std::vector<std::string> capabilities = default_capabilities();
  static std::vector<std::string> default_capabilities();  // mcp, p2p, tools
};

// Our card: `info`, our peer id, every tool of `reg`, the current time.
// Clipped to `lim`, so our own card always passes a peer's checks.
agent_card make_card(const tools::registry& reg, const crypto::peer_id& self, const card_info& info,
                     const limits& lim = {});
// The card `caller` (a peer id; empty = local) gets: only the tools the tool
// policy lets it call (tools::registry::list_for).
agent_card make_card_for(const tools::registry& reg, const crypto::peer_id& self, const card_info& info,
                         std::string_view caller, const limits& lim = {});

}  // namespace agentp2p::card
