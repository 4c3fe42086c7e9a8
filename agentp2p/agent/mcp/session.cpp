#include "agentp2p/agent/mcp/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <boost/json/serialize.hpp>

#include "agentp2p/base/log.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;

struct session::waiter {
  explicit waiter(const executor& ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
};

// An incoming request in progress.
struct request_context::state {
  json::value id;
  std::string key;
  std::string method;
  std::optional<json::value> progress_token;
  bool jsonrpc = true;
  bool cancelled = false;
  // The serving task's own signal (task_group::spawn), set while it runs:
  // notifications/cancelled emits it. Not set for initialize (not cancellable).
  asio::cancellation_signal* task = nullptr;
};

// Responses of one batch, sent together when the last one is ready.
struct session::batch {
  json::array responses;
  std::size_t outstanding = 1;  // the dispatch loop itself holds one
  json::value related;          // the first request's id
};

// One of our requests awaiting its response.
struct session::outgoing {
  std::optional<result<json::value>> response;
  waiter* wake = nullptr;
};

namespace {

// Erases an entry from a map when a coroutine frame goes away (cancellation included).
// (A constructor, not aggregate braces: GCC 12 and braced initializers across co_await.)
template <class Map>
struct erase_on_exit {
  erase_on_exit(Map& m, std::string k) : map(m), key(std::move(k)) {}
  ~erase_on_exit() { map.erase(key); }
  Map& map;
  std::string key;
};

// Whole numbers as integers ("50", not Boost.JSON's "5E1").
json::value number(double d) {
  if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -1e15 && d < 1e15)
    return json::value(static_cast<std::int64_t>(d));
  return json::value(d);
}

agentp2p::error invalid_request(std::string what) { return rpc_error(code::invalid_request, std::move(what)); }

}  // namespace

// ---- request_context ----------------------------------------------------------------

const json::value& request_context::id() const noexcept { return state_->id; }
const std::string& request_context::method() const noexcept { return state_->method; }
const std::optional<json::value>& request_context::progress_token() const noexcept { return state_->progress_token; }
bool request_context::cancelled() const noexcept { return state_->cancelled || session_.closing_; }

void request_context::progress(double progress, double total, std::string message) const {
  if (!state_->progress_token) return;
  json::object p;
  p["progressToken"] = *state_->progress_token;
  p["progress"] = number(progress);
  if (total > 0) p["total"] = number(total);
  if (!message.empty()) p["message"] = std::move(message);
  (void)session_.notify("notifications/progress", std::move(p), state_->id);
}

result<void> request_context::notify(std::string method, json::value params) const {
  return session_.notify(std::move(method), std::move(params), state_->id);
}

awaitable<result<json::value>> request_context::request(std::string method, json::value params) const {
  co_return co_await session_.request(std::move(method), std::move(params), session_.config_.request_timeout,
                                      state_->id);
}

void request_context::end_stream() const { session_.transport_->end_stream(state_->id); }

// ---- session ------------------------------------------------------------------------

session::session(std::unique_ptr<transport> t, std::shared_ptr<handler> h, session_config cfg)
    : executor_(t->get_executor()),
      transport_(std::move(t)),
      handler_(std::move(h)),
      config_(std::move(cfg)),
      handlers_(executor_),
      writer_(executor_) {}

std::shared_ptr<session> session::create(std::unique_ptr<transport> t, std::shared_ptr<handler> h,
                                         session_config cfg) {
  return std::shared_ptr<session>(new session(std::move(t), std::move(h), std::move(cfg)));
}

session::~session() = default;

void session::set_initialized(std::string version, json::object peer_capabilities, json::object peer_info) {
  version_ = std::move(version);
  peer_capabilities_ = std::move(peer_capabilities);
  peer_info_ = std::move(peer_info);
  initialized_ = true;
}

void session::close() {
  if (closing_) return;
  closing_ = true;
  if (close_signal_) close_signal_->timer.cancel();
}

void session::wake_writer() {
  if (writer_wake_) writer_wake_->timer.cancel();
}

result<void> session::enqueue(json::value msg, json::value related, bool essential) {
  if (writer_stop_) return make_error(errc::closed, config_.name + ": session closed");
  if (!essential && queue_.size() >= config_.max_queued_messages) {
    ++dropped_;
    return make_error(errc::limit_exceeded, config_.name + ": outbound queue full; notification dropped");
  }
  queue_.emplace_back(std::move(msg), std::move(related));
  wake_writer();
  return ok();
}

result<void> session::notify(std::string method, json::value params) {
  return notify(std::move(method), std::move(params), json::value());
}

result<void> session::notify(std::string method, json::value params, const json::value& related_request) {
  if (closing_ && input_done_) return make_error(errc::closed, config_.name + ": session closed");
  return enqueue(make_notification(method, std::move(params)), related_request, false);
}

void session::post_notify(std::string method, json::value params) {
  asio::post(executor_, [self = shared_from_this(), method = std::move(method), params = std::move(params)]() mutable {
    (void)self->notify(std::move(method), std::move(params));
  });
}

awaitable<result<json::value>> session::request(std::string method, json::value params) {
  co_return co_await request(std::move(method), std::move(params), config_.request_timeout, json::value());
}

awaitable<result<json::value>> session::request(std::string method, json::value params, duration timeout,
                                                json::value related_request) {
  if (closing_ || writer_stop_) co_return make_error(errc::closed, config_.name + ": session closed");
  // The peer has sent everything it will send: no response can come, so do
  // not hold the handler (and the session) for the whole timeout.
  if (input_done_) co_return make_error(errc::closed, config_.name + ": the peer closed the session");
  if (outgoing_.size() >= config_.max_outgoing)
    co_return make_error(errc::limit_exceeded, config_.name + ": too many requests awaiting a response");
  auto self = shared_from_this();
  const json::value id(next_id_++);
  const std::string key = id_key(id);
  outgoing entry;
  waiter wake(executor_);
  wake.timer.expires_after(timeout);
  entry.wake = &wake;
  outgoing_[key] = &entry;
  erase_on_exit<std::map<std::string, outgoing*>> guard(outgoing_, key);
  AP_CO_TRYV(enqueue(make_request(id, method, std::move(params)), std::move(related_request), true));
  auto [ec] = co_await wake.timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (entry.response) co_return std::move(*entry.response);
  // No response: the timer expired (ec clear) or our own coroutine was cancelled.
  json::object why;
  why["requestId"] = id;
  why["reason"] = ec ? "cancelled" : "timed out";
  (void)enqueue(make_notification("notifications/cancelled", std::move(why)), json::value(), true);
  if (!ec) co_return make_error(errc::timeout, config_.name + ": " + method + " got no response in time");
  co_return make_error(errc::cancelled, config_.name + ": " + method + " cancelled");
}

void session::fail_outgoing(const agentp2p::error& e) {
  for (auto& [key, entry] : outgoing_) {
    if (!entry->response) entry->response = e;
    entry->wake->timer.cancel();
  }
}

awaitable<void> session::write_loop(std::shared_ptr<session> self) {
  for (;;) {
    while (!self->queue_.empty()) {
      auto [msg, related] = std::move(self->queue_.front());
      self->queue_.pop_front();
      auto sent = co_await self->transport_->send(msg, related);
      if (!sent) {
        log::debug(self->config_.name + ": write failed: " + sent.error().what());
        self->queue_.clear();
        self->writer_stop_ = true;
        self->close();
        co_return;
      }
    }
    if (self->writer_stop_) co_return;
    waiter w(self->executor_);
    self->writer_wake_ = &w;
    co_await w.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    self->writer_wake_ = nullptr;
  }
}

awaitable<void> session::run() {
  using namespace asio::experimental::awaitable_operators;
  auto self = shared_from_this();
  if (running_) co_return;
  running_ = true;
  writer_.spawn(write_loop(self), config_.name + " writer");

  waiter close_signal(executor_);
  close_signal_ = &close_signal;
  while (!closing_) {
    auto got = co_await (transport_->receive() || close_signal.timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (got.index() == 1) break;
    auto msg = std::move(std::get<0>(got));
    if (!msg) {
      const auto& e = msg.error();
      if (e.is(errc::decode_error)) {
        (void)enqueue(make_error_response(nullptr, rpc_error(code::parse_error, "parse error: " + e.message)),
                      json::value(), true);
        continue;
      }
      if (e.is(errc::too_large)) {
        (void)enqueue(make_error_response(nullptr, invalid_request(e.message)), json::value(), true);
        continue;
      }
      if (e.is(errc::end_of_stream)) input_done_ = true;
      else log::debug(config_.name + ": input ends: " + e.what());
      break;
    }
    co_await dispatch(std::move(*msg));
  }
  close_signal_ = nullptr;

  if (input_done_ && !closing_) {
    // The peer has said everything: nobody can answer our requests any more,
    // but requests in progress are finished and answered.
    fail_outgoing(make_error(errc::closed, config_.name + ": the peer closed the session"));
    co_await handlers_.join();
  }
  closing_ = true;
  fail_outgoing(make_error(errc::closed, config_.name + ": session closed"));
  handlers_.cancel();
  co_await handlers_.join();
  writer_stop_ = true;
  wake_writer();
  co_await writer_.join();
  co_await transport_->close();
  handler_->on_closed(*this);
}

awaitable<void> session::dispatch(json::value msg) {
  if (auto* arr = msg.if_array()) {
    if (!initialized_ || !version_allows_batches(version_)) {
      (void)enqueue(make_error_response(nullptr, invalid_request(
                                                     "JSON-RPC batches are not supported" +
                                                     (initialized_ ? " in protocol version " + version_ : std::string()))),
                    json::value(), true);
      co_return;
    }
    if (arr->empty()) {
      (void)enqueue(make_error_response(nullptr, invalid_request("empty batch")), json::value(), true);
      co_return;
    }
    auto b = std::make_shared<batch>();
    for (auto& item : *arr) {
      if (b->related.is_null())
        if (auto* o = item.if_object(); o && o->contains("id") && o->contains("method")) b->related = o->at("id");
      co_await dispatch_one(std::move(item), b);
    }
    finish_batch_item(b);
    co_return;
  }
  co_await dispatch_one(std::move(msg), nullptr);
}

void session::reply(const json::value& id, result<json::value> outcome, bool jsonrpc, const std::shared_ptr<batch>& b) {
  json::value response = outcome ? make_result(id, std::move(*outcome), jsonrpc)
                                 : make_error_response(id, outcome.error(), jsonrpc);
  if (b) {
    b->responses.push_back(std::move(response));
    return;
  }
  (void)enqueue(std::move(response), id, true);
}

void session::finish_batch_item(const std::shared_ptr<batch>& b) {
  if (--b->outstanding != 0) return;
  if (!b->responses.empty()) (void)enqueue(std::move(b->responses), b->related, true);
}

awaitable<void> session::dispatch_one(json::value msg, std::shared_ptr<batch> b) {
  auto* o = msg.if_object();
  if (!o) {
    reply(nullptr, invalid_request("a JSON-RPC message must be an object"), true, b);
    co_return;
  }
  const json::value* id = o->if_contains("id");
  const bool has_id = id && !id->is_null();
  bool jsonrpc = true;
  if (const auto* v = o->if_contains("jsonrpc")) {
    if (!(v->is_string() && v->get_string() == "2.0")) {
      reply(has_id && is_valid_id(*id) ? *id : json::value(), invalid_request("\"jsonrpc\" must be \"2.0\""), true, b);
      co_return;
    }
  } else if (config_.accept_simplified) {
    jsonrpc = false;
  } else {
    reply(has_id && is_valid_id(*id) ? *id : json::value(), invalid_request("missing \"jsonrpc\": \"2.0\""), true, b);
    co_return;
  }

  if (const auto* method = o->if_contains("method")) {
    if (!method->is_string()) {
      reply(has_id && is_valid_id(*id) ? *id : json::value(), invalid_request("\"method\" must be a string"), jsonrpc,
            b);
      co_return;
    }
    json::value params = o->contains("params") ? o->at("params") : json::value();
    if (!params.is_null() && !params.is_object() && !params.is_array()) {
      reply(has_id && is_valid_id(*id) ? *id : json::value(), invalid_request("\"params\" must be an object"),
            jsonrpc, b);
      co_return;
    }
    if (!id) {
      on_notification(method->get_string(), params);
      co_return;
    }
    if (!is_valid_id(*id)) {
      reply(nullptr, invalid_request("a request id must be a string or an integer"), jsonrpc, b);
      co_return;
    }
    co_await on_request(*id, std::string(method->get_string()), std::move(params), jsonrpc, b);
    co_return;
  }
  if (has_id && (o->contains("result") || o->contains("error"))) {
    on_response(*o);
    co_return;
  }
  reply(has_id && is_valid_id(*id) ? *id : json::value(),
        invalid_request("not a request, notification or response"), jsonrpc, b);
}

awaitable<void> session::on_request(json::value id, std::string method, json::value params, bool jsonrpc,
                                    std::shared_ptr<batch> b) {
  if (method == "ping") {
    reply(id, json::value(json::object()), jsonrpc, b);
    co_return;
  }
  const bool is_initialize = method == "initialize";
  if (config_.require_initialize && jsonrpc && !initialized_ && !is_initialize) {
    reply(id, invalid_request("the session is not initialized: send \"initialize\" first"), jsonrpc, b);
    co_return;
  }
  if (is_initialize && b) {
    reply(id, invalid_request("initialize must not be part of a batch"), jsonrpc, b);
    co_return;
  }
  auto st = std::make_shared<request_context::state>();
  st->id = id;
  st->key = id_key(id);
  st->method = std::move(method);
  st->progress_token = progress_token_of(params);
  st->jsonrpc = jsonrpc;
  if (in_flight_.contains(st->key)) {
    reply(id, invalid_request("request id " + json::serialize(id) + " is already in use"), jsonrpc, b);
    co_return;
  }
  if (in_flight_.size() >= config_.max_in_flight) {
    reply(id,
          rpc_error(code::internal_error,
                    "too many requests in progress (limit " + std::to_string(config_.max_in_flight) + ")"),
          jsonrpc, b);
    co_return;
  }
  in_flight_[st->key] = st;
  if (b) {
    ++b->outstanding;
    // The batch's responses go out together: remember where this one goes.
    auto self = shared_from_this();
    auto& task = handlers_.spawn(
        [](std::shared_ptr<session> self, std::shared_ptr<request_context::state> st, json::value params,
           std::shared_ptr<batch> b) -> awaitable<void> {
          erase_on_exit<decltype(self->in_flight_)> guard(self->in_flight_, st->key);
          request_context ctx(*self, st);
          auto outcome = co_await self->call_handler(ctx, std::move(params));
          if (!st->cancelled) self->reply(st->id, std::move(outcome), st->jsonrpc, b);
          self->finish_batch_item(b);
        }(self, st, std::move(params), b),
        config_.name + " " + st->method);
    note_running(st, task);
    co_return;
  }
  if (is_initialize) {
    // Answered before the next message is read, so nothing races the negotiation.
    erase_on_exit<decltype(in_flight_)> guard(in_flight_, st->key);
    request_context ctx(*this, st);
    auto outcome = co_await call_handler(ctx, std::move(params));
    reply(id, std::move(outcome), jsonrpc, nullptr);
    co_return;
  }
  auto& task = handlers_.spawn(serve(shared_from_this(), st, std::move(params)), config_.name + " " + st->method);
  note_running(st, task);
}

void session::note_running(const std::shared_ptr<request_context::state>& st, asio::cancellation_signal& task) {
  // The task may have run to its end inside spawn (its signal is gone then):
  // it is running only while its request is still in flight.
  if (auto it = in_flight_.find(st->key); it != in_flight_.end() && it->second == st) st->task = &task;
}

namespace {

// The handler's outcome with exceptions turned into -32603. (Inside `||`, an
// exception would not count as finishing: the race would wait for the other side.)
awaitable<result<json::value>> guarded(handler& h, request_context& ctx, json::value params) {
  try {
    co_return co_await h.on_request(ctx, std::move(params));
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) throw;  // cancellation is not a failure
    co_return rpc_error(code::internal_error, ctx.method() + " failed: " + e.what());
  } catch (const std::exception& e) {
    co_return rpc_error(code::internal_error, ctx.method() + " failed: " + e.what());
  }
}

}  // namespace

awaitable<result<json::value>> session::call_handler(request_context& ctx, json::value params) {
  // Cancelling the request (notifications/cancelled emits the serving task's
  // signal) or the session ends the handler's pending wait with
  // operation_aborted; no timer raced against the handler (that cost a timer,
  // a parallel group and two coroutine frames a request).
  try {
    co_return co_await guarded(*handler_, ctx, std::move(params));
  } catch (const boost::system::system_error& e) {
    if (e.code() != asio::error::operation_aborted) throw;
  }
  co_return make_error(errc::cancelled, "cancelled");
}

awaitable<void> session::serve(std::shared_ptr<session> self, std::shared_ptr<request_context::state> st,
                               json::value params) {
  erase_on_exit<decltype(self->in_flight_)> guard(self->in_flight_, st->key);
  request_context ctx(*self, st);
  auto outcome = co_await self->call_handler(ctx, std::move(params));
  // A cancelled request gets no response (MCP cancellation rules).
  if (st->cancelled) co_return;
  self->reply(st->id, std::move(outcome), st->jsonrpc, nullptr);
}

void session::on_notification(std::string_view method, const json::value& params) {
  if (method == "notifications/cancelled") {
    const auto* p = params.if_object();
    const auto* rid = p ? p->if_contains("requestId") : nullptr;
    if (!rid || !is_valid_id(*rid)) return;
    auto it = in_flight_.find(id_key(*rid));
    if (it == in_flight_.end()) return;  // finished already, or never existed: ignore (MCP)
    if (it->second->method == "initialize") return;  // the client MUST NOT cancel initialize
    it->second->cancelled = true;
    if (it->second->task) it->second->task->emit(asio::cancellation_type::terminal);
    return;
  }
  if (method == "notifications/initialized") peer_ready_ = true;
  try {
    handler_->on_notification(*this, method, params);
  } catch (const std::exception& e) {
    log::warn(config_.name + ": handling " + std::string(method) + " failed: " + e.what());
  }
}

void session::on_response(const json::object& msg) {
  const auto& id = msg.at("id");
  auto it = outgoing_.find(id_key(id));
  if (it == outgoing_.end()) {
    log::debug(config_.name + ": response to unknown request " + json::serialize(id) + " ignored");
    return;
  }
  auto* entry = it->second;
  if (const auto* err = msg.if_contains("error")) entry->response = from_error_object(*err);
  else entry->response = msg.at("result");
  entry->wake->timer.cancel();
}

}  // namespace agentp2p::mcp
