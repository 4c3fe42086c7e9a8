#include "agentp2p/agent/praxis/tool_protocol.hpp"

#include <chrono>

#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/exchange.hpp"
#include "agentp2p/agent/praxis/watch.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::praxis {

namespace json = boost::json;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json::object error_object(const agentp2p::error& e) {
  json::object err;
  err["code"] = tools::rpc_code(e);
  err["message"] = e.message.empty() ? e.code.message() : e.message;
  return err;
}

}  // namespace

// ---- the messages ---------------------------------------------------------------

result<tool_request> parse_tool_request(const json::value& v) {
  if (!v.is_object()) return make_error(errc::protocol_error, "a tool request must be a JSON object");
  const auto& o = v.get_object();
  tool_request r;
  if (auto* id = o.if_contains("id")) r.id = *id;
  auto* name = o.if_contains("name");
  if (!name || !name->is_string() || name->get_string().empty())
    return make_error(errc::protocol_error, "a tool request needs a \"name\" string");
  r.name = std::string(name->get_string());
  if (auto* args = o.if_contains("arguments"); args && !args->is_null()) {
    if (!args->is_object()) return make_error(errc::invalid_argument, "\"arguments\" must be a JSON object");
    r.arguments = args->get_object();
  }
  if (auto* ts = o.if_contains("timestamp"); ts && ts->is_int64()) r.timestamp = ts->get_int64();
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

result<json::value> parse_tool_reply(const json::value& reply, std::string_view expected_id) {
  if (!reply.is_object()) return make_error(errc::protocol_error, "a tool reply must be a JSON object");
  const auto& o = reply.get_object();
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
  const json::value* result = o.if_contains("result");
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
  return *result;
}

// ---- server -----------------------------------------------------------------------

void serve_tool_protocol(host::host& h, std::shared_ptr<tools::registry> reg, server_config cfg) {
  std::weak_ptr<tools::registry> weak = reg;
  h.set_stream_handler(std::string(tool_protocol_id), [weak, cfg](std::shared_ptr<host::stream> s) -> awaitable<void> {
    return serve_tool_stream(weak.lock(), std::move(s), cfg);
  });
}

namespace {

// The reply to one request line (or to the error reading it).
awaitable<std::optional<json::value>> answer(std::shared_ptr<tools::registry> reg, host::stream& s,
                                            agent::json_line_reader& reader, result<json::value> line) {
  if (!line) {
    const auto& e = line.error();
    if (e.is(errc::decode_error) || e.is(errc::too_large)) co_return make_tool_reply(nullptr, line.error());
    co_return std::nullopt;  // nothing to answer: EOF, reset, idle timeout
  }
  auto req = parse_tool_request(*line);
  if (!req) co_return make_tool_reply(line->is_object() && line->get_object().contains("id") ? line->at("id") : json::value(), req.error());
  tools::call_options opts;
  opts.caller = s.remote_peer().to_string();
  backlog ignored;  // one call per stream: later lines are read (to notice a reset) and dropped
  auto outcome = co_await run_watching(reg->call(req->name, std::move(req->arguments), std::move(opts)), reader,
                                       ignored, 1);
  if (ignored.failure) {
    log::debug("tool caller " + s.remote_peer().short_string() + " went away during \"" + req->name + "\"");
    co_return std::nullopt;
  }
  co_return make_tool_reply(req->id, outcome);
}

}  // namespace

awaitable<void> serve_tool_stream(std::shared_ptr<tools::registry> reg, std::shared_ptr<host::stream> s,
                                  server_config cfg) {
  if (!reg) {
    s->reset();
    co_return;
  }
  agent::json_line_reader reader(*s, cfg.max_line);
  auto line = co_await with_deadline(reader.read(), cfg.idle_timeout, "waiting for a tool request");
  auto reply = co_await answer(reg, *s, reader, std::move(line));
  if (!reply) {
    s->reset();
    co_return;
  }
  auto sent = co_await with_deadline(agent::write_json_line(*s, *reply), cfg.write_timeout, "writing a tool reply");
  if (!sent) {
    s->reset();
    co_return;
  }
  co_await card::finish_stream(*s, cfg.linger);
}

// ---- client -----------------------------------------------------------------------

namespace {

// Our side stays open until the reply is in (as praxis-go does): the server
// watches its read side for a reset to cancel the call, which it can only
// see while that side is open.
awaitable<result<json::value>> round_trip(host::stream& s, json::value request, std::size_t max_line) {
  AP_CO_TRYV(co_await agent::write_json_line(s, request));
  agent::json_line_reader reader(s, max_line);
  auto reply = co_await reader.read();
  if (!reply && reply.error().is(errc::end_of_stream))
    co_return make_error(errc::protocol_error, "the peer closed the stream without a reply");
  co_return reply;
}

}  // namespace

awaitable<result<json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                json::object arguments, client_config cfg) {
  const auto start = std::chrono::steady_clock::now();
  const std::string what = "tool \"" + name + "\" on " + peer.to_string();
  auto opened = co_await with_deadline(h.new_stream(peer, tool_protocol_id), cfg.deadline, "opening a stream for " + what);
  if (!opened) co_return std::move(opened).error();
  auto s = std::move(*opened);

  const auto id = std::to_string(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  json::object request;
  request["id"] = id;
  request["name"] = name;
  request["arguments"] = std::move(arguments);
  request["timestamp"] = unix_now();

  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.deadline - (std::chrono::steady_clock::now() - start));
  if (left <= std::chrono::milliseconds::zero()) left = std::chrono::milliseconds(1);
  auto reply = co_await with_deadline(round_trip(*s, std::move(request), cfg.max_line), left, what);
  if (!reply) {
    s->reset();  // tells the remote to stop working on it
    co_return std::move(reply).error();
  }
  co_await card::finish_stream(*s, cfg.linger);
  co_return parse_tool_reply(*reply, id);
}

awaitable<result<json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                json::object arguments) {
  return call_remote_tool(h, std::move(peer), std::move(name), std::move(arguments), client_config());
}

}  // namespace agentp2p::praxis
