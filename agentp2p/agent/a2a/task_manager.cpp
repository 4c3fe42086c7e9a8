#include "agentp2p/agent/a2a/task_manager.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/agent/a2a/message_size.hpp"
#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::a2a {

// One running turn of a task.
struct task_updater::turn {
  std::string task_id;
  std::string context_id;
  std::string owner;
  bool live = true;                // may still report updates
  bool cancel_requested = false;   // by CancelTask: the task is already canceled
  std::string stop_reason;         // set when the manager closes
  asio::cancellation_signal stop;  // cancels the executor's coroutine

  turn(std::string id, std::string ctx, std::string own)
      : task_id(std::move(id)), context_id(std::move(ctx)), owner(std::move(own)) {}
};

std::string owner_of(const request_context& c) { return c.peer ? c.peer->to_base58() : std::string(); }

namespace {

agentp2p::error not_found(std::string_view id) {
  return rpc_error(rpc_errc::task_not_found, "task " + std::string(id) + " not found");
}

agentp2p::error turn_over(const std::string& id) {
  return rpc_error(rpc_errc::unsupported_operation,
                   "task " + id + ": this turn is over (the task was canceled or already reported its outcome)");
}

void trim_history(task& t, std::optional<std::size_t> n) {
  if (n && t.history.size() > *n) t.history.erase(t.history.begin(), t.history.end() - static_cast<long>(*n));
}

}  // namespace

// --- task_updater --------------------------------------------------------------

result<void> task_updater::update(task_state s, std::optional<message> m) {
  auto mgr = manager_.lock();
  auto t = turn_.lock();
  if (!mgr || !t) return turn_over(task_id_);
  return mgr->apply_update(*t, s, std::move(m));
}

result<void> task_updater::add_artifact(artifact a, bool append, bool last_chunk) {
  auto mgr = manager_.lock();
  auto t = turn_.lock();
  if (!mgr || !t) return turn_over(task_id_);
  return mgr->apply_artifact(*t, std::move(a), append, last_chunk);
}

message task_updater::agent_message(std::string text) const {
  message m;
  m.message_id = new_id();
  m.task_id = task_id_;
  m.context_id = context_id_;
  m.role = role::agent;
  m.parts.push_back(part::text(std::move(text)));
  return m;
}

// --- agent_executor ------------------------------------------------------------

awaitable<result<message>> agent_executor::reply(reply_context) {
  // Only reached when replies_directly() said yes without an override.
  co_return rpc_error(rpc_errc::unsupported_operation, "this agent answers messages with tasks only");
}

// --- task_manager ----------------------------------------------------------------

task_manager::task_manager(executor ex, std::unique_ptr<task_store> store, std::shared_ptr<agent_executor> agent,
                           manager_config cfg)
    : executor_(ex), store_(std::move(store)), agent_(std::move(agent)), config_(cfg), group_(ex), flush_timer_(ex) {}

task_manager::~task_manager() {
  // The store's writer may still finish batches while the store drains:
  // nothing may post to our executor after this.
  if (store_) store_->set_commit_listener(nullptr);
}

result<std::shared_ptr<task_manager>> task_manager::open(executor ex, std::unique_ptr<task_store> store,
                                                         std::shared_ptr<agent_executor> agent, manager_config cfg) {
  if (!store || !agent)
    return agentp2p::error(errc::invalid_argument, "a2a: task manager needs a store and an executor");
  std::shared_ptr<task_manager> m(new task_manager(std::move(ex), std::move(store), std::move(agent), cfg));
  AP_TRYV(m->recover());
  // The writer thread reports each finished transaction; one post at a time
  // wakes the durable() callers (the flag is cleared before they are looked
  // at, so a commit that lands meanwhile posts again).
  m->store_->set_commit_listener(
      [weak = std::weak_ptr<task_manager>(m), flag = m->commit_wake_posted_, ex = m->executor_] {
        if (flag->exchange(true)) return;
        asio::post(ex, [weak, flag] {
          flag->store(false);
          if (auto self = weak.lock()) self->on_commits();
        });
      });
  return m;
}

result<void> task_manager::recover() {
  // Failing a task changes its state, so it leaves the query: ask for the
  // first page again until nothing is left.
  for (auto st : {task_state::submitted, task_state::working}) {
    for (;;) {
      task_query q;
      q.state = st;
      q.limit = 100;
      AP_TRY(auto page, store_->list(q));
      if (page.tasks.empty()) break;
      for (const auto& t : page.tasks) {
        message m;
        m.message_id = new_id();
        m.task_id = t.id;
        m.context_id = t.context_id;
        m.role = role::agent;
        m.parts.push_back(part::text("the agent restarted before this task finished"));
        AP_TRYV(set_status(t.id, t.context_id, task_status{task_state::failed, std::move(m), now()}));
      }
    }
  }
  return ok();
}

result<stored_task> task_manager::load_visible(const request_context& caller, std::string_view id,
                                               std::optional<std::size_t> history_length) {
  if (id.empty()) return rpc_error(rpc_errc::invalid_params, "id: a task id is required");
  AP_TRY(auto found, store_->get(id, history_length));
  // Another peer's task is reported as missing, not as forbidden: its
  // existence is not ours to reveal.
  if (!found || (caller.peer && found->owner != owner_of(caller))) return not_found(id);
  return std::move(*found);
}

namespace {

counters::counter& a2a_refused(bool per_peer) {
  static auto& peer = counters::limit("a2a", "peer_task_limit_refused", "A2A tasks refused: the peer had too many running");
  static auto& node = counters::limit("a2a", "node_task_limit_refused", "A2A tasks refused: the node had too many running");
  return per_peer ? peer : node;
}

}  // namespace

result<void> task_manager::check_active(const std::string& owner) {
  auto active = active_by_owner_.find(owner);
  if (active != active_by_owner_.end() && active->second >= config_.max_active_tasks_per_peer) {
    counters::count_and_log(a2a_refused(true), "a2a: refusing a task from " + (owner.empty() ? "a local caller" : owner) +
                                                   ": " + std::to_string(active->second) + " running (limit " +
                                                   std::to_string(config_.max_active_tasks_per_peer) + ")");
    return rpc_error(rpc_errc::too_many_tasks, "too many running tasks (" +
                                                   std::to_string(config_.max_active_tasks_per_peer) +
                                                   "); wait for one to finish or cancel one");
  }
  if (active_turns() >= config_.max_active_tasks) {
    counters::count_and_log(a2a_refused(false), "a2a: refusing a task: " + std::to_string(active_turns()) +
                                                    " running on this node (limit " +
                                                    std::to_string(config_.max_active_tasks) + ")");
    return rpc_error(rpc_errc::too_many_tasks, "the agent is busy (" + std::to_string(config_.max_active_tasks) +
                                                   " running tasks); try again later");
  }
  return ok();
}

result<void> task_manager::make_room(const std::string& owner) {
  AP_TRYV(check_active(owner));
  AP_TRY(auto stored, store_->count(owner));
  while (stored >= config_.max_tasks_per_peer) {
    AP_TRY(auto victim, store_->oldest_finished(owner));
    if (!victim)
      return rpc_error(rpc_errc::too_many_tasks, "task limit reached (" + std::to_string(config_.max_tasks_per_peer) +
                                                     " tasks) and none is finished");
    AP_TRYV(store_->erase(*victim));
    --stored;
  }
  return ok();
}

std::size_t task_manager::subscriber_count(const std::string& task_id) const {
  auto it = subscribers_.find(task_id);
  if (it == subscribers_.end()) return 0;
  return static_cast<std::size_t>(std::count_if(it->second.begin(), it->second.end(),
                                                [](const auto& w) { return !w.expired(); }));
}

std::shared_ptr<subscription> task_manager::add_subscriber(const std::string& task_id) {
  auto& subs = subscribers_[task_id];
  std::erase_if(subs, [](const auto& w) { return w.expired(); });
  if (subs.size() >= config_.max_subscribers_per_task) return nullptr;
  auto s = std::make_shared<subscription>(executor_, config_.max_queued_events);
  subs.push_back(s);
  return s;
}

result<void> task_manager::admit(const request_context& caller, message& m) {
  auto size = json_size(m);
  if (size > config_.max_message_bytes) {
    static auto& c = counters::limit("a2a", "message_too_large", "A2A messages refused: over max_message_bytes");
    counters::count_and_log(c, "a2a: refusing a message of " + std::to_string(size) + " bytes from " +
                                   (owner_of(caller).empty() ? std::string("a local caller") : owner_of(caller)) +
                                   " (limit " + std::to_string(config_.max_message_bytes) + ")");
    return rpc_error(rpc_errc::invalid_params, "message: " + std::to_string(size) + " bytes exceed the limit of " +
                                                   std::to_string(config_.max_message_bytes));
  }
  if (m.parts.empty()) return rpc_error(rpc_errc::invalid_params, "message.parts: at least one part is required");
  m.role = role::user;  // whatever the caller claims, it is the client side
  return ok();
}

bool task_manager::replies_directly(const request_context& caller, const message& m) const {
  return m.task_id.empty() && agent_->replies_directly(caller, m);
}

awaitable<result<message>> task_manager::reply(request_context caller, message m) {
  if (closed_) co_return rpc_error(rpc_errc::internal_error, "the agent is shutting down");
  if (!m.task_id.empty())
    co_return rpc_error(rpc_errc::invalid_params, "message.taskId: a direct reply starts no task and continues none");
  AP_CO_TRYV(admit(caller, m));
  std::string owner = owner_of(caller);
  AP_CO_TRYV(check_active(owner));
  if (m.context_id.empty()) m.context_id = new_id();
  // Counted as a running turn until the reply is back (or the caller's
  // coroutine is cancelled or throws): the guard gives the slot back.
  struct slot {
    std::shared_ptr<task_manager> self;
    std::string owner;
    ~slot() {
      --self->replies_running_;
      auto a = self->active_by_owner_.find(owner);
      if (a != self->active_by_owner_.end() && --a->second == 0) self->active_by_owner_.erase(a);
    }
  };
  ++replies_running_;
  ++active_by_owner_[owner];
  slot held{shared_from_this(), std::move(owner)};
  std::string context_id = m.context_id;
  // A named argument: g++ 12 destroys a braced temporary inside a co_await
  // expression twice.
  reply_context ctx{std::move(caller), std::move(m)};
  auto answer = co_await agent_->reply(std::move(ctx));
  if (!answer) co_return std::move(answer).error();
  answer->role = role::agent;
  answer->context_id = std::move(context_id);
  answer->task_id.clear();
  if (answer->message_id.empty()) answer->message_id = new_id();
  co_return std::move(*answer);
}

result<task_manager::sent> task_manager::send(const request_context& caller, message m, bool subscribe,
                                              std::optional<std::size_t> history_length) {
  if (closed_) return rpc_error(rpc_errc::internal_error, "the agent is shutting down");
  if (store_->overloaded()) {
    static auto& c = counters::limit("a2a", "store_backlog_refused",
                                     "A2A messages refused: the task store's writer is too far behind");
    counters::count_and_log(c, "a2a: refusing a message: the task store's writer is too far behind");
    return rpc_error(rpc_errc::too_many_tasks, "the agent cannot save tasks fast enough right now; try again later");
  }
  AP_TRYV(admit(caller, m));
  const std::string owner = owner_of(caller);

  task snapshot;
  if (!m.task_id.empty()) {
    // The next turn of an existing task.
    AP_TRY(auto found, load_visible(caller, m.task_id, std::nullopt));
    auto& t = found.task;
    if (!m.context_id.empty() && m.context_id != t.context_id)
      return rpc_error(rpc_errc::invalid_params, "message.contextId " + m.context_id + " does not match task " + t.id +
                                                     "'s context " + t.context_id);
    if (is_terminal(t.status.state))
      return rpc_error(rpc_errc::unsupported_operation, "task " + t.id + " is " +
                                                            std::string(to_string(t.status.state)) +
                                                            "; a finished task accepts no more messages");
    if (turns_.contains(t.id))
      return rpc_error(rpc_errc::unsupported_operation,
                       "task " + t.id + " is still working; send more input once it asks for it");
    AP_TRYV(check_active(owner));  // a continued task runs a turn like a new one
    if (subscribe && subscriber_count(t.id) >= config_.max_subscribers_per_task)
      return rpc_error(rpc_errc::unsupported_operation, "task " + t.id + " has too many subscribers");
    m.context_id = t.context_id;
    AP_TRYV(store_->add_message(t.id, m, config_.max_history));
    schedule_flush();
    t.history.push_back(m);
    snapshot = std::move(t);
    task_status restarted{task_state::submitted, std::nullopt, now()};
    AP_TRYV(set_status(snapshot.id, snapshot.context_id, restarted));
    snapshot.status = std::move(restarted);
    std::shared_ptr<subscription> sub;
    if (subscribe) sub = add_subscriber(snapshot.id);  // room checked above
    start_turn(caller, snapshot, m, owner);
    trim_history(snapshot, history_length);
    return sent{std::move(snapshot), std::move(sub)};
  }

  AP_TRYV(make_room(owner));
  snapshot.id = new_id();
  snapshot.context_id = m.context_id.empty() ? new_id() : m.context_id;
  m.task_id = snapshot.id;
  m.context_id = snapshot.context_id;
  snapshot.status = task_status{task_state::submitted, std::nullopt, now()};
  snapshot.history.push_back(m);
  AP_TRYV(store_->insert(snapshot, owner));
  schedule_flush();
  std::shared_ptr<subscription> sub;
  if (subscribe) sub = add_subscriber(snapshot.id);  // a new task has no subscribers yet
  if (log::enabled(log::level::debug))
    log::debug("a2a: task " + snapshot.id + " submitted" + (owner.empty() ? "" : " by " + owner));
  start_turn(caller, snapshot, m, owner);
  trim_history(snapshot, history_length);
  return sent{std::move(snapshot), std::move(sub)};
}

void task_manager::start_turn(const request_context& caller, task snapshot, message input, const std::string& owner) {
  auto t = std::make_shared<turn>(snapshot.id, snapshot.context_id, owner);
  turns_[snapshot.id] = t;
  running_.insert(t);
  ++active_by_owner_[owner];
  turn_context ctx{caller, std::move(snapshot), std::move(input)};
  group_.spawn(run_turn(shared_from_this(), t, std::move(ctx)), "a2a task " + t->task_id);
}

awaitable<void> task_manager::run_turn(std::shared_ptr<task_manager> self, std::shared_ptr<turn> t, turn_context ctx) {
  std::string failure;
  try {
    // co_spawn may start us inline; let send() return its snapshot first.
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    if (!t->cancel_requested) {
      auto updater = std::shared_ptr<task_updater>(new task_updater(self, t, t->task_id, t->context_id));
      // The executor runs as a child bound to the turn's own signal, which
      // CancelTask and close() emit.
      co_await asio::co_spawn(self->executor_, self->agent_->execute(std::move(ctx), std::move(updater)),
                              asio::bind_cancellation_slot(t->stop.slot(), asio::use_awaitable));
    }
  } catch (const boost::system::system_error& e) {
    failure = e.code() == asio::error::operation_aborted ? "the agent stopped before this task finished"
                                                         : std::string("the agent failed: ") + e.what();
  } catch (const std::exception& e) {
    failure = std::string("the agent failed: ") + e.what();
  }
  self->end_turn(t, failure);
}

void task_manager::end_turn(const std::shared_ptr<turn>& t, const std::string& failure) {
  if (t->live && !t->cancel_requested) {
    // The executor returned (or died) without reporting an outcome.
    std::string why = !failure.empty()          ? failure
                      : !t->stop_reason.empty() ? t->stop_reason
                                                : "the agent ended its turn without reporting a result";
    message m;
    m.message_id = new_id();
    m.task_id = t->task_id;
    m.context_id = t->context_id;
    m.role = role::agent;
    m.parts.push_back(part::text(why));
    if (auto r = apply_update(*t, task_state::failed, std::move(m)); !r)
      log::warn("a2a: cannot record the failure of task " + t->task_id + ": " + r.error().what());
  }
  t->live = false;
  release(*t);
  running_.erase(t);
}

void task_manager::release(turn& t) {
  // Called when the outcome is reported (the coroutine may still be winding
  // down) and again when the coroutine ends; only the first call counts.
  auto it = turns_.find(t.task_id);
  if (it == turns_.end() || it->second.get() != &t) return;
  turns_.erase(it);
  auto a = active_by_owner_.find(t.owner);
  if (a != active_by_owner_.end() && --a->second == 0) active_by_owner_.erase(a);
}

result<void> task_manager::set_status(const std::string& id, const std::string& context_id, task_status s) {
  AP_TRYV(store_->set_status(id, s));
  schedule_flush();
  if (s.message) AP_TRYV(store_->add_message(id, *s.message, config_.max_history));
  bool final = ends_turn(s.state);
  bool terminal = is_terminal(s.state);
  if (log::enabled(log::level::debug))
    log::debug("a2a: task " + id + " is " + std::string(to_string(s.state)));
  broadcast(id, status_update{id, context_id, std::move(s), final}, terminal);
  return ok();
}

result<void> task_manager::apply_update(turn& t, task_state s, std::optional<message> m) {
  if (!t.live) return turn_over(t.task_id);
  if (s == task_state::unknown) return rpc_error(rpc_errc::invalid_params, "an executor cannot set the unknown state");
  if (m) {
    if (m->message_id.empty()) m->message_id = new_id();
    m->task_id = t.task_id;
    m->context_id = t.context_id;
  }
  if (ends_turn(s)) {
    // The task may take its next message (or be deleted) from now on.
    t.live = false;
    release(t);
  }
  return set_status(t.task_id, t.context_id, task_status{s, std::move(m), now()});
}

result<void> task_manager::apply_artifact(turn& t, artifact a, bool append, bool last_chunk) {
  if (!t.live) return turn_over(t.task_id);
  if (a.artifact_id.empty()) a.artifact_id = new_id();
  AP_TRY(auto found, store_->get(t.task_id, 0, true));
  if (!found) return not_found(t.task_id);
  auto& existing = found->task.artifacts;
  auto same =
      std::find_if(existing.begin(), existing.end(), [&](const artifact& e) { return e.artifact_id == a.artifact_id; });
  if (same == existing.end() && existing.size() >= config_.max_artifacts_per_task)
    return rpc_error(rpc_errc::invalid_params, "task " + t.task_id + " already has " +
                                                   std::to_string(config_.max_artifacts_per_task) + " artifacts");
  artifact merged = a;
  if (append && same != existing.end()) {
    merged = *same;
    merged.parts.insert(merged.parts.end(), a.parts.begin(), a.parts.end());
  }
  AP_TRYV(store_->put_artifact(t.task_id, merged));
  schedule_flush();
  broadcast(t.task_id, artifact_update{t.task_id, t.context_id, std::move(a), append, last_chunk}, false);
  return ok();
}

void task_manager::schedule_flush() {
  if (flush_armed_) return;
  flush_armed_ = true;
  flush_timer_.expires_after(config_.flush_delay);
  flush_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self) return;
    self->flush_armed_ = false;
    if (!ec) self->flush_store();  // (cancelled: close() flushes)
  });
}

void task_manager::request_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->flush_posted_ = false;
      self->flush_store();
    }
  });
}

bool task_manager::is_durable(std::string_view id) const {
  auto ticket = store_->commit_ticket(id);
  if (ticket == 0) return true;
  auto done = store_->commit_outcome(ticket);
  return done && *done;
}

awaitable<result<void>> task_manager::durable(std::string id) {
  auto ticket = store_->commit_ticket(id);
  if (ticket == 0) co_return ok();
  if (auto done = store_->commit_outcome(ticket)) co_return std::move(*done);
  request_flush();
  auto& slot = commit_waits_[ticket];
  if (!slot) {
    slot = std::make_shared<commit_group>(executor_);
    slot->wake.expires_after(config_.commit_timeout);
  }
  auto group = slot;
  // on_commits() cancels the wait once the batch is finished; otherwise the
  // timer expires at the deadline.
  co_await group->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  if (auto done = store_->commit_outcome(ticket)) co_return std::move(*done);
  bool expired = group->wake.expiry() <= asio::steady_timer::clock_type::now();
  if (auto it = commit_waits_.find(ticket); it != commit_waits_.end() && it->second == group && expired)
    commit_waits_.erase(it);  // later callers start a fresh deadline
  if (!expired) co_return make_error(errc::cancelled, "a2a: waiting for task " + id + " to be saved was cancelled");
  static auto& stalls = counters::limit("a2a", "store_commit_timeouts",
                                        "A2A answers refused: the task store did not confirm a write in time");
  counters::count_and_log(stalls, "a2a: the task store did not confirm writing task " + id + " within " +
                                      std::to_string(config_.commit_timeout.count()) + " ms");
  co_return make_error(errc::timeout, "a2a: the task store did not confirm saving task " + id + " within " +
                                          std::to_string(config_.commit_timeout.count()) +
                                          " ms; its result may not survive a restart");
}

void task_manager::on_commits() {
  // Batches finish in order: stop at the first one still being written.
  while (!commit_waits_.empty()) {
    auto it = commit_waits_.begin();
    if (!store_->commit_outcome(it->first)) break;
    it->second->wake.cancel();
    commit_waits_.erase(it);
  }
}

void task_manager::flush_store() {
  if (auto r = store_->flush(); !r) log::warn(std::string("a2a: cannot write tasks to the store: ") + r.error().what());
}

void task_manager::broadcast(const std::string& task_id, const task_event& e, bool last) {
  auto it = subscribers_.find(task_id);
  if (it == subscribers_.end()) return;
  auto subs = it->second;  // pushing may not re-enter, but stay safe against edits
  for (auto& w : subs) {
    if (auto s = w.lock()) {
      s->push(e);
      if (last) s->close();
    }
  }
  if (last) {
    subscribers_.erase(task_id);
  } else {
    std::erase_if(it->second, [](const auto& w) { return w.expired(); });
    if (it->second.empty()) subscribers_.erase(it);
  }
}

result<task> task_manager::get(const request_context& caller, std::string_view id,
                               std::optional<std::size_t> history_length) {
  AP_TRY(auto found, load_visible(caller, id, history_length));
  return std::move(found.task);
}

result<task> task_manager::cancel(const request_context& caller, std::string_view id) {
  AP_TRY(auto found, load_visible(caller, id, std::nullopt));
  auto& t = found.task;
  if (is_terminal(t.status.state))
    return rpc_error(
        rpc_errc::task_not_cancelable,
        "task " + t.id + " is already " + std::string(to_string(t.status.state)) + " and cannot be canceled");
  if (auto it = turns_.find(t.id); it != turns_.end()) {
    // Stop the executor; its coroutine ends at its next co_await.
    auto t = it->second;
    t->live = false;
    t->cancel_requested = true;
    release(*t);
    t->stop.emit(asio::cancellation_type::terminal);
  }
  task_status s{task_state::canceled, std::nullopt, now()};
  AP_TRYV(set_status(t.id, t.context_id, s));
  t.status = std::move(s);
  if (log::enabled(log::level::debug))
    log::debug("a2a: task " + t.id + " canceled");
  return std::move(t);
}

result<task_page> task_manager::list(const request_context& caller, task_query q) {
  if (caller.peer) q.owner = owner_of(caller);
  if (q.limit == 0) q.limit = config_.default_page_size;
  q.limit = std::min(q.limit, config_.max_page_size);
  q.history_length = std::min(q.history_length, config_.max_history);
  return store_->list(q);
}

result<task_manager::sent> task_manager::subscribe(const request_context& caller, std::string_view id) {
  AP_TRY(auto found, load_visible(caller, id, std::nullopt));
  auto& t = found.task;
  if (is_terminal(t.status.state))
    return rpc_error(rpc_errc::unsupported_operation, "task " + t.id + " is already " +
                                                          std::string(to_string(t.status.state)) +
                                                          "; there are no more updates (use GetTask / tasks/get)");
  auto sub = add_subscriber(t.id);
  if (!sub) return rpc_error(rpc_errc::unsupported_operation, "task " + t.id + " has too many subscribers");
  return sent{std::move(t), std::move(sub)};
}

awaitable<void> task_manager::close() {
  closed_ = true;
  // Emitting may end a turn at once (and erase it from running_): walk a copy.
  auto running = running_;
  for (auto& t : running) {
    t->stop_reason = "the agent stopped before this task finished";
    t->stop.emit(asio::cancellation_type::terminal);
  }
  group_.cancel();
  co_await group_.join();
  for (auto& [id, subs] : subscribers_)
    for (auto& w : subs)
      if (auto s = w.lock()) s->close();
  subscribers_.clear();
  flush_timer_.cancel();
  flush_store();
}

}  // namespace agentp2p::a2a
