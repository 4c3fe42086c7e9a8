#include "agentp2p/agent/praxis/tool_wire.hpp"

#include <cstdint>
#include <type_traits>
#include <utility>

#include <boost/json/serialize.hpp>

#include "agentp2p/agent/tools/errors.hpp"

namespace agentp2p::praxis {

namespace json = boost::json;

namespace {

json::object error_object(const agentp2p::error& e) {
  json::object err;
  err["code"] = tools::rpc_code(e);
  err["message"] = e.message.empty() ? e.code.message() : e.message;
  return err;
}

}  // namespace

namespace {

// Checks the request; on success `r` has everything but the id and the
// arguments, which the callers copy or move.
result<void> check_request(const json::object& o, tool_request& r) {
  auto* name = o.if_contains("name");
  if (!name || !name->is_string() || name->get_string().empty())
    return make_error(errc::protocol_error, "a tool request needs a \"name\" string");
  if (auto* args = o.if_contains("arguments"); args && !args->is_null() && !args->is_object())
    return make_error(errc::invalid_argument, "\"arguments\" must be a JSON object");
  r.name = std::string(name->get_string());
  if (auto* ts = o.if_contains("timestamp"); ts && ts->is_int64()) r.timestamp = ts->get_int64();
  return ok();
}

}  // namespace

result<tool_request> parse_tool_request(const json::value& v) {
  if (!v.is_object()) return make_error(errc::protocol_error, "a tool request must be a JSON object");
  const auto& o = v.get_object();
  tool_request r;
  AP_TRYV(check_request(o, r));
  if (auto* id = o.if_contains("id")) r.id = *id;
  if (auto* args = o.if_contains("arguments"); args && args->is_object()) r.arguments = args->get_object();
  return r;
}

result<tool_request> parse_tool_request(json::value&& v) {
  if (!v.is_object()) return make_error(errc::protocol_error, "a tool request must be a JSON object");
  auto& o = v.get_object();
  tool_request r;
  AP_TRYV(check_request(o, r));
  if (auto* id = o.if_contains("id")) r.id = std::move(*id);
  if (auto* args = o.if_contains("arguments"); args && args->is_object()) r.arguments = std::move(args->get_object());
  return r;
}

json::value make_tool_reply(const json::value& id, const result<json::value>& outcome) {
  json::object reply;
  reply["id"] = id;
  if (outcome) {
    reply["result"] = *outcome;
  } else {
    reply["result"] = nullptr;  // praxis always sends "result"
    reply["error"] = error_object(outcome.error());
  }
  return reply;
}

json::value make_tool_reply(const json::value& id, result<json::value>&& outcome) {
  if (!outcome) return make_tool_reply(id, std::as_const(outcome));
  json::object reply;
  reply.reserve(2);
  reply.emplace("id", id);
  reply.emplace("result", std::move(*outcome));
  return reply;
}

namespace {

// Both overloads: a const reply gives a copy of its result, a reply we own
// gives up its result.
template <class Value>
result<json::value> reply_outcome(Value& reply, std::string_view expected_id) {
  if (!reply.is_object()) return make_error(errc::protocol_error, "a tool reply must be a JSON object");
  auto& o = reply.get_object();
  if (auto* id = o.if_contains("id"); id && id->is_string() && !expected_id.empty() && id->get_string() != expected_id)
    return make_error(errc::protocol_error, "the tool reply answers request \"" + std::string(id->get_string()) +
                                                "\", not \"" + std::string(expected_id) + "\"");
  if (auto* err = o.if_contains("error"); err && !err->is_null()) {
    if (!err->is_object()) return make_error(errc::protocol_error, "\"error\" must be an object");
    const auto& e = err->get_object();
    int code = tools::rpc::internal_error;
    if (auto* c = e.if_contains("code"); c && c->is_int64() && c->get_int64() >= INT32_MIN && c->get_int64() <= INT32_MAX)
      code = static_cast<int>(c->get_int64());
    std::string message = "remote error";
    if (auto* m = e.if_contains("message"); m && m->is_string()) message = std::string(m->get_string());
    return tools::from_rpc(code, std::move(message));
  }
  auto* result = o.if_contains("result");
  if (!result) return json::value(nullptr);
  // praxis's in-result failures: {"status":"error","error":"..."} and
  // {"status":"unknown_tool","error":"Tool x not found"}.
  if (result->is_object()) {
    const auto& r = result->get_object();
    auto* status = r.if_contains("status");
    auto* text = r.if_contains("error");
    if (status && status->is_string() && text && (status->get_string() == "error" || status->get_string() == "unknown_tool")) {
      std::string message = text->is_string() ? std::string(text->get_string()) : json::serialize(*text);
      if (status->get_string() == "unknown_tool") return make_error(errc::not_found, std::move(message));
      return tools::from_rpc(tools::rpc::internal_error, std::move(message));
    }
  }
  if constexpr (std::is_const_v<Value>) return *result;
  else return std::move(*result);
}

}  // namespace

result<json::value> parse_tool_reply(const json::value& reply, std::string_view expected_id) {
  return reply_outcome(reply, expected_id);
}

result<json::value> parse_tool_reply(json::value&& reply, std::string_view expected_id) {
  return reply_outcome(reply, expected_id);
}

}  // namespace agentp2p::praxis
