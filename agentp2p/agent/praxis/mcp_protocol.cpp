#include "agentp2p/agent/praxis/mcp_protocol.hpp"

#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/agent/card/exchange.hpp"
#include "agentp2p/agent/praxis/watch.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::praxis {

namespace json = boost::json;

// ---- listings and results --------------------------------------------------------

json::value praxis_tool_list(const tools::registry& reg) {
  json::array out;
  for (const auto& def : reg.list()) {
    auto spec = card::to_json(card::spec_of(def));
    spec.get_object()["inputSchema"] = def.input_schema;
    out.emplace_back(std::move(spec));
  }
  return out;
}

json::value mcp_tool_list(const tools::registry& reg) {
  json::array tools;
  for (const auto& def : reg.list()) {
    json::object t;
    t["name"] = def.name;
    t["description"] = def.description;
    t["inputSchema"] = def.input_schema;
    if (def.output_schema) t["outputSchema"] = *def.output_schema;
    if (def.annotations) t["annotations"] = *def.annotations;
    tools.emplace_back(std::move(t));
  }
  json::object out;
  out["tools"] = std::move(tools);
  return out;
}

json::value mcp_call_result(const result<json::value>& outcome) {
  json::object text;
  text["type"] = "text";
  json::object out;
  if (outcome) {
    text["text"] = outcome->is_string() ? json::value(outcome->get_string()) : json::value(json::serialize(*outcome));
    if (outcome->is_object()) out["structuredContent"] = *outcome;
  } else {
    text["text"] = outcome.error().message;
  }
  json::array content;
  content.emplace_back(std::move(text));
  out["content"] = std::move(content);
  out["isError"] = !outcome;
  return out;
}

// ---- server ---------------------------------------------------------------------

void serve_mcp_protocol(host::host& h, std::shared_ptr<tools::registry> reg, server_config cfg) {
  std::weak_ptr<tools::registry> weak = reg;
  h.set_stream_handler(std::string(mcp_protocol_id), [weak, cfg](std::shared_ptr<host::stream> s) -> awaitable<void> {
    return serve_mcp_stream(weak.lock(), std::move(s), cfg);
  });
}

namespace {

json::object error_object(const agentp2p::error& e) {
  json::object err;
  err["code"] = tools::rpc_code(e);
  err["message"] = e.message;
  return err;
}

json::object response_to(const json::value& id, std::string_view method) {
  json::object r;
  r["type"] = "response";
  r["id"] = id;
  r["method"] = method;
  r["params"] = nullptr;
  return r;
}

// What one stream's requests share.
// (A constructor, not aggregate braces: GCC 12 miscompiles braced
// initializers that live across a co_await.)
struct session {
  session(std::shared_ptr<tools::registry> r, host::stream& st, agent::json_line_reader& rd, backlog& p,
          const server_config& c)
      : reg(std::move(r)), stream(st), reader(rd), pending(p), cfg(c) {}
  std::shared_ptr<tools::registry> reg;
  host::stream& stream;
  agent::json_line_reader& reader;
  backlog& pending;
  const server_config& cfg;
};

struct call_target {
  std::string name;
  json::object arguments;
};

result<call_target> call_target_of(const json::value* params) {
  if (!params || !params->is_object()) return make_error(errc::invalid_argument, "params must be {\"name\", \"arguments\"}");
  const auto& p = params->get_object();
  auto* name = p.if_contains("name");
  if (!name || !name->is_string()) return make_error(errc::invalid_argument, "params.name must be a string");
  call_target t{std::string(name->get_string()), {}};
  if (auto* args = p.if_contains("arguments"); args && !args->is_null()) {
    if (!args->is_object()) return make_error(errc::invalid_argument, "params.arguments must be an object");
    t.arguments = args->get_object();
  }
  return t;
}

awaitable<result<json::value>> call_tool(session& s, call_target t) {
  tools::call_options opts;
  opts.caller = s.stream.remote_peer().to_string();
  co_return co_await run_watching(s.reg->call(std::move(t.name), std::move(t.arguments), std::move(opts)), s.reader,
                                  s.pending, s.cfg.max_pipelined);
}

// mcp.execute: params is itself an MCP request.
awaitable<result<json::value>> mcp_execute(session& s, const json::value* params) {
  if (!params || !params->is_object()) co_return make_error(errc::invalid_argument, "params must be an MCP request object");
  const auto& req = params->get_object();
  auto* method = req.if_contains("method");
  if (!method || !method->is_string()) co_return make_error(errc::invalid_argument, "params.method must be a string");
  const std::string_view m = method->get_string();
  if (m == "tools/list") co_return mcp_tool_list(*s.reg);
  if (m == "ping") co_return json::object();
  if (m == "tools/call") {
    auto target = call_target_of(req.if_contains("params"));
    if (!target) co_return std::move(target).error();
    auto outcome = co_await call_tool(s, std::move(*target));
    if (!outcome) {
      const int code = tools::rpc_code(outcome.error());
      // Not a tool outcome: the call never ran (or nobody is listening).
      if (code == tools::rpc::method_not_found || code == tools::rpc::invalid_params || s.pending.failure)
        co_return std::move(outcome).error();
    }
    co_return mcp_call_result(outcome);
  }
  if (s.cfg.mcp_fallback && *s.cfg.mcp_fallback) {
    json::value inner = req.contains("params") ? req.at("params") : json::value();
    auto fallback = *s.cfg.mcp_fallback;  // a copy: the call outlives nothing it needs
    co_return co_await fallback(std::string(m), std::move(inner));
  }
  co_return make_error(errc::not_found, "unknown MCP method \"" + std::string(m.substr(0, 128)) + "\"");
}

// The response to one message (a parse error included).
awaitable<json::value> respond(session& s, result<json::value> msg) {
  if (!msg) {
    auto r = response_to(nullptr, "");
    r["error"] = error_object(msg.error());
    co_return r;
  }
  if (!msg->is_object()) {
    auto r = response_to(nullptr, "");
    r["error"] = error_object(make_error(errc::protocol_error, "a message must be a JSON object"));
    co_return r;
  }
  const auto& o = msg->get_object();
  json::value id = o.contains("id") ? o.at("id") : json::value();
  auto* method = o.if_contains("method");
  const std::string name = method && method->is_string() ? std::string(method->get_string()).substr(0, 128) : "";
  auto r = response_to(id, name);
  const json::value* params = o.if_contains("params");

  result<json::value> outcome;
  if (auto* type = o.if_contains("type"); type && !(type->is_string() && type->get_string() == "request")) {
    outcome = make_error(errc::protocol_error, "expected a message of type \"request\"");
  } else if (!method || !method->is_string()) {
    outcome = make_error(errc::protocol_error, "a request needs a \"method\" string");
  } else if (name == "tools.list") {
    outcome = praxis_tool_list(*s.reg);
  } else if (name == "tool.invoke") {
    auto target = call_target_of(params);
    if (target) outcome = co_await call_tool(s, std::move(*target));
    else outcome = std::move(target).error();
  } else if (name == "mcp.execute") {
    outcome = co_await mcp_execute(s, params);
  } else {
    outcome = make_error(errc::not_found, "method not found: \"" + name + "\"");
  }
  if (outcome) r["result"] = std::move(*outcome);
  else r["error"] = error_object(outcome.error());
  co_return r;
}

awaitable<result<json::value>> next_message(session& s) {
  if (!s.pending.lines.empty()) {
    auto line = std::move(s.pending.lines.front());
    s.pending.lines.pop_front();
    co_return line;
  }
  if (s.pending.eof) co_return make_error(errc::end_of_stream, "caller closed the stream");
  co_return co_await with_deadline(s.reader.read(), s.cfg.idle_timeout, "idle MCP stream");
}

}  // namespace

awaitable<void> serve_mcp_stream(std::shared_ptr<tools::registry> reg, std::shared_ptr<host::stream> s,
                                 server_config cfg) {
  if (!reg) {
    s->reset();
    co_return;
  }
  agent::json_line_reader reader(*s, cfg.max_line);
  backlog pending;
  session ss(reg, *s, reader, pending, cfg);
  for (std::size_t served = 0;; ++served) {
    auto msg = co_await next_message(ss);
    if (!msg && !msg.error().is(errc::decode_error) && !msg.error().is(errc::too_large)) {
      if (msg.error().is(errc::end_of_stream)) break;
      log::debug("MCP stream from " + s->remote_peer().short_string() + " ends: " + msg.error().what());
      s->reset();  // idle, reset or broken
      co_return;
    }
    json::value reply;
    bool last = false;
    if (served == cfg.max_requests_per_stream) {
      reply = response_to(nullptr, "");
      reply.get_object()["error"] = error_object(make_error(
          errc::limit_exceeded, "more than " + std::to_string(cfg.max_requests_per_stream) +
                                    " requests on one stream; open a new stream"));
      last = true;
    } else {
      reply = co_await respond(ss, std::move(msg));
    }
    if (pending.failure) {  // the caller went away mid-call
      s->reset();
      co_return;
    }
    auto sent = co_await with_deadline(agent::write_json_line(*s, reply), cfg.write_timeout, "writing an MCP reply");
    if (!sent) {
      s->reset();
      co_return;
    }
    if (last) break;
  }
  co_await core::finish(*s, cfg.linger);
}

// ---- client ---------------------------------------------------------------------

struct mcp_client::impl {
  impl(std::shared_ptr<host::stream> s, client_config c) : stream(std::move(s)), reader(*stream, c.max_line), cfg(c) {}
  std::shared_ptr<host::stream> stream;
  agent::json_line_reader reader;
  client_config cfg;
  std::uint64_t next_id = 1;
};

mcp_client::mcp_client(std::unique_ptr<impl> p) : stream_(p->stream), impl_(std::move(p)) {}

mcp_client::~mcp_client() = default;

awaitable<result<std::unique_ptr<mcp_client>>> mcp_client::open(host::host& h, crypto::peer_id peer, client_config cfg) {
  AP_CO_TRY(auto s, co_await with_deadline(h.new_stream(peer, mcp_protocol_id), cfg.deadline,
                                           "opening " + std::string(mcp_protocol_id) + " to " + peer.to_string()));
  co_return std::unique_ptr<mcp_client>(new mcp_client(std::make_unique<impl>(std::move(s), cfg)));
}

namespace {

awaitable<result<json::value>> exchange(host::stream& s, agent::json_line_reader& reader, json::value msg) {
  AP_CO_TRYV(co_await agent::write_json_line(s, msg));
  co_return co_await reader.read();
}

}  // namespace

awaitable<result<json::object>> mcp_client::send(std::string method, json::value params) {
  const auto id = std::to_string(impl_->next_id++);
  json::object msg;
  msg["type"] = "request";
  msg["id"] = id;
  msg["method"] = method;
  msg["params"] = std::move(params);
  auto reply = co_await with_deadline(exchange(*impl_->stream, impl_->reader, std::move(msg)), impl_->cfg.deadline,
                                      "MCP request " + method);
  if (!reply) co_return std::move(reply).error();
  if (!reply->is_object()) co_return make_error(errc::protocol_error, "MCP response is not an object");
  co_return std::move(reply->get_object());
}

awaitable<result<json::value>> mcp_client::request(std::string method, json::value params) {
  AP_CO_TRY(auto reply, co_await send(std::move(method), std::move(params)));
  if (auto* err = reply.if_contains("error"); err && err->is_object()) {
    const auto& e = err->get_object();
    int code = tools::rpc::internal_error;
    if (auto* c = e.if_contains("code"); c && c->is_int64()) code = static_cast<int>(c->get_int64());
    std::string message = "remote error";
    if (auto* m = e.if_contains("message"); m && m->is_string()) message = std::string(m->get_string());
    co_return tools::from_rpc(code, std::move(message));
  }
  if (auto* r = reply.if_contains("result")) co_return *r;
  co_return json::value(nullptr);
}

awaitable<void> mcp_client::close() { co_await core::finish(*impl_->stream, impl_->cfg.linger); }

}  // namespace agentp2p::praxis
