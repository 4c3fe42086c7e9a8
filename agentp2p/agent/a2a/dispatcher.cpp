#include "agentp2p/agent/a2a/dispatcher.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <optional>
#include <string_view>

#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/agent/a2a/params.hpp"
#include "agentp2p/base/deadline.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

enum method_kind : int {
  send_kind,
  stream_kind,
  get_kind,
  cancel_kind,
  subscribe_kind,
  list_kind,
  card_kind,
  push_kind
};

struct method_info {
  method_kind kind;
  dialect version;
};

std::optional<method_info> find_method(std::string_view name) {
  struct entry {
    std::string_view name;
    method_kind kind;
    dialect version;
  };
  static constexpr entry table[] = {
      {"message/send", send_kind, dialect::v0_3},
      {"message/stream", stream_kind, dialect::v0_3},
      {"tasks/get", get_kind, dialect::v0_3},
      {"tasks/cancel", cancel_kind, dialect::v0_3},
      {"tasks/resubscribe", subscribe_kind, dialect::v0_3},
      {"tasks/list", list_kind, dialect::v0_3},
      {"agent/getAuthenticatedExtendedCard", card_kind, dialect::v0_3},
      {"tasks/pushNotificationConfig/set", push_kind, dialect::v0_3},
      {"tasks/pushNotificationConfig/get", push_kind, dialect::v0_3},
      {"tasks/pushNotificationConfig/list", push_kind, dialect::v0_3},
      {"tasks/pushNotificationConfig/delete", push_kind, dialect::v0_3},
      {"SendMessage", send_kind, dialect::v1_0},
      {"SendStreamingMessage", stream_kind, dialect::v1_0},
      {"GetTask", get_kind, dialect::v1_0},
      {"CancelTask", cancel_kind, dialect::v1_0},
      {"SubscribeToTask", subscribe_kind, dialect::v1_0},
      {"ListTasks", list_kind, dialect::v1_0},
      {"GetExtendedAgentCard", card_kind, dialect::v1_0},
      {"CreateTaskPushNotificationConfig", push_kind, dialect::v1_0},
      {"GetTaskPushNotificationConfig", push_kind, dialect::v1_0},
      {"ListTaskPushNotificationConfigs", push_kind, dialect::v1_0},
      {"DeleteTaskPushNotificationConfig", push_kind, dialect::v1_0},
  };
  for (const auto& e : table)
    if (e.name == name) return method_info{e.kind, e.version};
  return std::nullopt;
}

json::value list_result(const task_page& page, std::size_t page_size, dialect d) {
  json::array tasks;
  tasks.reserve(page.tasks.size());
  for (const auto& t : page.tasks) tasks.push_back(to_json(t, d));
  json::object r;
  r["tasks"] = std::move(tasks);
  r["nextPageToken"] = page.next ? encode_page_token(*page.next) : std::string();
  r["pageSize"] = page_size;
  r["totalSize"] = page.total;
  return r;
}

bool ends_stream(const task_event& e) {
  const auto* s = std::get_if<status_update>(&e);
  return s && ends_turn(s->status.state);
}

}  // namespace

dispatcher::dispatcher(std::shared_ptr<task_manager> tasks, card_config card, dispatcher_config cfg)
    : tasks_(std::move(tasks)), card_(std::move(card)), config_(cfg) {}

awaitable<result<void>> dispatcher::handle(std::string text, request_context caller, response_sink& out) {
  auto parsed = parse_request(text);
  if (auto* reply = std::get_if<json::value>(&parsed)) co_return co_await out.send(std::move(*reply));
  co_return co_await handle(std::move(std::get<rpc_request>(parsed)), std::move(caller), out);
}

awaitable<result<void>> dispatcher::handle(rpc_request req, request_context caller, response_sink& out) {
  auto m = find_method(req.method);
  if (!m)
    co_return co_await out.send(
        make_error(req.id, static_cast<int>(rpc_errc::method_not_found), "method not found: " + req.method));
  switch (m->kind) {
    case send_kind:
      co_return co_await send_message(std::move(req), m->version, std::move(caller), out);
    case stream_kind:
      co_return co_await stream_message(std::move(req), m->version, std::move(caller), out);
    case subscribe_kind:
      co_return co_await resubscribe(std::move(req), m->version, std::move(caller), out);
    default:
      break;
  }
  std::string ended;  // a task the reply reports at the end of its turn
  auto reply = unary(req, m->kind, m->version, caller, ended);
  if (!ended.empty() && !tasks_->is_durable(ended)) {
    // Acknowledged means durable: commit that state before reporting it.
    auto saved = co_await tasks_->durable(ended);
    if (!saved) reply = make_error(req.id, saved.error());
  }
  co_return co_await out.send(std::move(reply));
}

json::value dispatcher::unary(const rpc_request& req, int kind, dialect d, const request_context& caller,
                              std::string& ended) {
  switch (kind) {
    case get_kind: {
      auto p = parse_task_id_params(req.params, config_.limits);
      if (!p) return make_error(req.id, p.error());
      auto t = tasks_->get(caller, p->id, p->history_length);
      if (!t) return make_error(req.id, t.error());
      if (ends_turn(t->status.state)) ended = t->id;
      return make_result(req.id, to_json(*t, d));
    }
    case cancel_kind: {
      auto p = parse_task_id_params(req.params, config_.limits);
      if (!p) return make_error(req.id, p.error());
      auto t = tasks_->cancel(caller, p->id);
      if (!t) return make_error(req.id, t.error());
      ended = t->id;  // canceled
      return make_result(req.id, to_json(*t, d));
    }
    case list_kind: {
      const auto& cfg = tasks_->settings();
      auto q = parse_list_params(req.params, cfg.max_page_size, config_.limits);
      if (!q) return make_error(req.id, q.error());
      std::size_t page_size = q->limit == 0 ? cfg.default_page_size : q->limit;
      auto page = tasks_->list(caller, std::move(*q));
      if (!page) return make_error(req.id, page.error());
      return make_result(req.id, list_result(*page, page_size, d));
    }
    case card_kind:
      return make_result(req.id, d == dialect::v0_3 ? card_v03() : card_v10());
    case push_kind:
      return make_error(req.id, static_cast<int>(rpc_errc::push_notification_not_supported),
                        "push notifications are not supported; use streaming or poll the task");
    default:
      return make_error(req.id, static_cast<int>(rpc_errc::internal_error), "unhandled method");
  }
}

awaitable<result<void>> dispatcher::send_message(rpc_request req, dialect d, request_context caller,
                                                 response_sink& out) {
  auto p = parse_send_params(req.params, config_.limits);
  if (!p) co_return co_await out.send(make_error(req.id, p.error()));
  if (tasks_->replies_directly(caller, p->message)) co_return co_await direct_reply(req, d, caller, p->message, out);
  auto sent = tasks_->send(caller, std::move(p->message), p->blocking, p->history_length);
  if (!sent) co_return co_await out.send(make_error(req.id, sent.error()));
  if (sent->events) {
    // Blocking: wait until the turn ends (or the wait limit), then answer
    // with the task as it stands.
    auto events = sent->events;
    auto deadline = std::chrono::steady_clock::now() + config_.blocking_timeout;
    for (;;) {
      auto ev = co_await events->next_until(deadline);
      if (!ev || !*ev || ends_stream(**ev)) break;
    }
  }
  auto t = tasks_->get(caller, sent->task.id, p->history_length);
  if (!t) co_return co_await out.send(make_error(req.id, t.error()));
  if (ends_turn(t->status.state) && !tasks_->is_durable(t->id)) {
    // Acknowledged means durable: the reply waits for the commit (shared
    // with every other change pending now), not the network thread.
    auto saved = co_await tasks_->durable(t->id);
    if (!saved) co_return co_await out.send(make_error(req.id, saved.error()));
  }
  co_return co_await out.send(make_result(req.id, stream_item_json(*t, d)));
}

awaitable<result<void>> dispatcher::direct_reply(const rpc_request& req, dialect d, request_context& caller,
                                                 message& m, response_sink& out) {
  // No task, nothing stored: no durability wait before answering.
  auto answer = co_await tasks_->reply(std::move(caller), std::move(m));
  if (!answer) co_return co_await out.send(make_error(req.id, answer.error()));
  co_return co_await out.send(make_result(req.id, stream_item_json(*answer, d)));
}

awaitable<result<void>> dispatcher::stream_message(rpc_request req, dialect d, request_context caller,
                                                   response_sink& out) {
  auto p = parse_send_params(req.params, config_.limits);
  if (!p) co_return co_await out.send(make_error(req.id, p.error()));
  // A direct reply is the stream's one item.
  if (tasks_->replies_directly(caller, p->message)) co_return co_await direct_reply(req, d, caller, p->message, out);
  auto sent = tasks_->send(caller, std::move(p->message), true, p->history_length);
  if (!sent) co_return co_await out.send(make_error(req.id, sent.error()));
  AP_CO_TRYV(co_await out.send(make_result(req.id, stream_item_json(sent->task, d))));
  co_return co_await pump(req.id, d, std::move(sent->events), out);
}

awaitable<result<void>> dispatcher::resubscribe(rpc_request req, dialect d, request_context caller,
                                                response_sink& out) {
  auto p = parse_task_id_params(req.params, config_.limits);
  if (!p) co_return co_await out.send(make_error(req.id, p.error()));
  auto sub = tasks_->subscribe(caller, p->id);
  if (!sub) co_return co_await out.send(make_error(req.id, sub.error()));
  auto& t = sub->task;
  if (p->history_length && t.history.size() > *p->history_length)
    t.history.erase(t.history.begin(), t.history.end() - static_cast<long>(*p->history_length));
  AP_CO_TRYV(co_await out.send(make_result(req.id, stream_item_json(t, d))));
  co_return co_await pump(req.id, d, std::move(sub->events), out);
}

awaitable<result<void>> dispatcher::pump(const json::value& id, dialect d, std::shared_ptr<subscription> events,
                                         response_sink& out) {
  auto deadline = std::chrono::steady_clock::now() + config_.max_stream_duration;
  for (;;) {
    auto ev = co_await events->next_until(deadline);
    if (!ev) {
      std::string why = ev.error().is(errc::timeout)
                            ? "the stream reached its time limit of " + describe_duration(config_.max_stream_duration) +
                                  "; the task goes on: resubscribe or poll it"
                            : ev.error().message;
      co_return co_await out.send(make_error(id, static_cast<int>(rpc_errc::internal_error), why));
    }
    if (!*ev) co_return ok();  // the manager is closing
    bool last = ends_stream(**ev);
    if (last) {
      // The final event says the turn ended: commit that first.
      std::string task_id = std::get<status_update>(**ev).task_id;
      if (!tasks_->is_durable(task_id)) {
        auto saved = co_await tasks_->durable(task_id);
        if (!saved) co_return co_await out.send(make_error(id, saved.error()));
      }
    }
    AP_CO_TRYV(co_await out.send(make_result(id, stream_item_json(**ev, d))));
    if (last) co_return ok();
  }
}

}  // namespace agentp2p::a2a
