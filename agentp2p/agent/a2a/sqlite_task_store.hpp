// task_store in an embedded SQLite database: WAL journal, prepared
// statements, a schema_version table checked at open.
//
// Calls are synchronous on the calling thread. Each is one small indexed
// statement or a short transaction (tens of microseconds on a local disk;
// synchronous=NORMAL under WAL means no fsync per commit), so running them on
// the host's executor is cheaper than hopping to a worker thread and back.
#pragma once

#include <memory>
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

 private:
  struct impl;
  explicit sqlite_task_store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace agentp2p::a2a
