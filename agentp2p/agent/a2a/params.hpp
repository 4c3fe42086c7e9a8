// The params object of each A2A method, parsed and validated (pure; fuzzed).
// Both versions' spellings are accepted: 0.3 configuration.blocking and 1.0
// configuration.returnImmediately, "input-required" and
// "TASK_STATE_INPUT_REQUIRED".
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/a2a/task_store.hpp"

namespace agentp2p::a2a {

// message/send, message/stream, SendMessage, SendStreamingMessage.
struct send_params {
  a2a::message message;
  std::optional<std::size_t> history_length;
  bool blocking = true;  // wait for the turn to end (both versions' default)
};
result<send_params> parse_send_params(const boost::json::object& params, const parse_limits& lim = {});

// tasks/get, tasks/cancel, tasks/resubscribe, GetTask, CancelTask, SubscribeToTask.
struct task_id_params {
  std::string id;
  std::optional<std::size_t> history_length;
};
result<task_id_params> parse_task_id_params(const boost::json::object& params, const parse_limits& lim = {});

// ListTasks: contextId, status, pageSize (1..max_page_size, default 0 = the
// manager's default), pageToken, historyLength, statusTimestampAfter,
// includeArtifacts. The owner filter is the manager's business.
result<task_query> parse_list_params(const boost::json::object& params, std::size_t max_page_size = 100,
                                     const parse_limits& lim = {});

// Opaque cursor for ListTasks' nextPageToken / pageToken.
std::string encode_page_token(const task_cursor& c);
std::optional<task_cursor> decode_page_token(std::string_view token);

}  // namespace agentp2p::a2a
