// Where tasks live. The task manager is the only writer; it keeps nothing but
// live state (running turns, subscribers) in memory and reads tasks back from
// here, so a restart loses no task, history or artifact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/agent/a2a/types.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::a2a {

struct stored_task {
  a2a::task task;
  std::string owner;  // the peer id that created it; empty for local callers
};

// Position in the list order (status time descending, then id descending).
struct task_cursor {
  timestamp updated{};
  std::string id;
};

struct task_query {
  std::optional<std::string> owner;  // nullopt: every owner
  std::string context_id;            // empty: any context
  std::optional<task_state> state;
  std::optional<timestamp> updated_since;  // status time at or after this
  std::optional<task_cursor> after;        // continue after this task
  std::size_t limit = 50;
  std::size_t history_length = 0;  // most recent messages per task
  bool include_artifacts = false;
};

struct task_page {
  std::vector<task> tasks;
  std::size_t total = 0;            // matches before pagination
  std::optional<task_cursor> next;  // set when more tasks follow
};

// Calls run on the caller's (the host's) thread and must stay quick.
// A store may keep writes in memory and write them later (reads always see
// them); flush() writes what is pending, and destroying the store flushes.
class task_store {
 public:
  virtual ~task_store() = default;

  // Writes every change so far (or hands it to the store's writer, which
  // writes it in order; destroying the store waits for it). The task manager
  // calls it shortly after changes (a burst of them in one write) and on close().
  virtual result<void> flush() { return ok(); }

  // ---- Durability (group commit). The task manager waits, before it tells a
  // caller that a task ended its turn, until that state is committed; a store
  // that writes synchronously is always committed (these defaults).
  //
  // The write batch that must be committed for task `id`'s current state to
  // be durable; 0 when nothing is to wait for. When the task still has
  // unwritten changes this is the batch the next flush() creates.
  virtual std::uint64_t commit_ticket(std::string_view /*id*/) { return 0; }
  // nullopt while batch `ticket` is not committed yet; ok() once it is; an
  // error when a write failed (then results are not durable: the store
  // reports every later ticket as failed too). Any thread.
  virtual std::optional<result<void>> commit_outcome(std::uint64_t /*ticket*/) const { return ok(); }
  // Called on the store's writer thread after each transaction (committed or
  // failed); nullptr removes it. It must be quick and thread-safe (post to an
  // executor).
  virtual void set_commit_listener(std::function<void()> /*listener*/) {}
  // True while the writer is too far behind to take more work (new tasks
  // are refused rather than letting unwritten changes grow without bound).
  virtual bool overloaded() const { return false; }

  // A new task with its history and artifacts.
  virtual result<void> insert(const task& t, std::string_view owner) = 0;
  // nullopt when there is no such task. history_length: the most recent
  // messages to load (nullopt: all).
  virtual result<std::optional<stored_task>> get(std::string_view id, std::optional<std::size_t> history_length,
                                                 bool include_artifacts = true) = 0;
  virtual result<void> set_status(std::string_view id, const task_status& s) = 0;
  // Appends to the history and drops the oldest beyond `keep_last`.
  virtual result<void> add_message(std::string_view id, const message& m, std::size_t keep_last) = 0;
  // Adds an artifact or replaces the one with the same artifact_id.
  virtual result<void> put_artifact(std::string_view id, const artifact& a) = 0;
  virtual result<task_page> list(const task_query& q) = 0;
  // Tasks stored for `owner`.
  virtual result<std::size_t> count(std::string_view owner) = 0;
  // The owner's terminal task with the oldest status time (eviction victim).
  virtual result<std::optional<std::string>> oldest_finished(std::string_view owner) = 0;
  virtual result<void> erase(std::string_view id) = 0;
};

}  // namespace agentp2p::a2a
