#include "agentp2p/agent/praxis/tool_protocol.hpp"

#include <chrono>

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

}  // namespace

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
  co_await core::finish(*s, cfg.linger);
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

namespace {

json::object make_request(const std::string& id, const std::string& name, json::object arguments) {
  json::object request;
  request["id"] = id;
  request["name"] = name;
  request["arguments"] = std::move(arguments);
  request["timestamp"] = unix_now();
  return request;
}

// Opens the stream (left in `opened`, so the caller can reset it) and
// exchanges the request and the reply: one deadline covers both.
awaitable<result<json::value>> open_and_call(host::host& h, crypto::peer_id peer, json::value request,
                                             std::size_t max_line, std::shared_ptr<host::stream>& opened) {
  AP_CO_TRY(opened, co_await h.new_stream(peer, tool_protocol_id));
  co_return co_await round_trip(*opened, std::move(request), max_line);
}

}  // namespace

awaitable<result<json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                json::object arguments, client_config cfg) {
  const auto id = std::to_string(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::shared_ptr<host::stream> s;
  // (One deadline for the whole call: each with_deadline is a timer and a
  // parallel group, a visible part of a call's cost.)
  auto reply = co_await with_deadline(open_and_call(h, peer, make_request(id, name, std::move(arguments)), cfg.max_line, s),
                                      cfg.deadline, "the call");
  if (!reply) {
    if (s) s->reset();  // tells the remote to stop working on it
    auto e = std::move(reply).error();
    // The description names the tool and the peer; built only on failure.
    e.message = "tool \"" + name + "\" on " + peer.to_string() + ": " + (s ? "" : "opening a stream: ") + e.message;
    co_return e;
  }
  co_await core::finish(*s, cfg.linger);
  co_return parse_tool_reply(*reply, id);
}

awaitable<result<json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                json::object arguments) {
  return call_remote_tool(h, std::move(peer), std::move(name), std::move(arguments), client_config());
}

}  // namespace agentp2p::praxis
