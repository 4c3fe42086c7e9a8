#include "agentp2p/agent/a2a/client.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/agent/a2a/jsonrpc.hpp"
#include "agentp2p/agent/a2a/params.hpp"
#include "agentp2p/base/deadline.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

enum which_method { m_send, m_stream, m_get, m_cancel, m_subscribe, m_list, m_card };

// Built outside coroutines (GCC 12 and braced lists across co_await).
json::object send_params_json(const message& m, const send_options& o, dialect d) {
  json::object cfg;
  if (d == dialect::v0_3)
    cfg["blocking"] = o.blocking;
  else
    cfg["returnImmediately"] = !o.blocking;
  if (o.history_length) cfg["historyLength"] = *o.history_length;
  json::object p;
  p["message"] = to_json(m, d);
  p["configuration"] = std::move(cfg);
  return p;
}

json::object id_params_json(const std::string& id, std::optional<std::size_t> history_length) {
  json::object p;
  p["id"] = id;
  if (history_length) p["historyLength"] = *history_length;
  return p;
}

json::object list_params_json(const list_request& q) {
  json::object p;
  if (!q.context_id.empty()) p["contextId"] = q.context_id;
  if (q.state) p["status"] = state_name(*q.state, dialect::v1_0);
  if (q.page_size) p["pageSize"] = q.page_size;
  if (!q.page_token.empty()) p["pageToken"] = q.page_token;
  if (q.history_length) p["historyLength"] = q.history_length;
  if (q.include_artifacts) p["includeArtifacts"] = true;
  return p;
}

json::value card_request_json() {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return json::object{{"type", "request_card"}, {"timestamp", secs.count()}};
}

json::value card_offer_json(json::object card) {
  return json::object{{"type", "card_offer"}, {"card", std::move(card)}};
}

// The "type" of a card protocol message; "" when there is none.
std::string type_of(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return {};
  auto t = o->find("type");
  if (t == o->end() || !t->value().is_string()) return {};
  return std::string(t->value().get_string());
}

agentp2p::error host_gone() { return {errc::closed, "a2a client: the host is gone"}; }

result<task> to_task(result<json::value> r, const parse_limits& lim) {
  if (!r) return std::move(r).error();
  // SendMessage (1.0) wraps the task ({"task": ..}); everything else returns it bare.
  const auto* o = r->if_object();
  if (o && !o->contains("id") && o->contains("task")) return parse_task(o->at("task"), lim);
  return parse_task(*r, lim);
}

// SendMessage's answer: 1.0 wraps it ({"task": ..} or {"message": ..}); 0.3
// returns it bare, a message told apart by its messageId (a task has an id).
result<send_reply> to_send_reply(result<json::value> r, const parse_limits& lim) {
  if (!r) return std::move(r).error();
  if (const auto* o = r->if_object(); o && !o->contains("id")) {
    const json::value* m = o->if_contains("message");
    if (!m && o->contains("messageId")) m = &*r;
    if (m) {
      AP_TRY(auto reply, parse_message(*m, lim));
      return send_reply{std::move(reply)};
    }
  }
  AP_TRY(auto t, to_task(std::move(r), lim));
  return send_reply{std::move(t)};
}

result<list_response> to_list(result<json::value> r, const parse_limits& lim) {
  if (!r) return std::move(r).error();
  const auto* o = r->if_object();
  if (!o) return agentp2p::error(errc::protocol_error, "a2a: ListTasks result is not an object");
  list_response out;
  if (auto it = o->find("tasks"); it != o->end() && it->value().is_array()) {
    for (const auto& v : it->value().get_array()) {
      AP_TRY(auto t, parse_task(v, lim));
      out.tasks.push_back(std::move(t));
    }
  }
  if (auto it = o->find("nextPageToken"); it != o->end() && it->value().is_string())
    out.next_page_token = it->value().get_string();
  if (auto it = o->find("pageSize"); it != o->end() && it->value().is_int64())
    out.page_size = static_cast<std::size_t>(it->value().get_int64());
  if (auto it = o->find("totalSize"); it != o->end() && it->value().is_int64())
    out.total_size = static_cast<std::size_t>(it->value().get_int64());
  return out;
}

// How long we wait for the peer's FIN once we have what we asked for.
constexpr std::chrono::seconds fin_wait{1};

// Reads what is left until the peer's FIN, so the stream ends cleanly
// instead of being reset under a peer that may still write.
awaitable<result<void>> drain(agent::json_line_reader& reader) {
  for (;;) {
    auto l = co_await reader.read_line();
    if (!l) co_return ok();
  }
}

// One request on a fresh stream, one response back.
awaitable<result<json::value>> call_on(std::shared_ptr<host::stream> s, json::value request, std::size_t max_line) {
  AP_CO_TRYV(co_await agent::write_json_line(*s, request));
  AP_CO_TRYV(co_await s->close_write());
  agent::json_line_reader reader(*s, max_line);
  AP_CO_TRY(auto v, co_await reader.read());
  (void)co_await with_deadline(drain(reader), fin_wait, "a2a: waiting for the end of the stream");
  co_return v;
}

result<json::value> outcome_of(result<json::value> v, const json::value& id) {
  if (!v) return std::move(v).error();
  AP_TRY(auto resp, parse_response(*v));
  if (resp.id != id) return agentp2p::error(errc::protocol_error, "a2a: the peer answered another request id");
  return std::move(resp.outcome);
}

}  // namespace

// --- event_stream ---------------------------------------------------------------

struct event_stream::state {
  std::shared_ptr<host::stream> stream;
  agent::json_line_reader reader;
  json::value id;
  std::chrono::milliseconds timeout;
  parse_limits limits;
  bool done = false;
  bool drained = false;

  state(std::shared_ptr<host::stream> s, std::size_t max_line, json::value i, std::chrono::milliseconds t,
        parse_limits l)
      : stream(std::move(s)), reader(*stream, max_line), id(std::move(i)), timeout(t), limits(l) {}
};

event_stream::event_stream(std::unique_ptr<state> s) : state_(std::move(s)) {}
event_stream::event_stream(event_stream&&) noexcept = default;
event_stream& event_stream::operator=(event_stream&&) noexcept = default;

event_stream::~event_stream() {
  if (state_ && !state_->done) state_->stream->reset();
}

awaitable<result<std::optional<stream_item>>> event_stream::next() {
  auto& st = *state_;
  if (st.done) {
    if (!st.drained) {
      st.drained = true;
      (void)co_await with_deadline(drain(st.reader), fin_wait, "a2a: waiting for the end of the stream");
    }
    co_return std::optional<stream_item>();
  }
  auto v = co_await with_deadline(st.reader.read(), st.timeout, "a2a: waiting for a stream item");
  if (!v && v.error().is(errc::end_of_stream))
    v = agentp2p::error(errc::protocol_error, "a2a: the peer ended the stream before the task's turn ended");
  auto outcome = outcome_of(std::move(v), st.id);
  if (!outcome) {
    st.done = true;
    st.stream->reset();
    co_return std::move(outcome).error();
  }
  auto item = parse_stream_item(*outcome, st.limits);
  if (!item) {
    st.done = true;
    st.stream->reset();
    co_return std::move(item).error();
  }
  if (std::holds_alternative<message>(*item)) st.done = true;
  if (auto* s = std::get_if<status_update>(&*item); s && (s->final || ends_turn(s->status.state))) st.done = true;
  if (auto* t = std::get_if<task>(&*item); t && is_terminal(t->status.state)) st.done = true;
  co_return std::optional<stream_item>(std::move(*item));
}

// --- client ------------------------------------------------------------------------

client::client(std::shared_ptr<host::host> h, client_config cfg) : host_(h), config_(cfg) {}

const char* client::method_name(int which) const {
  bool v03 = config_.version == dialect::v0_3;
  switch (which) {
    case m_send:
      return v03 ? "message/send" : "SendMessage";
    case m_stream:
      return v03 ? "message/stream" : "SendStreamingMessage";
    case m_get:
      return v03 ? "tasks/get" : "GetTask";
    case m_cancel:
      return v03 ? "tasks/cancel" : "CancelTask";
    case m_subscribe:
      return v03 ? "tasks/resubscribe" : "SubscribeToTask";
    case m_list:
      return v03 ? "tasks/list" : "ListTasks";
    case m_card:
      return v03 ? "agent/getAuthenticatedExtendedCard" : "GetExtendedAgentCard";
  }
  return "";
}

awaitable<result<json::value>> client::call(const crypto::peer_id& peer, std::string method, json::object params) {
  auto h = host_.lock();
  if (!h) co_return host_gone();
  AP_CO_TRY(auto s, co_await h->new_stream(peer, protocol_id));
  json::value id = static_cast<std::int64_t>(next_id_++);
  auto request = make_request(id, method, std::move(params));
  auto v = co_await with_deadline(call_on(s, std::move(request), config_.max_line), config_.call_timeout,
                                  "a2a: " + method + " to " + peer.short_string());
  if (!v) s->reset();
  co_return outcome_of(std::move(v), id);
}

awaitable<result<send_reply>> client::send(const crypto::peer_id& peer, message m, send_options o) {
  auto r = co_await call(peer, method_name(m_send), send_params_json(m, o, config_.version));
  co_return to_send_reply(std::move(r), config_.limits);
}

awaitable<result<task>> client::get(const crypto::peer_id& peer, std::string task_id,
                                    std::optional<std::size_t> history_length) {
  auto r = co_await call(peer, method_name(m_get), id_params_json(task_id, history_length));
  co_return to_task(std::move(r), config_.limits);
}

awaitable<result<task>> client::cancel(const crypto::peer_id& peer, std::string task_id) {
  auto r = co_await call(peer, method_name(m_cancel), id_params_json(task_id, std::nullopt));
  co_return to_task(std::move(r), config_.limits);
}

awaitable<result<list_response>> client::list(const crypto::peer_id& peer, list_request q) {
  auto r = co_await call(peer, method_name(m_list), list_params_json(q));
  co_return to_list(std::move(r), config_.limits);
}

awaitable<result<json::object>> client::extended_card(const crypto::peer_id& peer) {
  AP_CO_TRY(auto v, co_await call(peer, method_name(m_card), json::object()));
  if (!v.is_object()) co_return agentp2p::error(errc::protocol_error, "a2a: the agent card is not an object");
  co_return std::move(v.get_object());
}

awaitable<result<event_stream>> client::stream(const crypto::peer_id& peer, message m) {
  send_options o;
  co_return co_await open_stream(peer, method_name(m_stream), send_params_json(m, o, config_.version));
}

awaitable<result<event_stream>> client::resubscribe(const crypto::peer_id& peer, std::string task_id) {
  co_return co_await open_stream(peer, method_name(m_subscribe), id_params_json(task_id, std::nullopt));
}

awaitable<result<event_stream>> client::open_stream(const crypto::peer_id& peer, std::string method,
                                                    json::object params) {
  auto h = host_.lock();
  if (!h) co_return host_gone();
  AP_CO_TRY(auto s, co_await h->new_stream(peer, protocol_id));
  json::value id = static_cast<std::int64_t>(next_id_++);
  auto request = make_request(id, method, std::move(params));
  auto sent = co_await with_deadline(agent::write_json_line(*s, request), config_.call_timeout,
                                     "a2a: " + method + " to " + peer.short_string());
  if (sent) sent = co_await s->close_write();
  if (!sent) {
    s->reset();
    co_return std::move(sent).error();
  }
  auto st = std::make_unique<event_stream::state>(s, config_.max_line, id, config_.event_timeout, config_.limits);
  co_return event_stream(std::move(st));
}

awaitable<result<json::value>> client::card_exchange(const crypto::peer_id& peer, json::value msg) {
  auto h = host_.lock();
  if (!h) co_return host_gone();
  AP_CO_TRY(auto s, co_await h->new_stream(peer, card_protocol_id));
  auto v = co_await with_deadline(call_on(s, std::move(msg), config_.max_line), config_.call_timeout,
                                  "a2a card exchange with " + peer.short_string());
  if (!v) s->reset();
  co_return v;
}

awaitable<result<json::object>> client::request_card(const crypto::peer_id& peer) {
  AP_CO_TRY(auto v, co_await card_exchange(peer, card_request_json()));
  if (type_of(v) == "card_response") {
    const auto& o = v.get_object();
    auto c = o.find("card");
    if (c != o.end() && c->value().is_object()) co_return c->value().get_object();
  }
  co_return agentp2p::error(errc::protocol_error, "a2a: invalid card response from " + peer.to_string() + ": " +
                                                      json::serialize(v).substr(0, 200));
}

awaitable<result<void>> client::offer_card(const crypto::peer_id& peer, json::object card) {
  AP_CO_TRY(auto v, co_await card_exchange(peer, card_offer_json(std::move(card))));
  if (type_of(v) == "card_ack") co_return ok();
  co_return agentp2p::error(errc::protocol_error, "a2a: " + peer.to_string() +
                                                      " did not accept our card: " + json::serialize(v).substr(0, 200));
}

}  // namespace agentp2p::a2a
