// JSON ⇄ the A2A data model, for both wire versions. Pure: no I/O, bounded,
// unit-tested and fuzzed (jsonrpc_fuzz.cpp).
//
// Output follows one version exactly:
//   v0_3  "kind" discriminators, lowercase states ("input-required"), roles
//         "user"/"agent", parts {"kind":"text","text":..} / {"kind":"file",
//         "file":{"bytes"|"uri",..}} / {"kind":"data","data":{..}}.
//   v1_0  ProtoJSON of a2a.proto: no "kind", enum names (TASK_STATE_WORKING,
//         ROLE_USER), parts {"text":..} / {"raw"|"url":..} / {"data":..},
//         stream items wrapped as {"task"|"message"|"statusUpdate"|
//         "artifactUpdate": ..}.
// Input is lenient: the parsers accept either version's shapes, so a peer
// speaking 0.3 with a stray 1.0 part (or the reverse) is still understood.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>

#include "agentp2p/agent/a2a/types.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::a2a {

enum class dialect { v0_3, v1_0 };

// Bounds applied while parsing input from the network.
struct parse_limits {
  std::size_t max_parts = 256;      // per message or artifact
  std::size_t max_id_length = 256;  // task, context, message, artifact ids
  std::size_t max_history = 10000;  // messages in a parsed task (client side)
  std::size_t max_artifacts = 10000;
};

std::string_view state_name(task_state s, dialect d) noexcept;
// Either version's spelling; nullopt for anything else.
std::optional<task_state> parse_state(std::string_view text) noexcept;

boost::json::value to_json(const part& p, dialect d);
boost::json::value to_json(const message& m, dialect d);
boost::json::value to_json(const task_status& s, dialect d);
boost::json::value to_json(const artifact& a, dialect d);
boost::json::value to_json(const task& t, dialect d);
boost::json::value to_json(const status_update& e, dialect d);
boost::json::value to_json(const artifact_update& e, dialect d);

// One item of a streaming response (and SendMessage's result): 0.3 emits the
// object itself (it carries "kind"), 1.0 wraps it ({"task": {...}}).
boost::json::value stream_item_json(const task& t, dialect d);
// A direct reply: 0.3 the message ("kind":"message"), 1.0 {"message": {...}}.
boost::json::value stream_item_json(const message& m, dialect d);
boost::json::value stream_item_json(const task_event& e, dialect d);

// Parse failures are rpc_errc::invalid_params errors naming the field:
// "message.parts[1]: a part needs text, file, raw, url or data".
result<part> parse_part(const boost::json::value& v, const parse_limits& lim = {});
result<message> parse_message(const boost::json::value& v, const parse_limits& lim = {});
result<task_status> parse_status(const boost::json::value& v, const parse_limits& lim = {});
result<artifact> parse_artifact(const boost::json::value& v, const parse_limits& lim = {});
result<task> parse_task(const boost::json::value& v, const parse_limits& lim = {});
result<status_update> parse_status_update(const boost::json::value& v, const parse_limits& lim = {});
result<artifact_update> parse_artifact_update(const boost::json::value& v, const parse_limits& lim = {});

// What a streaming call (or SendMessage) returns, in either version's shape.
using stream_item = std::variant<task, message, status_update, artifact_update>;
result<stream_item> parse_stream_item(const boost::json::value& v, const parse_limits& lim = {});

}  // namespace agentp2p::a2a
