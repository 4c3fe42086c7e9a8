// task_store in an embedded SQLite database: WAL journal, prepared
// statements, a schema_version table checked at open.
//
// Write-behind: every task's (owner, state, status time) is indexed in memory
// (loaded at open), so counts and eviction victims need no query, and the
// tasks changed since the last flush() are kept whole in memory (plus a small
// LRU cache of recent ones), so reads of running tasks need no query either.
// flush() turns every pending change into SQL (JSON serialized on the
// calling thread) and hands it to the store's writer thread, which commits
// every batch queued at that moment in one transaction (group commit): a
// task created, worked on and finished between two flushes costs one row,
// its messages and artifacts, instead of a transaction per change, and the
// network thread does not wait for SQLite.
// Durability: batches are numbered; commit_ticket(id) says which batch holds
// a task's latest change, commit_outcome() whether it is committed (or the
// write failed), and the commit listener tells the task manager when the
// writer finished one, so the manager can wait without blocking before it
// reports a finished task (a ":memory:" database survives no crash, so its
// tickets are always 0: nothing to wait for). Journal: WAL with
// synchronous=NORMAL, so a committed transaction survives the process being
// killed (it is in the WAL file; only an OS crash or power loss before the
// next checkpoint's fsync can lose it). Checkpoints run on the writer after a commit's waiters were
// told, not inside the COMMIT, so their fsyncs do not delay replies.
// Reads that need SQL (ListTasks, a task not in memory) wait for the writer
// to finish first. Pending changes are bounded (max_pending tasks: then the
// change that reaches it flushes); the writer's queue is unbounded in
// batches but overloaded() turns true past max_unwritten_ops statements (the
// task manager then refuses new tasks); the destructor flushes and waits
// until everything is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agentp2p/agent/a2a/task_store.hpp"

namespace agentp2p::a2a {

class sqlite_task_store final : public task_store {
 public:
  // Opens (creating if needed) the database at `path`; ":memory:" gives a
  // private in-memory database. Fails if the file's schema is newer than
  // this build understands.
  static result<std::unique_ptr<sqlite_task_store>> open(const std::string& path);
  ~sqlite_task_store() override;

  // Tasks with unwritten changes before a change flushes by itself, and
  // clean tasks kept in memory for reads.
  static constexpr std::size_t max_pending = 256;
  static constexpr std::size_t max_cached = 512;
  // Statements queued for the writer beyond which overloaded() is true.
  static constexpr std::size_t max_unwritten_ops = 200000;

  static constexpr int schema_version = 1;

  result<void> insert(const task& t, std::string_view owner) override;
  result<std::optional<stored_task>> get(std::string_view id, std::optional<std::size_t> history_length,
                                         bool include_artifacts = true) override;
  result<void> set_status(std::string_view id, const task_status& s) override;
  result<void> add_message(std::string_view id, const message& m, std::size_t keep_last) override;
  result<void> put_artifact(std::string_view id, const artifact& a) override;
  result<task_page> list(const task_query& q) override;
  result<std::size_t> count(std::string_view owner) override;
  result<std::optional<std::string>> oldest_finished(std::string_view owner) override;
  result<void> erase(std::string_view id) override;
  result<void> flush() override;
  std::uint64_t commit_ticket(std::string_view id) override;
  std::optional<result<void>> commit_outcome(std::uint64_t ticket) const override;
  void set_commit_listener(std::function<void()> listener) override;
  bool overloaded() const override;
  // Tasks whose changes are not written yet (tests).
  std::size_t pending() const noexcept;

 private:
  struct impl;
  explicit sqlite_task_store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace agentp2p::a2a
