// task_group: the owner of a set of coroutines. Library code never detaches a
// coroutine; it spawns it into the group of the object that owns it (host,
// connection, service), and that owner cancels and joins the group on close.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/cancellation_signal.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p {

class task_group {
 public:
  explicit task_group(executor ex);
  ~task_group();  // cancels whatever still runs
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;

  // Starts `task` on the group's executor. An exception escaping the task is
  // a bug: it is logged with `name` and swallowed, never propagated.
  // Returns the task's own cancellation signal (emit it to cancel this task
  // alone). It lives until the task has ended — the task may even have run
  // to its end before spawn returns — so emit it only while something the
  // task clears on its way out says it still runs.
  asio::cancellation_signal& spawn(awaitable<void> task, std::string name = "task");

  // Requests terminal cancellation of every running task.
  void cancel();
  // Completes when no task is running (tasks spawned meanwhile included).
  awaitable<void> join();

  std::size_t size() const noexcept;
  executor get_executor() const { return executor_; }

 private:
  struct state;
  executor executor_;
  std::shared_ptr<state> state_;
};

}  // namespace agentp2p
