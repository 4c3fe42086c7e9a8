#include "agentp2p/agent/praxis/tool_protocol.hpp"

#include <chrono>

#include "agentp2p/agent/card/exchange.hpp"
#include "agentp2p/agent/praxis/watch.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/deadline_queue.hpp"
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
  h.set_stream_handler(std::string(tool_protocol_id), [weak, cfg, q = h.deadlines()](std::shared_ptr<host::stream> s) -> awaitable<void> {
    return serve_tool_stream(weak.lock(), std::move(s), cfg, q);
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
  auto req = parse_tool_request(std::move(*line));
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
  co_return make_tool_reply(req->id, std::move(outcome));
}

// core::finish with the stream's own deadline instead of a with_deadline:
// close our side (within what is left of `limit`'s current wait), then wait
// at most `linger` for the peer to close its side; reset on any failure.
awaitable<void> finish(host::stream& s, deadline& limit, std::chrono::milliseconds linger) {
  auto closed = co_await s.close_write();
  if (!closed) {
    s.reset();
    co_return;
  }
  limit.arm(linger, "waiting for the peer to close");
  auto drained = co_await core::drain(s);
  limit.disarm();
  if (!drained) s.reset();
}

}  // namespace

awaitable<void> serve_tool_stream(std::shared_ptr<tools::registry> reg, std::shared_ptr<host::stream> s,
                                  server_config cfg) {
  return serve_tool_stream(std::move(reg), s, std::move(cfg), deadline_queue::create(s->get_executor()));
}

awaitable<void> serve_tool_stream(std::shared_ptr<tools::registry> reg, std::shared_ptr<host::stream> s,
                                  server_config cfg, std::shared_ptr<deadline_queue> deadlines) {
  if (!reg) {
    s->reset();
    co_return;
  }
  // One deadline for the stream's waits (a timed-out wait resets the stream,
  // which is what each of them did on timeout anyway); the registry bounds
  // the call itself.
  resetting_deadline<host::stream> limit(std::move(deadlines), *s);
  agent::json_line_reader reader(*s, cfg.max_line);
  limit.arm(cfg.idle_timeout, "waiting for a tool request");
  auto line = co_await reader.read();
  limit.disarm();
  if (!line && limit.expired()) line = limit.timeout_error();
  auto reply = co_await answer(reg, *s, reader, std::move(line));
  if (!reply) {
    s->reset();
    co_return;
  }
  limit.arm(cfg.write_timeout, "writing a tool reply");
  auto sent = co_await agent::write_json_line(*s, *reply);
  if (!sent) {
    s->reset();
    co_return;
  }
  co_await finish(*s, limit, cfg.linger);
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

}  // namespace

awaitable<result<json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                json::object arguments, client_config cfg) {
  const auto started = std::chrono::steady_clock::now();
  const auto id = std::to_string(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  auto failed = [&](error e, bool opened) {
    // The description names the tool and the peer; built only on failure.
    e.message = "tool \"" + name + "\" on " + peer.to_string() + ": " + (opened ? "" : "opening a stream: ") + e.message;
    return e;
  };
  auto conn = h.open_connection(peer);
  const bool dialed = !conn;
  if (dialed) {
    auto dialed = co_await with_deadline(h.connect(peer), cfg.deadline, "the call");
    if (!dialed) co_return failed(std::move(dialed).error(), false);
    conn = std::move(*dialed);
  }
  // Lazy select: the proposal goes out with the request, and a peer that
  // does not serve the tool protocol answers the first read with "na".
  auto opened = co_await h.new_stream_lazy(conn, tool_protocol_id);
  if (!opened) co_return failed(std::move(opened).error(), false);
  auto s = std::move(*opened);
  // One deadline for the whole call (what is left of it after a dial): it
  // resets the stream, which tells the remote to stop working on it.
  resetting_deadline<host::stream> limit(h.deadlines(), *s);
  // (A fixed limit when there was no dial: deadlines of one length share a
  // lane of the queue.)
  limit.arm(dialed ? cfg.deadline - (std::chrono::steady_clock::now() - started) : duration(cfg.deadline), "the call");
  auto reply = co_await round_trip(*s, make_request(id, name, std::move(arguments)), cfg.max_line);
  if (!reply) {
    auto e = limit.expired() ? limit.timeout_error() : std::move(reply).error();
    s->reset();
    co_return failed(std::move(e), true);
  }
  co_await finish(*s, limit, cfg.linger);
  co_return parse_tool_reply(std::move(*reply), id);
}

awaitable<result<json::value>> call_remote_tool(host::host& h, crypto::peer_id peer, std::string name,
                                                json::object arguments) {
  return call_remote_tool(h, std::move(peer), std::move(name), std::move(arguments), client_config());
}

}  // namespace agentp2p::praxis
