#include "agentp2p/agent/a2a/jsonrpc.hpp"

#include <boost/json/parse.hpp>
#include <cstdint>

#include "agentp2p/agent/a2a/errors.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

json::value error_reply(const json::value& id, rpc_errc code, std::string_view message) {
  return make_error(id, static_cast<int>(code), message);
}

bool valid_id(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

}  // namespace


namespace {

// Both entry points: `steal` moves params out of `v` (a tree parsed for this
// request alone) instead of copying them (a deep copy: ~4k instructions for
// a small SendMessage).
parsed_request request_from(json::value& v, bool steal) {
  if (v.is_array())
    return error_reply(nullptr, rpc_errc::invalid_request,
                       "batch requests are not supported; send one request per line");
  auto* o = v.if_object();
  if (!o) return error_reply(nullptr, rpc_errc::invalid_request, "a JSON-RPC request must be an object");
  json::value id = nullptr;
  if (auto it = o->find("id"); it != o->end() && valid_id(it->value())) id = it->value();
  if (auto it = o->find("jsonrpc"); it == o->end() || !it->value().is_string() || it->value().get_string() != "2.0")
    return error_reply(id, rpc_errc::invalid_request, "\"jsonrpc\" must be \"2.0\"");
  auto m = o->find("method");
  if (m == o->end() || !m->value().is_string() || m->value().get_string().empty())
    return error_reply(id, rpc_errc::invalid_request, "\"method\" must be a non-empty string");
  auto idit = o->find("id");
  if (idit == o->end() || idit->value().is_null())
    // A2A defines no notifications; answering beats leaving a client waiting.
    return error_reply(nullptr, rpc_errc::invalid_request, "\"id\" is required (a string or an integer)");
  if (!valid_id(idit->value()))
    return error_reply(nullptr, rpc_errc::invalid_request, "\"id\" must be a string or an integer");
  rpc_request req;
  req.id = id;
  req.method = std::string(m->value().get_string());
  if (auto p = o->find("params"); p != o->end() && !p->value().is_null()) {
    auto* po = p->value().if_object();
    if (!po) return error_reply(id, rpc_errc::invalid_params, "\"params\" must be an object");
    if (steal)
      req.params = std::move(*po);
    else
      req.params = *po;
  }
  return req;
}

}  // namespace

parsed_request parse_request_value(const json::value& v) {
  // Not stolen from: const_cast only to share the code path.
  return request_from(const_cast<json::value&>(v), false);
}

parsed_request parse_request(std::string_view text) {
  json::parse_options opts;
  opts.max_depth = 64;
  boost::system::error_code ec;
  auto v = json::parse(text, ec, json::storage_ptr(), opts);
  if (ec) return error_reply(nullptr, rpc_errc::parse_error, "invalid JSON payload: " + ec.message());
  return request_from(v, true);
}

json::value make_request(const json::value& id, std::string_view method, json::object params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["method"] = method;
  o["params"] = std::move(params);
  return o;
}

json::value make_result(const json::value& id, json::value result) {
  json::object o;
  o.reserve(3);  // no rehash while filling
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["result"] = std::move(result);
  return o;
}

json::value make_error(const json::value& id, int code, std::string_view message) {
  json::object err;
  err["code"] = code;
  err["message"] = message;
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["error"] = std::move(err);
  return o;
}

json::value make_error(const json::value& id, const agentp2p::error& e) {
  int code = rpc_code(e);
  std::string msg = e.message.empty() ? e.code.message() : e.message;
  return make_error(id, code, msg);
}

result<rpc_response> parse_response(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return agentp2p::error(errc::protocol_error, "a2a: the response is not a JSON object");
  rpc_response r;
  if (auto it = o->find("id"); it != o->end()) r.id = it->value();
  if (auto e = o->find("error"); e != o->end()) {
    const auto* eo = e->value().if_object();
    if (!eo) return agentp2p::error(errc::protocol_error, "a2a: \"error\" is not an object");
    int code = static_cast<int>(rpc_errc::internal_error);
    if (auto c = eo->find("code"); c != eo->end() && c->value().is_int64() && c->value().get_int64() >= INT32_MIN &&
                                   c->value().get_int64() <= INT32_MAX)
      code = static_cast<int>(c->value().get_int64());
    std::string msg;
    if (auto m = eo->find("message"); m != eo->end() && m->value().is_string()) msg = m->value().get_string();
    r.outcome = agentp2p::error(std::error_code(code, rpc_category()), msg);
    return r;
  }
  auto res = o->find("result");
  if (res == o->end()) return agentp2p::error(errc::protocol_error, "a2a: the response has neither result nor error");
  r.outcome = res->value();
  return r;
}

}  // namespace agentp2p::a2a
