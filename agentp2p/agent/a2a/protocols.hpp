// The praxis A2A stream protocol ids (praxis-go-sdk internal/p2p/protocol.go).
#pragma once

#include <string_view>

namespace agentp2p::a2a {

// A2A JSON-RPC 2.0 over a stream, one request per line.
inline constexpr std::string_view protocol_id = "/praxis/a2a/1.0.0";
// A2A agent card request / offer.
inline constexpr std::string_view card_protocol_id = "/praxis/a2a.card/0.3.0";

}  // namespace agentp2p::a2a
