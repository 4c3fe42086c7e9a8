#include "agentp2p/agent/mcp/protocol.hpp"

#include <algorithm>

#include "agentp2p/agent/tools/errors.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;

bool is_supported_version(std::string_view v) {
  return std::find(supported_versions.begin(), supported_versions.end(), v) != supported_versions.end();
}

std::string negotiate_version(std::string_view requested) {
  return std::string(is_supported_version(requested) ? requested : latest_version);
}

bool version_allows_batches(std::string_view v) { return v == "2025-03-26" || v == "2024-11-05"; }

agentp2p::error rpc_error(int code, std::string message) {
  return {std::error_code(code, tools::rpc_category()), std::move(message)};
}

int rpc_code_of(const agentp2p::error& e) noexcept {
  // The tool layer's own codes for timeouts and overload are not MCP's: MCP
  // knows only the JSON-RPC ones (and -32002 means "resource not found").
  if (e.code.category() == agentp2p_category()) {
    switch (static_cast<errc>(e.code.value())) {
      case errc::timeout: return code::request_timeout;
      case errc::cancelled:
      case errc::limit_exceeded: return code::internal_error;
      default: break;
    }
  }
  return tools::rpc_code(e);
}

json::object error_object(const agentp2p::error& e) {
  json::object o;
  o["code"] = rpc_code_of(e);
  o["message"] = e.message.empty() ? std::string("error") : e.message;
  return o;
}

agentp2p::error from_error_object(const json::value& err) {
  int c = code::internal_error;
  std::string message = "remote error";
  if (const auto* o = err.if_object()) {
    if (const auto* v = o->if_contains("code"); v && v->is_int64()) c = static_cast<int>(v->get_int64());
    if (const auto* m = o->if_contains("message"); m && m->is_string()) message = std::string(m->get_string());
  }
  // The JSON-RPC codes map to their errc; MCP's own (-32002 resource not
  // found, -32042...) keep their number (tools' -32001..-32003 mean other things).
  if (c <= code::invalid_request && c >= code::parse_error) return tools::from_rpc(c, std::move(message));
  return rpc_error(c, std::move(message));
}

json::object make_request(const json::value& id, std::string_view method, json::value params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["method"] = method;
  if (!params.is_null()) o["params"] = std::move(params);
  return o;
}

json::object make_notification(std::string_view method, json::value params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["method"] = method;
  if (!params.is_null()) o["params"] = std::move(params);
  return o;
}

json::object make_result(const json::value& id, json::value result, bool jsonrpc) {
  json::object o;
  if (jsonrpc) o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["result"] = std::move(result);
  return o;
}

json::object make_error_response(const json::value& id, const agentp2p::error& e, bool jsonrpc) {
  json::object o;
  if (jsonrpc) o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["error"] = error_object(e);
  return o;
}

bool is_valid_id(const json::value& id) noexcept { return id.is_string() || id.is_int64() || id.is_uint64(); }

std::string id_key(const json::value& id) {
  if (id.is_string()) return "s:" + std::string(id.get_string());
  if (id.is_int64()) return "n:" + std::to_string(id.get_int64());
  if (id.is_uint64()) return "n:" + std::to_string(id.get_uint64());
  return "?";
}

namespace {
constexpr std::array<std::string_view, 8> level_names = {"debug", "info",     "notice", "warning",
                                                         "error", "critical", "alert",  "emergency"};
}

std::optional<log_level> parse_log_level(std::string_view s) {
  for (std::size_t i = 0; i < level_names.size(); ++i)
    if (level_names[i] == s) return static_cast<log_level>(i);
  return std::nullopt;
}

std::string_view to_string(log_level l) noexcept { return level_names[static_cast<std::size_t>(l)]; }

std::optional<json::value> progress_token_of(const json::value& params) {
  const auto* p = params.if_object();
  if (!p) return std::nullopt;
  const auto* meta = p->if_contains("_meta");
  if (!meta || !meta->is_object()) return std::nullopt;
  const auto* tok = meta->get_object().if_contains("progressToken");
  if (!tok || !(tok->is_string() || tok->is_int64() || tok->is_uint64())) return std::nullopt;
  return *tok;
}

}  // namespace agentp2p::mcp
