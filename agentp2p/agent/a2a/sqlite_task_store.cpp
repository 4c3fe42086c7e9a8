#include "agentp2p/agent/a2a/sqlite_task_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <list>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

// Stored JSON uses the A2A 1.0 encoding (lossless for our model) and is read
// back with the lenient parser; limits are wide because we wrote it ourselves.
const parse_limits stored_limits{1u << 20, 1u << 16, 1u << 20, 1u << 20};

agentp2p::error db_error(sqlite3* db, std::string_view what) {
  return {errc::io_error, "a2a task store: " + std::string(what) + ": " + sqlite3_errmsg(db)};
}

// A prepared statement, prepared once and reused.
class statement {
 public:
  statement() = default;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement() { sqlite3_finalize(s_); }

  result<void> prepare(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
      return db_error(db, std::string("prepare \"") + sql + "\"");
    return ok();
  }
  sqlite3_stmt* get() const noexcept { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// One use of a statement: binds, steps, and resets it when done.
class use {
 public:
  use(sqlite3* db, const statement& st) : db_(db), s_(st.get()) {}
  ~use() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  use& text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  use& integer(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  use& null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  // true: a row is ready; false: done.
  result<bool> step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return db_error(db_, "step");
  }
  result<void> run() {
    auto r = step();
    if (!r) return std::move(r).error();
    return ok();
  }
  std::string column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, i))) : std::string();
  }
  bool column_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  std::int64_t column_int(int i) const { return sqlite3_column_int64(s_, i); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
};

std::string to_text(const json::value& v) { return json::serialize(v); }

result<json::value> from_text(const std::string& s) {
  boost::system::error_code ec;
  auto v = json::parse(s, ec);
  if (ec) return agentp2p::error(errc::decode_error, "a2a task store: corrupt JSON in the database: " + ec.message());
  return v;
}

std::int64_t ms(timestamp t) { return t.time_since_epoch().count(); }

constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS tasks (
  id          TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  context_id  TEXT NOT NULL,
  state       TEXT NOT NULL,
  status      TEXT NOT NULL,
  metadata    TEXT,
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_time ON tasks(updated_ms DESC, id DESC);
CREATE INDEX IF NOT EXISTS tasks_by_owner ON tasks(owner, updated_ms DESC, id DESC);
CREATE INDEX IF NOT EXISTS tasks_by_context ON tasks(context_id, updated_ms DESC);
CREATE TABLE IF NOT EXISTS messages (
  task_id  TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  body     TEXT NOT NULL,
  PRIMARY KEY (task_id, seq)
);
CREATE TABLE IF NOT EXISTS artifacts (
  task_id      TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  artifact_id  TEXT NOT NULL,
  body         TEXT NOT NULL,
  PRIMARY KEY (task_id, seq),
  UNIQUE (task_id, artifact_id)
);
)sql";

// The filters of task_query, shared by the list and count statements.
constexpr const char* filter_sql =
    " WHERE (?1 IS NULL OR owner = ?1) AND (?2 IS NULL OR context_id = ?2) AND (?3 IS NULL OR state = ?3)"
    " AND (?4 IS NULL OR updated_ms >= ?4)";

}  // namespace

struct sqlite_task_store::impl {
  sqlite3* db = nullptr;
  statement begin, commit, rollback;
  statement insert_task, insert_message, insert_artifact, upsert_artifact;
  statement select_task, select_messages, select_artifacts;
  statement update_status, trim_messages;
  statement list_tasks, count_matches;
  statement delete_task, delete_messages, delete_artifacts;
  statement all_tasks;

  // Every stored task (pending ones included): enough to count an owner's
  // tasks, find its oldest finished one and tell a missing id without a query.
  struct meta {
    std::string owner;
    task_state state = task_state::unknown;
    std::int64_t updated_ms = 0;
    std::uint64_t batch = 0;  // the write batch that last wrote it (0: loaded at open)
  };
  struct owner_index {
    std::size_t count = 0;
    std::set<std::pair<std::int64_t, std::string>> finished;  // (status time, id), oldest first
  };
  std::unordered_map<std::string, meta> index;
  std::unordered_map<std::string, owner_index> owners;

  // Whole tasks in memory: every task with unwritten changes, and recently
  // used clean ones (least recently used dropped first).
  struct cached {
    stored_task st;
    bool is_new = false;             // no row yet: written whole
    bool status_dirty = false;
    std::size_t unsaved_messages = 0;  // at the end of the history
    std::optional<std::size_t> trim_to;  // keep_last to apply after writing messages
    std::vector<std::string> dirty_artifacts;
    bool queued = false;  // in `pending`
    std::list<std::string>::iterator lru;
  };
  std::unordered_map<std::string, cached> cache;
  std::list<std::string> lru;             // most recently used first
  std::vector<std::string> pending;       // ids with changes, in order of first change
  std::vector<std::string> pending_deletes;

  result<void> exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return agentp2p::error(errc::io_error, "a2a task store: " + msg);
    }
    return ok();
  }

  result<void> migrate() {
    AP_TRYV(exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    std::optional<std::int64_t> found;
    {
      statement q;
      AP_TRYV(q.prepare(db, "SELECT version FROM schema_version"));
      use u(db, q);
      AP_TRY(bool has, u.step());
      if (has) found = u.column_int(0);
    }
    if (found) {
      auto v = *found;
      if (v > schema_version)
        return agentp2p::error(errc::unsupported, "a2a task store: the database has schema version " +
                                                      std::to_string(v) + "; this build understands up to " +
                                                      std::to_string(schema_version));
      // Version 1 is the first; later versions add their upgrade steps here.
      return ok();
    }
    AP_TRYV(exec("BEGIN"));
    auto created = exec(schema_sql);
    if (created) created = exec("INSERT INTO schema_version (version) VALUES (1)");
    if (!created) {
      (void)exec("ROLLBACK");
      return created;
    }
    return exec("COMMIT");
  }

  result<void> prepare_all() {
    AP_TRYV(begin.prepare(db, "BEGIN IMMEDIATE"));
    AP_TRYV(commit.prepare(db, "COMMIT"));
    AP_TRYV(rollback.prepare(db, "ROLLBACK"));
    AP_TRYV(insert_task.prepare(db,
                                "INSERT INTO tasks (id, owner, context_id, state, status, metadata, created_ms, "
                                "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    AP_TRYV(insert_message.prepare(db,
                                   "INSERT INTO messages (task_id, seq, body) VALUES (?1, "
                                   "(SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE task_id = ?1), ?2)"));
    AP_TRYV(insert_artifact.prepare(db,
                                    "INSERT INTO artifacts (task_id, seq, artifact_id, body) VALUES (?1, "
                                    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM artifacts WHERE task_id = ?1), ?2, ?3)"));
    AP_TRYV(upsert_artifact.prepare(db,
                                    "INSERT INTO artifacts (task_id, seq, artifact_id, body) VALUES (?1, "
                                    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM artifacts WHERE task_id = ?1), ?2, ?3) "
                                    "ON CONFLICT (task_id, artifact_id) DO UPDATE SET body = excluded.body"));
    AP_TRYV(select_task.prepare(db, "SELECT owner, context_id, status, metadata FROM tasks WHERE id = ?1"));
    AP_TRYV(select_messages.prepare(db,
                                    "SELECT body FROM (SELECT seq, body FROM messages WHERE task_id = ?1 "
                                    "ORDER BY seq DESC LIMIT ?2) ORDER BY seq ASC"));
    AP_TRYV(select_artifacts.prepare(db, "SELECT body FROM artifacts WHERE task_id = ?1 ORDER BY seq ASC"));
    AP_TRYV(update_status.prepare(db, "UPDATE tasks SET state = ?2, status = ?3, updated_ms = ?4 WHERE id = ?1"));
    AP_TRYV(trim_messages.prepare(db,
                                  "DELETE FROM messages WHERE task_id = ?1 AND seq <= "
                                  "(SELECT MAX(seq) FROM messages WHERE task_id = ?1) - ?2"));
    std::string list_sql = std::string("SELECT id, context_id, status, metadata, updated_ms FROM tasks") + filter_sql +
                           " AND (?5 IS NULL OR updated_ms < ?5 OR (updated_ms = ?5 AND id < ?6))"
                           " ORDER BY updated_ms DESC, id DESC LIMIT ?7";
    AP_TRYV(list_tasks.prepare(db, list_sql.c_str()));
    std::string count_sql = std::string("SELECT COUNT(*) FROM tasks") + filter_sql;
    AP_TRYV(count_matches.prepare(db, count_sql.c_str()));
    AP_TRYV(delete_task.prepare(db, "DELETE FROM tasks WHERE id = ?1"));
    AP_TRYV(delete_messages.prepare(db, "DELETE FROM messages WHERE task_id = ?1"));
    AP_TRYV(delete_artifacts.prepare(db, "DELETE FROM artifacts WHERE task_id = ?1"));
    AP_TRYV(all_tasks.prepare(db, "SELECT id, owner, state, updated_ms FROM tasks"));
    return ok();
  }

  // Runs `body` in a transaction; rolls back when it fails.
  template <class F>
  result<void> transaction(F&& body) {
    AP_TRYV(use(db, begin).run());
    auto r = body();
    if (!r) {
      (void)use(db, rollback).run();
      return r;
    }
    return use(db, commit).run();
  }

  result<void> add_message_row(std::string_view id, const message& m) {
    return use(db, insert_message).text(1, id).text(2, to_text(to_json(m, dialect::v1_0))).run();
  }

  result<std::vector<message>> load_messages(std::string_view id, std::optional<std::size_t> limit) {
    std::vector<message> out;
    use u(db, select_messages);
    u.text(1, id).integer(2, limit ? static_cast<std::int64_t>(*limit) : -1);
    for (;;) {
      AP_TRY(bool row, u.step());
      if (!row) break;
      AP_TRY(auto v, from_text(u.column_text(0)));
      AP_TRY(auto m, parse_message(v, stored_limits));
      out.push_back(std::move(m));
    }
    return out;
  }

  result<std::vector<artifact>> load_artifacts(std::string_view id) {
    std::vector<artifact> out;
    use u(db, select_artifacts);
    u.text(1, id);
    for (;;) {
      AP_TRY(bool row, u.step());
      if (!row) break;
      AP_TRY(auto v, from_text(u.column_text(0)));
      AP_TRY(auto a, parse_artifact(v, stored_limits));
      out.push_back(std::move(a));
    }
    return out;
  }

  // Fills a task's status and metadata from their stored JSON.
  result<void> decode_row(task& t, const std::string& status, bool has_metadata, const std::string& metadata) {
    AP_TRY(auto sv, from_text(status));
    AP_TRY(t.status, parse_status(sv, stored_limits));
    if (has_metadata) {
      AP_TRY(auto mv, from_text(metadata));
      if (auto* o = mv.if_object()) t.metadata = std::move(*o);
    }
    return ok();
  }

  void bind_filters(use& u, const task_query& q) {
    if (q.owner)
      u.text(1, *q.owner);
    else
      u.null(1);
    if (!q.context_id.empty())
      u.text(2, q.context_id);
    else
      u.null(2);
    if (q.state)
      u.text(3, to_string(*q.state));
    else
      u.null(3);
    if (q.updated_since)
      u.integer(4, ms(*q.updated_since));
    else
      u.null(4);
  }

  // ---- the in-memory index

  void index_add(const std::string& id, const std::string& owner, task_state state, std::int64_t updated) {
    index[id] = meta{owner, state, updated};
    auto& o = owners[owner];
    ++o.count;
    if (is_terminal(state)) o.finished.emplace(updated, id);
  }

  void index_set_state(const std::string& id, task_state state, std::int64_t updated) {
    auto it = index.find(id);
    if (it == index.end()) return;
    auto& m = it->second;
    auto& o = owners[m.owner];
    if (is_terminal(m.state)) o.finished.erase({m.updated_ms, id});
    m.state = state;
    m.updated_ms = updated;
    if (is_terminal(state)) o.finished.emplace(updated, id);
  }

  void index_remove(const std::string& id) {
    auto it = index.find(id);
    if (it == index.end()) return;
    auto o = owners.find(it->second.owner);
    if (o != owners.end()) {
      if (is_terminal(it->second.state)) o->second.finished.erase({it->second.updated_ms, id});
      if (--o->second.count == 0) owners.erase(o);
    }
    index.erase(it);
  }

  result<void> load_index() {
    use u(db, all_tasks);
    for (;;) {
      AP_TRY(bool row, u.step());
      if (!row) break;
      auto state = parse_state(u.column_text(2));
      index_add(u.column_text(0), u.column_text(1), state ? *state : task_state::unknown, u.column_int(3));
    }
    return ok();
  }

  // ---- whole tasks in memory

  // A stored task read by SQL (it has no pending changes: those are cached).
  result<std::optional<stored_task>> read_task(std::string_view id, std::optional<std::size_t> history_length,
                                               bool include_artifacts) {
    wait_for_writer();
    stored_task st;
    st.task.id = std::string(id);
    {
      use u(db, select_task);
      u.text(1, id);
      AP_TRY(bool row, u.step());
      if (!row) return std::optional<stored_task>();
      st.owner = u.column_text(0);
      st.task.context_id = u.column_text(1);
      AP_TRYV(decode_row(st.task, u.column_text(2), !u.column_null(3), u.column_text(3)));
    }
    if (!history_length || *history_length > 0) {
      AP_TRY(st.task.history, load_messages(id, history_length));
    }
    if (include_artifacts) {
      AP_TRY(st.task.artifacts, load_artifacts(id));
    }
    return std::optional<stored_task>(std::move(st));
  }

  void touch(cached& c) { lru.splice(lru.begin(), lru, c.lru); }

  cached& add_to_cache(const std::string& id, stored_task st) {
    auto [it, inserted] = cache.try_emplace(id);
    auto& c = it->second;
    if (inserted) {
      lru.push_front(id);
      c.lru = lru.begin();
    }
    c.st = std::move(st);
    return c;
  }

  void drop_from_cache(const std::string& id) {
    auto it = cache.find(id);
    if (it == cache.end()) return;
    if (it->second.queued) std::erase(pending, id);
    lru.erase(it->second.lru);
    cache.erase(it);
  }

  // Drops the least recently used clean tasks beyond max_cached.
  void evict() {
    auto it = lru.end();
    while (cache.size() > max_cached && it != lru.begin()) {
      --it;
      auto c = cache.find(*it);
      if (c->second.queued) continue;
      auto victim = it++;
      cache.erase(c);
      lru.erase(victim);
    }
  }

  // The cached task `id`, read into the cache first if needed; nullptr when
  // there is no such task.
  result<cached*> writable(std::string_view id) {
    if (auto it = cache.find(std::string(id)); it != cache.end()) {
      touch(it->second);
      return &it->second;
    }
    if (!index.contains(std::string(id))) return static_cast<cached*>(nullptr);
    AP_TRY(auto st, read_task(id, std::nullopt, true));
    if (!st) return static_cast<cached*>(nullptr);
    auto key = std::string(id);
    return &add_to_cache(key, std::move(*st));
  }

  // Marks `c` (task `id`) as changed; flushes when too many are.
  void changed(const std::string& id, cached& c) {
    if (!c.queued) {
      c.queued = true;
      pending.push_back(id);
    }
    if (pending.size() >= max_pending) {
      if (auto r = flush(); !r) log::warn(std::string("a2a task store: ") + r.error().what());
    }
  }

  // ---- writing: changes become SQL operations (with their JSON already
  // serialized) that the writer thread runs, a batch per transaction.

  struct sql_arg {
    enum class kind : std::uint8_t { null, integer, text } k = kind::null;
    std::int64_t i = 0;
    std::string s;
  };
  struct sql_op {
    const statement* st = nullptr;
    std::array<sql_arg, 8> args;
    std::uint8_t count = 0;

    sql_op& text(std::string v) {
      auto& a = args[count++];
      a.k = sql_arg::kind::text;
      a.s = std::move(v);
      return *this;
    }
    sql_op& integer(std::int64_t v) {
      auto& a = args[count++];
      a.k = sql_arg::kind::integer;
      a.i = v;
      return *this;
    }
    sql_op& null() {
      args[count++].k = sql_arg::kind::null;
      return *this;
    }
  };
  using batch = std::vector<sql_op>;

  sql_op& op(batch& b, const statement& st) {
    b.emplace_back().st = &st;
    return b.back();
  }

  void task_ops(batch& b, const std::string& id, const cached& c) {
    const auto& t = c.st.task;
    if (c.is_new) {
      auto& o = op(b, insert_task).text(id).text(c.st.owner).text(t.context_id);
      o.text(std::string(to_string(t.status.state))).text(to_text(to_json(t.status, dialect::v1_0)));
      if (t.metadata)
        o.text(to_text(*t.metadata));
      else
        o.null();
      // created_ms: the first status time we know of.
      o.integer(ms(t.status.time)).integer(ms(t.status.time));
      for (const auto& m : t.history) op(b, insert_message).text(id).text(to_text(to_json(m, dialect::v1_0)));
      for (const auto& a : t.artifacts)
        op(b, insert_artifact).text(id).text(a.artifact_id).text(to_text(to_json(a, dialect::v1_0)));
      return;
    }
    if (c.status_dirty)
      op(b, update_status)
          .text(id)
          .text(std::string(to_string(t.status.state)))
          .text(to_text(to_json(t.status, dialect::v1_0)))
          .integer(ms(t.status.time));
    auto unsaved = std::min(c.unsaved_messages, t.history.size());
    for (auto m = t.history.end() - static_cast<long>(unsaved); m != t.history.end(); ++m)
      op(b, insert_message).text(id).text(to_text(to_json(*m, dialect::v1_0)));
    if (c.trim_to) op(b, trim_messages).text(id).integer(static_cast<std::int64_t>(*c.trim_to));
    for (const auto& a : t.artifacts)
      if (std::find(c.dirty_artifacts.begin(), c.dirty_artifacts.end(), a.artifact_id) != c.dirty_artifacts.end())
        op(b, upsert_artifact).text(id).text(a.artifact_id).text(to_text(to_json(a, dialect::v1_0)));
  }

  // On the writer thread (or inline when there is none): every batch in one
  // transaction, in order.
  result<void> run_batches(const std::vector<batch>& group) {
    return transaction([&]() -> result<void> {
      for (const auto& b : group)
        for (const auto& o : b) {
        use u(db, *o.st);
        for (int n = 0; n < o.count; ++n) {
          const auto& a = o.args[static_cast<std::size_t>(n)];
          if (a.k == sql_arg::kind::text)
            u.text(n + 1, a.s);
          else if (a.k == sql_arg::kind::integer)
            u.integer(n + 1, a.i);
          else
            u.null(n + 1);
        }
        AP_TRYV(u.run());
        }
      return ok();
    });
  }

  // The writer thread: takes every queued batch at once and commits them in
  // one transaction (group commit: the batches that queued up while it was
  // busy share the next commit). The network thread never waits for it to
  // write, only before it reads SQL itself (the connection is never used by
  // both at once) and, asynchronously, in the task manager's durability
  // waits (commit_outcome + the listener).
  //
  // Batches are numbered in order (submitted_seq, network thread);
  // done_seq is the last one the writer finished, first_failed the first
  // one whose transaction failed (0: none).
  std::mutex writer_mutex;
  std::condition_variable writer_work, writer_done;
  std::deque<batch> queued;
  std::size_t queued_ops = 0;
  std::atomic<std::size_t> backlog{0};  // queued_ops, for overloaded()
  bool writer_busy = false;
  bool writer_stop = false;
  std::thread writer;
  std::uint64_t submitted_seq = 0;
  std::atomic<std::uint64_t> done_seq{0};
  std::atomic<std::uint64_t> first_failed{0};
  std::string failure;  // writer_mutex
  bool persistent = true;  // false for ":memory:"
  std::mutex listener_mutex;  // held while the listener runs, so clearing it waits for a running call
  std::function<void()> listener;

  // Checkpoints (copying the WAL back into the database, with the fsyncs of
  // synchronous=NORMAL) run after a commit's waiters were notified rather
  // than inside the COMMIT (SQLite's autocheckpoint), so they delay the next
  // batch (which grows meanwhile) instead of the replies waiting for this one.
  static constexpr int checkpoint_frames = 1000;  // SQLite's default threshold
  int wal_frames = 0;                             // writer thread

  static int on_wal_commit(void* self, sqlite3*, const char*, int frames) {
    static_cast<impl*>(self)->wal_frames = frames;
    return SQLITE_OK;
  }

  void checkpoint_if_due() {
    if (wal_frames < checkpoint_frames) return;
    wal_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) log::warn(db_error(db, "checkpoint").what());
  }

  void start_writer() {
    writer = std::thread([this] { writer_loop(); });
  }

  // After batches up to `last` (from `first`) were written or failed.
  void finished(std::uint64_t first, std::uint64_t last, const result<void>& r) {
    {
      std::lock_guard lock(writer_mutex);
      if (!r && first_failed.load(std::memory_order_relaxed) == 0) {
        failure = r.error().what();
        first_failed.store(first, std::memory_order_release);
      }
      done_seq.store(last, std::memory_order_release);
    }
    std::lock_guard lock(listener_mutex);
    if (listener) listener();
  }

  void writer_loop() {
    std::vector<batch> group;
    for (;;) {
      std::unique_lock lock(writer_mutex);
      writer_work.wait(lock, [&] { return writer_stop || !queued.empty(); });
      if (queued.empty()) return;  // stopping, and everything is written
      std::size_t ops = queued_ops;
      for (auto& b : queued) group.push_back(std::move(b));
      queued.clear();
      queued_ops = 0;
      backlog.store(0, std::memory_order_relaxed);
      std::uint64_t last = submitted_seq_seen;
      std::uint64_t first = last - group.size() + 1;
      writer_busy = true;
      lock.unlock();
      auto r = run_batches(group);
      if (!r)
        log::error(std::string("a2a task store: writing ") + std::to_string(ops) +
                   " changes failed (they are lost): " + r.error().what());
      group.clear();
      finished(first, last, r);
      checkpoint_if_due();  // after the waiters were told (still writer_busy: the connection is ours)
      lock.lock();
      writer_busy = false;
      writer_done.notify_all();
    }
  }

  // The number of the last queued batch, as the writer sees it.
  std::uint64_t submitted_seq_seen = 0;  // writer_mutex

  void submit(batch b) {
    std::size_t n = b.size();
    std::lock_guard lock(writer_mutex);
    queued.push_back(std::move(b));
    queued_ops += n;
    backlog.store(queued_ops, std::memory_order_relaxed);
    submitted_seq_seen = submitted_seq;
    writer_work.notify_one();
  }

  // Before the network thread uses the connection itself.
  void wait_for_writer() {
    std::unique_lock lock(writer_mutex);
    writer_done.wait(lock, [&] { return queued.empty() && !writer_busy; });
  }

  void stop_writer() {
    if (!writer.joinable()) return;
    {
      std::lock_guard lock(writer_mutex);
      writer_stop = true;
    }
    writer_work.notify_one();
    writer.join();
  }

  std::optional<result<void>> outcome(std::uint64_t ticket) {
    if (ticket > done_seq.load(std::memory_order_acquire)) return std::nullopt;
    auto f = first_failed.load(std::memory_order_acquire);
    if (f != 0 && f <= ticket) {
      std::lock_guard lock(writer_mutex);
      return result<void>(agentp2p::error(
          errc::io_error, "a2a task store: writing to the database failed (" + failure +
                              "); changes since then may be lost, so results are not confirmed as saved"));
    }
    return result<void>(ok());
  }

  // Hands every pending change to the writer.
  result<void> flush() {
    if (pending.empty() && pending_deletes.empty()) return ok();
    batch b;
    // Deletes first: an id erased and then inserted again is written anew.
    for (const auto& id : pending_deletes) {
      op(b, delete_messages).text(id);
      op(b, delete_artifacts).text(id);
      op(b, delete_task).text(id);
    }
    pending_deletes.clear();
    const auto seq = submitted_seq + 1;  // this batch's number
    for (const auto& id : pending) {
      auto it = cache.find(id);
      if (it == cache.end()) continue;
      auto& c = it->second;
      task_ops(b, id, c);
      if (auto m = index.find(id); m != index.end()) m->second.batch = seq;
      c.is_new = c.status_dirty = c.queued = false;
      c.unsaved_messages = 0;
      c.trim_to.reset();
      c.dirty_artifacts.clear();
    }
    pending.clear();
    ++submitted_seq;  // == seq
    if (writer.joinable()) {
      submit(std::move(b));
    } else {
      std::vector<batch> group;
      group.push_back(std::move(b));
      auto r = run_batches(group);
      finished(seq, seq, r);
      checkpoint_if_due();
      AP_TRYV(r);
    }
    evict();
    return ok();
  }
};

sqlite_task_store::sqlite_task_store(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

sqlite_task_store::~sqlite_task_store() {
  if (auto r = impl_->flush(); !r)
    log::error(std::string("a2a task store: unwritten changes lost at close: ") + r.error().what());
  impl_->stop_writer();  // after it wrote everything queued
  sqlite3* db = impl_->db;
  impl_.reset();  // finalizes the statements
  sqlite3_close(db);
}

result<std::unique_ptr<sqlite_task_store>> sqlite_task_store::open(const std::string& path) {
  auto p = std::make_unique<impl>();
  int rc =
      sqlite3_open_v2(path.c_str(), &p->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = p->db ? sqlite3_errmsg(p->db) : "out of memory";
    sqlite3_close(p->db);
    return agentp2p::error(errc::io_error, "a2a task store: cannot open " + path + ": " + msg);
  }
  std::unique_ptr<sqlite_task_store> store(new sqlite_task_store(std::move(p)));
  auto& i = *store->impl_;
  i.persistent = path != ":memory:" && !path.empty();
  sqlite3_busy_timeout(i.db, 2000);
  // WAL: readers never block the writer and commits are cheap; NORMAL is
  // durable across application crashes (only an OS crash may lose the last
  // commits).
  AP_TRYV(i.exec("PRAGMA journal_mode = WAL"));
  AP_TRYV(i.exec("PRAGMA synchronous = NORMAL"));
  // Replaces SQLite's autocheckpoint: see checkpoint_if_due().
  sqlite3_wal_hook(i.db, &impl::on_wal_commit, &i);
  AP_TRYV(i.migrate());
  AP_TRYV(i.prepare_all());
  AP_TRYV(i.load_index());
  i.start_writer();
  return store;
}

result<void> sqlite_task_store::insert(const task& t, std::string_view owner) {
  auto& i = *impl_;
  if (i.index.contains(t.id))
    return agentp2p::error(errc::already_exists, "a2a task store: task " + t.id + " exists already");
  stored_task st;
  st.task = t;
  st.owner = std::string(owner);
  auto& c = i.add_to_cache(t.id, std::move(st));
  c.is_new = true;
  i.index_add(t.id, c.st.owner, t.status.state, ms(t.status.time));
  i.changed(t.id, c);
  return ok();
}

result<std::optional<stored_task>> sqlite_task_store::get(std::string_view id,
                                                          std::optional<std::size_t> history_length,
                                                          bool include_artifacts) {
  auto& i = *impl_;
  auto it = i.cache.find(std::string(id));
  if (it == i.cache.end()) {
    if (!i.index.contains(std::string(id))) return std::optional<stored_task>();
    if (history_length || !include_artifacts) return i.read_task(id, history_length, include_artifacts);
    // A whole task: keep it for the next reads and changes.
    AP_TRY(auto st, i.read_task(id, std::nullopt, true));
    if (!st) return st;
    auto key = std::string(id);
    i.add_to_cache(key, *st);
    i.evict();
    return st;
  }
  i.touch(it->second);
  const auto& t = it->second.st.task;
  stored_task out;
  out.owner = it->second.st.owner;
  out.task.id = t.id;
  out.task.context_id = t.context_id;
  out.task.status = t.status;
  out.task.metadata = t.metadata;
  auto n = history_length ? std::min(*history_length, t.history.size()) : t.history.size();
  out.task.history.assign(t.history.end() - static_cast<long>(n), t.history.end());
  if (include_artifacts) out.task.artifacts = t.artifacts;
  return std::optional<stored_task>(std::move(out));
}

result<void> sqlite_task_store::set_status(std::string_view id, const task_status& s) {
  auto& i = *impl_;
  AP_TRY(auto* c, i.writable(id));
  if (!c) return agentp2p::error(errc::not_found, "a2a task store: no task " + std::string(id));
  c->st.task.status = s;
  c->status_dirty = true;
  auto key = std::string(id);
  i.index_set_state(key, s.state, ms(s.time));
  i.changed(key, *c);
  return ok();
}

result<void> sqlite_task_store::add_message(std::string_view id, const message& m, std::size_t keep_last) {
  auto& i = *impl_;
  AP_TRY(auto* c, i.writable(id));
  if (!c) return agentp2p::error(errc::not_found, "a2a task store: no task " + std::string(id));
  auto& h = c->st.task.history;
  h.push_back(m);
  ++c->unsaved_messages;
  if (h.size() > keep_last) {
    h.erase(h.begin(), h.end() - static_cast<long>(keep_last));
    c->trim_to = keep_last;
  }
  i.changed(std::string(id), *c);
  return ok();
}

result<void> sqlite_task_store::put_artifact(std::string_view id, const artifact& a) {
  auto& i = *impl_;
  AP_TRY(auto* c, i.writable(id));
  if (!c) return agentp2p::error(errc::not_found, "a2a task store: no task " + std::string(id));
  auto& all = c->st.task.artifacts;
  auto same = std::find_if(all.begin(), all.end(), [&](const artifact& e) { return e.artifact_id == a.artifact_id; });
  if (same != all.end())
    *same = a;
  else
    all.push_back(a);
  if (std::find(c->dirty_artifacts.begin(), c->dirty_artifacts.end(), a.artifact_id) == c->dirty_artifacts.end())
    c->dirty_artifacts.push_back(a.artifact_id);
  i.changed(std::string(id), *c);
  return ok();
}

result<task_page> sqlite_task_store::list(const task_query& q) {
  auto& i = *impl_;
  AP_TRYV(i.flush());  // SQL answers the query: write what is pending first
  i.wait_for_writer();
  task_page page;
  {
    use u(i.db, i.count_matches);
    i.bind_filters(u, q);
    AP_TRY(bool row, u.step());
    page.total = row ? static_cast<std::size_t>(u.column_int(0)) : 0;
  }
  {
    use u(i.db, i.list_tasks);
    i.bind_filters(u, q);
    if (q.after)
      u.integer(5, ms(q.after->updated)).text(6, q.after->id);
    else
      u.null(5).null(6);
    u.integer(7, static_cast<std::int64_t>(q.limit) + 1);  // one more tells whether a next page exists
    for (;;) {
      AP_TRY(bool row, u.step());
      if (!row) break;
      if (page.tasks.size() == q.limit) {
        const auto& last = page.tasks.back();
        page.next = task_cursor{last.status.time, last.id};
        break;
      }
      task t;
      t.id = u.column_text(0);
      t.context_id = u.column_text(1);
      AP_TRYV(i.decode_row(t, u.column_text(2), !u.column_null(3), u.column_text(3)));
      // The cursor must use the stored sort key, not the decoded timestamp.
      t.status.time = timestamp{std::chrono::milliseconds{u.column_int(4)}};
      page.tasks.push_back(std::move(t));
    }
  }
  for (auto& t : page.tasks) {
    if (q.history_length > 0) {
      AP_TRY(t.history, i.load_messages(t.id, q.history_length));
    }
    if (q.include_artifacts) {
      AP_TRY(t.artifacts, i.load_artifacts(t.id));
    }
  }
  return page;
}

result<std::size_t> sqlite_task_store::count(std::string_view owner) {
  auto& i = *impl_;
  auto it = i.owners.find(std::string(owner));
  return it == i.owners.end() ? std::size_t{0} : it->second.count;
}

result<std::optional<std::string>> sqlite_task_store::oldest_finished(std::string_view owner) {
  auto& i = *impl_;
  auto it = i.owners.find(std::string(owner));
  if (it == i.owners.end() || it->second.finished.empty()) return std::optional<std::string>();
  return std::optional<std::string>(it->second.finished.begin()->second);
}

result<void> sqlite_task_store::erase(std::string_view id) {
  auto& i = *impl_;
  auto key = std::string(id);
  if (!i.index.contains(key)) return ok();
  bool written = true;  // has rows in the database
  if (auto it = i.cache.find(key); it != i.cache.end()) written = !it->second.is_new;
  i.drop_from_cache(key);
  i.index_remove(key);
  if (written) i.pending_deletes.push_back(std::move(key));
  if (i.pending_deletes.size() >= max_pending) AP_TRYV(i.flush());
  return ok();
}

result<void> sqlite_task_store::flush() { return impl_->flush(); }

std::uint64_t sqlite_task_store::commit_ticket(std::string_view id) {
  auto& i = *impl_;
  if (!i.persistent) return 0;  // ":memory:" survives no crash: nothing to wait for
  auto key = std::string(id);
  if (auto it = i.cache.find(key); it != i.cache.end() && it->second.queued) return i.submitted_seq + 1;
  auto it = i.index.find(key);
  return it == i.index.end() ? 0 : it->second.batch;
}

std::optional<result<void>> sqlite_task_store::commit_outcome(std::uint64_t ticket) const {
  return impl_->outcome(ticket);
}

void sqlite_task_store::set_commit_listener(std::function<void()> listener) {
  std::lock_guard lock(impl_->listener_mutex);
  impl_->listener = std::move(listener);
}

bool sqlite_task_store::overloaded() const {
  return impl_->backlog.load(std::memory_order_relaxed) >= max_unwritten_ops;
}

std::size_t sqlite_task_store::pending() const noexcept {
  return impl_->pending.size() + impl_->pending_deletes.size();
}

}  // namespace agentp2p::a2a
