#include "agentp2p/agent/a2a/params.hpp"

#include <charconv>

#include "agentp2p/agent/a2a/errors.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

agentp2p::error bad(std::string_view field, std::string_view what) {
  return rpc_error(rpc_errc::invalid_params, std::string(field) + ": " + std::string(what));
}

// A non-negative integer field; nullopt when absent or null.
result<std::optional<std::int64_t>> opt_count(const json::object& o, std::string_view key, std::string_view path) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::int64_t>();
  const auto& v = it->value();
  std::int64_t n = 0;
  if (v.is_int64())
    n = v.get_int64();
  else if (v.is_uint64())
    n = v.get_uint64() > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(v.get_uint64());
  else
    return bad(std::string(path) + std::string(key), "must be an integer");
  if (n < 0) return bad(std::string(path) + std::string(key), "must not be negative, got " + std::to_string(n));
  return std::optional<std::int64_t>(n);
}

result<std::optional<std::size_t>> opt_history(const json::object& o, std::string_view path) {
  AP_TRY(auto n, opt_count(o, "historyLength", path));
  if (!n) return std::optional<std::size_t>();
  return std::optional<std::size_t>(static_cast<std::size_t>(*n));
}

result<std::string> opt_text(const json::object& o, std::string_view key, std::size_t max_len) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::string();
  const auto* s = it->value().if_string();
  if (!s) return bad(key, "must be a string");
  if (s->size() > max_len) return bad(key, "is too long");
  return std::string(s->data(), s->size());
}

}  // namespace

result<send_params> parse_send_params(const json::object& params, const parse_limits& lim) {
  auto m = params.find("message");
  if (m == params.end() || m->value().is_null()) return bad("message", "is required");
  send_params out;
  AP_TRY(out.message, parse_message(m->value(), lim));
  if (auto c = params.find("configuration"); c != params.end() && !c->value().is_null()) {
    const auto* cfg = c->value().if_object();
    if (!cfg) return bad("configuration", "must be an object");
    AP_TRY(out.history_length, opt_history(*cfg, "configuration."));
    if (auto b = cfg->find("blocking"); b != cfg->end() && !b->value().is_null()) {
      if (!b->value().is_bool()) return bad("configuration.blocking", "must be a boolean");
      out.blocking = b->value().get_bool();
    }
    if (auto r = cfg->find("returnImmediately"); r != cfg->end() && !r->value().is_null()) {
      if (!r->value().is_bool()) return bad("configuration.returnImmediately", "must be a boolean");
      out.blocking = !r->value().get_bool();
    }
  }
  return out;
}

result<task_id_params> parse_task_id_params(const json::object& params, const parse_limits& lim) {
  task_id_params out;
  AP_TRY(out.id, opt_text(params, "id", lim.max_id_length));
  if (out.id.empty()) return bad("id", "a task id is required");
  AP_TRY(out.history_length, opt_history(params, ""));
  return out;
}

result<task_query> parse_list_params(const json::object& params, std::size_t max_page_size, const parse_limits& lim) {
  task_query q;
  AP_TRY(q.context_id, opt_text(params, "contextId", lim.max_id_length));
  std::string status;
  AP_TRY(status, opt_text(params, "status", 64));
  if (!status.empty()) {
    auto st = parse_state(status);
    if (!st || *st == task_state::unknown)
      return bad("status", "unknown task state \"" + status +
                               "\"; use one of TASK_STATE_SUBMITTED, TASK_STATE_WORKING, TASK_STATE_INPUT_REQUIRED, "
                               "TASK_STATE_AUTH_REQUIRED, TASK_STATE_COMPLETED, TASK_STATE_FAILED, "
                               "TASK_STATE_CANCELED, TASK_STATE_REJECTED");
    q.state = st;
  }
  AP_TRY(auto page_size, opt_count(params, "pageSize", ""));
  if (page_size) {
    if (*page_size < 1 || static_cast<std::size_t>(*page_size) > max_page_size)
      return bad("pageSize",
                 "must be between 1 and " + std::to_string(max_page_size) + ", got " + std::to_string(*page_size));
    q.limit = static_cast<std::size_t>(*page_size);
  } else {
    q.limit = 0;  // the manager's default
  }
  std::string token;
  AP_TRY(token, opt_text(params, "pageToken", 1024));
  if (!token.empty()) {
    auto c = decode_page_token(token);
    if (!c) return bad("pageToken", "is not a token from a previous ListTasks response");
    q.after = std::move(c);
  }
  AP_TRY(auto history, opt_count(params, "historyLength", ""));
  q.history_length = history ? static_cast<std::size_t>(*history) : 0;
  std::string after;
  AP_TRY(after, opt_text(params, "statusTimestampAfter", 64));
  if (!after.empty()) {
    auto t = parse_timestamp(after);
    if (!t) return bad("statusTimestampAfter", "must be an ISO 8601 UTC time such as 2025-10-27T10:00:00Z");
    q.updated_since = t;
  }
  if (auto a = params.find("includeArtifacts"); a != params.end() && !a->value().is_null()) {
    if (!a->value().is_bool()) return bad("includeArtifacts", "must be a boolean");
    q.include_artifacts = a->value().get_bool();
  }
  return q;
}

std::string encode_page_token(const task_cursor& c) {
  return std::to_string(c.updated.time_since_epoch().count()) + "." + c.id;
}

std::optional<task_cursor> decode_page_token(std::string_view token) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= token.size()) return std::nullopt;
  std::int64_t ms = 0;
  auto [p, ec] = std::from_chars(token.data(), token.data() + dot, ms);
  if (ec != std::errc() || p != token.data() + dot) return std::nullopt;
  return task_cursor{timestamp{std::chrono::milliseconds{ms}}, std::string(token.substr(dot + 1))};
}

}  // namespace agentp2p::a2a
