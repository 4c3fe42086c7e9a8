// The A2A task manager: creates tasks from messages, runs their turns on an
// agent_executor, persists every change in a task_store and delivers status
// and artifact events to subscribers. Transport-agnostic (the dispatcher
// drives it for libp2p streams and HTTP alike).
//
// Threading: one executor (the host's); call everything from it.
// Ownership: turns run as coroutines owned by the manager; close() cancels
// and joins them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "agentp2p/agent/a2a/agent_executor.hpp"
#include "agentp2p/agent/a2a/subscription.hpp"
#include "agentp2p/agent/a2a/task_store.hpp"
#include "agentp2p/base/task_group.hpp"

namespace agentp2p::a2a {

struct manager_config {
  // Tasks kept per owner (peer); beyond it the owner's oldest finished task
  // is deleted, and if none is finished the new task is refused.
  std::size_t max_tasks_per_peer = 1000;
  // Turns running at once for one owner, and in total.
  std::size_t max_active_tasks_per_peer = 16;
  std::size_t max_active_tasks = 256;
  // Messages kept in a task's history (the oldest are dropped).
  std::size_t max_history = 100;
  // One message, serialized.
  std::size_t max_message_bytes = 1024 * 1024;
  std::size_t max_artifacts_per_task = 64;
  // Subscribers of one task, and the events one may fall behind.
  std::size_t max_subscribers_per_task = 16;
  std::size_t max_queued_events = 256;
  // ListTasks page size bounds (A2A 1.0: default 50, at most 100).
  std::size_t default_page_size = 50;
  std::size_t max_page_size = 100;
  // Changes are written to the store this long after the first unwritten
  // one (a burst of them in one transaction); close() writes at once. A
  // crash may lose what changed in this window, a clean stop nothing.
  std::chrono::milliseconds flush_delay{5};
  // How long durable() waits for the store to confirm a commit before it
  // gives up with an error (a stalled or failing writer).
  std::chrono::milliseconds commit_timeout{std::chrono::seconds(10)};
};

class task_manager : public std::enable_shared_from_this<task_manager> {
 public:
  // Tasks left submitted/working by a previous run (their turn died with the
  // process) are marked failed.
  static result<std::shared_ptr<task_manager>> open(executor ex, std::unique_ptr<task_store> store,
                                                    std::shared_ptr<agent_executor> agent, manager_config cfg = {});
  ~task_manager();

  struct sent {
    a2a::task task;                        // as it was when the turn started
    std::shared_ptr<subscription> events;  // when asked for: every event of the turn
  };
  // Starts a turn for `m`: a new task (context id generated when absent), or
  // the next turn of the task m.task_id names, which must be waiting for
  // input. With `subscribe` the subscription exists before the turn starts.
  // Always a task: callers that can carry a Message result ask
  // replies_directly() first.
  result<sent> send(const request_context& caller, message m, bool subscribe,
                    std::optional<std::size_t> history_length = std::nullopt);

  // Direct replies (agent_executor::replies_directly): true when `m` names no
  // task and the executor answers it with a message instead of a task.
  bool replies_directly(const request_context& caller, const message& m) const;
  // The executor's reply to `m`; nothing is created or stored (GetTask on
  // anything in it: not found). The limits of a new task's turn apply: the
  // message's size and parts, and turns running per peer and in total (a
  // reply counts as one while it runs); the store's backlog and the stored
  // task count do not (nothing is stored). The reply has role agent, the
  // input's context id (generated when absent), no task id.
  awaitable<result<message>> reply(request_context caller, message m);

  result<task> get(const request_context& caller, std::string_view id,
                   std::optional<std::size_t> history_length = std::nullopt);
  // Terminal tasks cannot be canceled (task_not_cancelable).
  result<task> cancel(const request_context& caller, std::string_view id);
  // Peers see only their own tasks; q.limit 0 means the default page size.
  result<task_page> list(const request_context& caller, task_query q);
  // A non-terminal task's current state plus its future events.
  result<sent> subscribe(const request_context& caller, std::string_view id);

  // Acknowledged means durable: call before telling a caller that a task
  // ended its turn (terminal, input/auth required). Resolves once the task's
  // current state is committed by the store's writer: every change pending
  // now goes into the same transaction (callers waiting at the same time
  // share one commit). Never blocks the thread; errc::io_error when the
  // store failed to write, errc::timeout after commit_timeout.
  awaitable<result<void>> durable(std::string id);
  // True when durable(id) has nothing to wait for (saves the coroutine).
  bool is_durable(std::string_view id) const;

  // Cancels running turns (their tasks fail), joins them, ends subscriptions.
  awaitable<void> close();

  const manager_config& settings() const noexcept { return config_; }
  // Task turns plus direct replies running now.
  std::size_t active_turns() const noexcept { return turns_.size() + replies_running_; }

 private:
  friend class task_updater;
  using turn = task_updater::turn;

  task_manager(executor ex, std::unique_ptr<task_store> store, std::shared_ptr<agent_executor> agent,
               manager_config cfg);
  result<void> recover();
  result<stored_task> load_visible(const request_context& caller, std::string_view id,
                                   std::optional<std::size_t> history_length);
  // The checks every new message passes (size, parts); sets role user.
  result<void> admit(const request_context& caller, message& m);
  // The running-turn limits (per owner, in total) for one more turn.
  result<void> check_active(const std::string& owner);
  result<void> make_room(const std::string& owner);
  std::size_t subscriber_count(const std::string& task_id) const;
  std::shared_ptr<subscription> add_subscriber(const std::string& task_id);
  void start_turn(const request_context& caller, task snapshot, message input, const std::string& owner);
  static awaitable<void> run_turn(std::shared_ptr<task_manager> self, std::shared_ptr<turn> t, turn_context ctx);
  void end_turn(const std::shared_ptr<turn>& t, const std::string& failure);
  void release(turn& t);

  // The one place a task's status changes: persists and broadcasts.
  result<void> set_status(const std::string& id, const std::string& context_id, task_status s);
  result<void> apply_update(turn& t, task_state s, std::optional<message> m);
  result<void> apply_artifact(turn& t, artifact a, bool append, bool last_chunk);
  void broadcast(const std::string& task_id, const task_event& e, bool last);
  // Flushes the store after flush_delay (once per burst of changes).
  void schedule_flush();
  void flush_store();
  // Flushes at the end of this round of the event loop (once, however many
  // durable() callers asked during it).
  void request_flush();
  // Wakes the durable() callers whose batches the store finished.
  void on_commits();

  // The callers waiting for one write batch: one timer that the commit
  // cancels (or that expires at the commit deadline) wakes them all.
  struct commit_group {
    explicit commit_group(executor ex) : wake(std::move(ex)) {}
    asio::steady_timer wake;
  };

  executor executor_;
  std::unique_ptr<task_store> store_;
  std::shared_ptr<agent_executor> agent_;
  manager_config config_;
  std::unordered_map<std::string, std::shared_ptr<turn>> turns_;  // live turns, by task id
  std::unordered_set<std::shared_ptr<turn>> running_;             // turns whose coroutine runs
  std::unordered_map<std::string, std::size_t> active_by_owner_;  // task turns and direct replies
  std::size_t replies_running_ = 0;
  std::unordered_map<std::string, std::vector<std::weak_ptr<subscription>>> subscribers_;
  task_group group_;
  asio::steady_timer flush_timer_;
  bool flush_armed_ = false;
  bool flush_posted_ = false;
  std::map<std::uint64_t, std::shared_ptr<commit_group>> commit_waits_;  // by batch number
  std::shared_ptr<std::atomic<bool>> commit_wake_posted_ = std::make_shared<std::atomic<bool>>(false);
  bool closed_ = false;
};

}  // namespace agentp2p::a2a
