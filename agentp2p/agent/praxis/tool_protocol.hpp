// /praxis/tool/1.0.0 (praxis-go-sdk internal/p2p/protocol.go): one call per
// stream. The caller writes {"id","name","arguments","timestamp"}; the callee
// answers {"id","result","error"?:{"code","message"}} and both close.
//
// We report failures in "error" (codes: agent/tools/errors.hpp). praxis
// reports some inside the result instead, {"status":"error","error":"<text>"}
// (and {"status":"unknown_tool",...}); our client understands both.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/agent/praxis/config.hpp"
#include "agentp2p/agent/praxis/tool_wire.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::praxis {

inline constexpr std::string_view tool_protocol_id = "/praxis/tool/1.0.0";

// Serves /praxis/tool/1.0.0 on `h` from `reg` (replacing a previous handler).
void serve_tool_protocol(host::host& h, std::shared_ptr<tools::registry> reg, server_config cfg = {});

// One inbound stream (what the handler runs; exposed for tests and embedding).
awaitable<void> serve_tool_stream(std::shared_ptr<tools::registry> reg, std::shared_ptr<host::stream> s,
                                  server_config cfg);
// With the host's deadline queue (one timer for every stream's deadlines).
awaitable<void> serve_tool_stream(std::shared_ptr<tools::registry> reg, std::shared_ptr<host::stream> s,
                                  server_config cfg, std::shared_ptr<deadline_queue> deadlines);

// Calls `name` on `peer`. Errors: the remote's (codes mapped back to errc, so
// a remote timeout is errc::timeout), errc::timeout when cfg.deadline passes
// (the stream is then reset, which cancels the remote handler), or the
// stream's own errors.
awaitable<result<boost::json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                       boost::json::object arguments, client_config cfg);
awaitable<result<boost::json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                       boost::json::object arguments);

}  // namespace agentp2p::praxis
