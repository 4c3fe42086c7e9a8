#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/agent/a2a/test_util.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace a2a_test;

namespace {

a2a::task make_task(std::string id, std::string ctx, a2a::task_state s, a2a::timestamp when) {
  a2a::task t;
  t.id = std::move(id);
  t.context_id = std::move(ctx);
  t.status = {s, std::nullopt, when};
  auto m = text_message("hello " + t.id);
  m.task_id = t.id;
  m.context_id = t.context_id;
  t.history.push_back(m);
  return t;
}

// An executor that finishes every turn at once with an artifact.
struct instant_executor final : a2a::agent_executor {
  awaitable<void> execute(a2a::turn_context ctx, std::shared_ptr<a2a::task_updater> u) override {
    a2a::artifact a;
    a.parts.push_back(a2a::part::text("done: " + a2a::text_of(ctx.input)));
    (void)u->add_artifact(std::move(a));
    (void)u->complete(u->agent_message("finished"));
    co_return;
  }
};

// One that never finishes on its own.
struct hanging_executor final : a2a::agent_executor {
  awaitable<void> execute(a2a::turn_context, std::shared_ptr<a2a::task_updater> u) override {
    (void)u->working();
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
    co_await t.async_wait(asio::use_awaitable);
  }
};

}  // namespace

TEST(a2a_sqlite_store, tasks_and_history_survive_a_restart) {
  temp_db db;
  asio::io_context ctx;
  std::string first_id;
  {
    auto mgr = open_manager(ctx.get_executor(), std::make_shared<instant_executor>(), {}, db.path);
    test::run_void(ctx, [&](executor) -> awaitable<void> {
      auto a = mgr->send({}, text_message("one"), true);
      EXPECT_TRUE(a) << a.error().what();
      first_id = a->task.id;
      for (;;) {
        auto ev = co_await a->events->next();
        if (!ev || !*ev) break;
      }
      auto b = mgr->send({}, text_message("two"), false);
      EXPECT_TRUE(b);
      co_await mgr->close();
    });
  }
  // A new manager on the same file sees both tasks, their history and artifacts.
  auto again = open_manager(ctx.get_executor(), std::make_shared<instant_executor>(), {}, db.path);
  auto t = again->get({}, first_id);
  ASSERT_TRUE(t) << t.error().what();
  EXPECT_EQ(t->status.state, a2a::task_state::completed);
  ASSERT_EQ(t->history.size(), 2u);  // the user's message and the agent's "finished"
  EXPECT_EQ(a2a::text_of(t->history[0]), "one");
  EXPECT_EQ(t->history[0].task_id, first_id);
  EXPECT_EQ(t->history[1].role, a2a::role::agent);
  ASSERT_EQ(t->artifacts.size(), 1u);
  a2a::message as_message;
  as_message.parts = t->artifacts[0].parts;
  EXPECT_EQ(a2a::text_of(as_message), "done: one");
  auto all = again->list({}, {});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 2u);
}

TEST(a2a_sqlite_store, a_restart_fails_tasks_that_were_running) {
  temp_db db;
  std::string id;
  {
    asio::io_context ctx;
    auto mgr = open_manager(ctx.get_executor(), std::make_shared<hanging_executor>(), {}, db.path);
    auto sent = mgr->send({}, text_message("work"), false);
    ASSERT_TRUE(sent);
    id = sent->task.id;
    ctx.poll();  // the turn starts and reports working
    // The process "dies": the manager is dropped without close() and its
    // event loop is torn down with the turn still running.
  }
  asio::io_context ctx2;
  auto again = open_manager(ctx2.get_executor(), std::make_shared<instant_executor>(), {}, db.path);
  auto t = again->get({}, id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status.state, a2a::task_state::failed);
  ASSERT_TRUE(t->status.message);
  EXPECT_NE(a2a::text_of(*t->status.message).find("restarted"), std::string::npos);
}

TEST(a2a_sqlite_store, lists_with_filters_and_pages) {
  auto store = a2a::sqlite_task_store::open(":memory:");
  ASSERT_TRUE(store) << store.error().what();
  auto base = a2a::now();
  for (int i = 0; i < 7; ++i) {
    auto state = i % 2 ? a2a::task_state::completed : a2a::task_state::working;
    auto t = make_task("t" + std::to_string(i), i < 4 ? "ctx-a" : "ctx-b", state, base + std::chrono::seconds(i));
    ASSERT_TRUE((*store)->insert(t, i == 6 ? "other-peer" : "peer"));
  }
  a2a::task_query q;
  q.owner = "peer";
  q.limit = 4;
  auto p1 = (*store)->list(q);
  ASSERT_TRUE(p1) << p1.error().what();
  EXPECT_EQ(p1->total, 6u);
  ASSERT_EQ(p1->tasks.size(), 4u);
  EXPECT_EQ(p1->tasks[0].id, "t5");  // most recently updated first
  ASSERT_TRUE(p1->next);
  q.after = p1->next;
  auto p2 = (*store)->list(q);
  ASSERT_TRUE(p2);
  ASSERT_EQ(p2->tasks.size(), 2u);
  EXPECT_EQ(p2->tasks[1].id, "t0");
  EXPECT_FALSE(p2->next);
  EXPECT_TRUE(p2->tasks[0].history.empty());  // history_length 0 by default

  a2a::task_query by_ctx;
  by_ctx.context_id = "ctx-b";
  by_ctx.state = a2a::task_state::completed;
  by_ctx.history_length = 5;
  auto p3 = (*store)->list(by_ctx);
  ASSERT_TRUE(p3);
  ASSERT_EQ(p3->tasks.size(), 1u);
  EXPECT_EQ(p3->tasks[0].id, "t5");
  EXPECT_EQ(p3->tasks[0].history.size(), 1u);
}

TEST(a2a_sqlite_store, history_is_capped_and_eviction_picks_the_oldest_finished) {
  auto store = std::move(*a2a::sqlite_task_store::open(":memory:"));
  auto base = a2a::now();
  ASSERT_TRUE(store->insert(make_task("a", "c", a2a::task_state::completed, base), "p"));
  ASSERT_TRUE(store->insert(make_task("b", "c", a2a::task_state::working, base - std::chrono::hours(1)), "p"));
  ASSERT_TRUE(store->insert(make_task("c", "c", a2a::task_state::failed, base + std::chrono::seconds(1)), "p"));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->add_message("a", text_message(std::to_string(i)), 3));
  auto a = store->get("a", std::nullopt);
  ASSERT_TRUE(a && *a);
  ASSERT_EQ((*a)->task.history.size(), 3u);
  EXPECT_EQ(a2a::text_of((*a)->task.history.back()), "9");
  auto last_two = store->get("a", 2);
  EXPECT_EQ((*last_two)->task.history.size(), 2u);
  auto victim = store->oldest_finished("p");
  ASSERT_TRUE(victim && *victim);
  EXPECT_EQ(**victim, "a");  // b is older but still working
  ASSERT_TRUE(store->erase("a"));
  EXPECT_FALSE(*store->get("a", std::nullopt));
  EXPECT_EQ(*store->count("p"), 2u);
}

TEST(a2a_sqlite_store, counts_per_owner_follow_inserts_and_erases) {
  auto store = std::move(*a2a::sqlite_task_store::open(":memory:"));
  auto base = a2a::now();
  EXPECT_EQ(*store->count("p"), 0u);  // counted once, then kept up to date
  ASSERT_TRUE(store->insert(make_task("a", "c", a2a::task_state::completed, base), "p"));
  ASSERT_TRUE(store->insert(make_task("b", "c", a2a::task_state::completed, base), "p"));
  ASSERT_TRUE(store->insert(make_task("x", "c", a2a::task_state::completed, base), "q"));
  EXPECT_EQ(*store->count("p"), 2u);
  EXPECT_FALSE(store->insert(make_task("a", "c", a2a::task_state::completed, base), "p"));  // duplicate id
  EXPECT_EQ(*store->count("p"), 2u);
  ASSERT_TRUE(store->erase("a"));
  ASSERT_TRUE(store->erase("missing"));
  EXPECT_EQ(*store->count("p"), 1u);
  EXPECT_EQ(*store->count("q"), 1u);
  ASSERT_TRUE(store->erase("x"));
  EXPECT_EQ(*store->count("q"), 0u);
}

TEST(a2a_sqlite_store, refuses_a_newer_schema) {
  temp_db db;
  { ASSERT_TRUE(a2a::sqlite_task_store::open(db.path)); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto again = a2a::sqlite_task_store::open(db.path);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("schema version 99"), std::string::npos) << again.error().what();
}

TEST(a2a_sqlite_store, changes_are_written_in_batches_and_at_close) {
  temp_db db;
  auto base = a2a::now();
  {
    auto store = std::move(*a2a::sqlite_task_store::open(db.path));
    ASSERT_TRUE(store->insert(make_task("a", "c", a2a::task_state::submitted, base), "p"));
    ASSERT_TRUE(store->set_status("a", {a2a::task_state::working, std::nullopt, base}));
    ASSERT_TRUE(store->add_message("a", text_message("more"), 10));
    a2a::artifact art;
    art.artifact_id = "r";
    art.parts.push_back(a2a::part::text("first"));
    ASSERT_TRUE(store->put_artifact("a", art));
    EXPECT_EQ(store->pending(), 1u);  // one task changed, nothing written yet
    // Reads see the pending changes.
    auto a = store->get("a", std::nullopt);
    ASSERT_TRUE(a && *a);
    EXPECT_EQ((*a)->task.status.state, a2a::task_state::working);
    EXPECT_EQ((*a)->task.history.size(), 2u);
    ASSERT_TRUE(store->flush());
    EXPECT_EQ(store->pending(), 0u);
    // Changes after a flush: an update of a written task, an erase and an
    // insert again under the same id, all left for the destructor.
    art.parts[0] = a2a::part::text("second");
    ASSERT_TRUE(store->put_artifact("a", art));
    ASSERT_TRUE(store->set_status("a", {a2a::task_state::completed, std::nullopt, base + std::chrono::seconds(1)}));
    ASSERT_TRUE(store->insert(make_task("b", "c", a2a::task_state::completed, base), "p"));
    ASSERT_TRUE(store->flush());
    ASSERT_TRUE(store->erase("b"));
    ASSERT_TRUE(store->insert(make_task("b", "c2", a2a::task_state::failed, base), "q"));
    ASSERT_TRUE(store->insert(make_task("n", "c", a2a::task_state::working, base), "p"));
    ASSERT_TRUE(store->erase("n"));  // never written: nothing to delete
  }
  auto store = std::move(*a2a::sqlite_task_store::open(db.path));
  auto a = store->get("a", std::nullopt);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->task.status.state, a2a::task_state::completed);
  ASSERT_EQ((*a)->task.history.size(), 2u);
  EXPECT_EQ(a2a::text_of((*a)->task.history[1]), "more");
  ASSERT_EQ((*a)->task.artifacts.size(), 1u);
  a2a::message as_message;
  as_message.parts = (*a)->task.artifacts[0].parts;
  EXPECT_EQ(a2a::text_of(as_message), "second");
  auto b = store->get("b", std::nullopt);
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->owner, "q");
  EXPECT_EQ((*b)->task.context_id, "c2");
  EXPECT_FALSE(*store->get("n", std::nullopt));
  EXPECT_EQ(*store->count("p"), 1u);
  EXPECT_EQ(*store->count("q"), 1u);
  EXPECT_EQ(**store->oldest_finished("p"), "a");
  a2a::task_query all;
  auto page = store->list(all);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 2u);
}

TEST(a2a_sqlite_store, pending_changes_are_bounded) {
  auto store = std::move(*a2a::sqlite_task_store::open(":memory:"));
  auto base = a2a::now();
  for (std::size_t i = 0; i < 3 * a2a::sqlite_task_store::max_pending; ++i) {
    std::string id = "t";  // (not "t" + to_string: GCC 12 warns falsely about it)
    id += std::to_string(i);
    ASSERT_TRUE(store->insert(make_task(id, "c", a2a::task_state::completed, base), "p"));
    EXPECT_LT(store->pending(), a2a::sqlite_task_store::max_pending);
  }
  // Older tasks left the memory cache and are read back from the database.
  auto first = store->get("t0", std::nullopt);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->task.history.size(), 1u);
  a2a::task_query q;
  q.limit = 1;
  EXPECT_EQ(store->list(q)->total, 3 * a2a::sqlite_task_store::max_pending);
}
