#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/agent/a2a/test_util.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace a2a_test;

namespace {

// Behaviour picked by the message text:
//   "steps"  working → artifact (two chunks) → completed
//   "ask"    input-required; the next turn ("answer") completes
//   "hang"   working, then waits an hour
//   "quiet"  returns without reporting anything
//   "throw"  throws
struct scripted_executor final : a2a::agent_executor {
  int cancelled = 0;
  awaitable<void> execute(a2a::turn_context ctx, std::shared_ptr<a2a::task_updater> u) override {
    auto text = a2a::text_of(ctx.input);
    if (text == "steps") {
      (void)u->working(u->agent_message("thinking"));
      a2a::artifact a;
      a.artifact_id = "out";
      a.parts.push_back(a2a::part::text("hello "));
      (void)u->add_artifact(a, false, false);
      a.parts = {a2a::part::text("world")};
      (void)u->add_artifact(a, true, true);
      (void)u->complete();
    } else if (text == "ask") {
      (void)u->require_input("which city?");
    } else if (text == "answer") {
      (void)u->complete(u->agent_message("booked for " + std::to_string(ctx.task.history.size()) + " messages"));
    } else if (text == "hang") {
      (void)u->working();
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
      try {
        co_await t.async_wait(asio::use_awaitable);
      } catch (...) {
        ++cancelled;
        throw;
      }
    } else if (text == "throw") {
      throw std::runtime_error("boom");
    }
    co_return;
  }
};

awaitable<std::vector<a2a::task_event>> drain(std::shared_ptr<a2a::subscription> s) {
  std::vector<a2a::task_event> out;
  for (;;) {
    auto ev = co_await s->next();
    if (!ev || !*ev) break;
    out.push_back(std::move(**ev));
    if (auto* st = std::get_if<a2a::status_update>(&out.back()); st && st->final) break;
  }
  co_return out;
}

a2a::task_state state_of_event(const a2a::task_event& e) { return std::get<a2a::status_update>(e).status.state; }

}  // namespace

namespace {

a2a::request_context peer_ctx() {
  return {crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key())};
}

int code(const agentp2p::error& e) { return a2a::rpc_code(e); }

}  // namespace

TEST(a2a_task_manager, a_turn_reports_status_and_artifacts_in_order) {
  asio::io_context ctx;
  auto agent = std::make_shared<scripted_executor>();
  auto mgr = open_manager(ctx.get_executor(), agent);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto sent = mgr->send({}, text_message("steps"), true);
    EXPECT_TRUE(sent) << sent.error().what();
    EXPECT_EQ(sent->task.status.state, a2a::task_state::submitted);
    EXPECT_FALSE(sent->task.context_id.empty());  // generated
    auto events = co_await drain(sent->events);
    EXPECT_EQ(events.size(), 4u);
    if (events.size() == 4) {
      EXPECT_EQ(state_of_event(events[0]), a2a::task_state::working);
      EXPECT_FALSE(std::get<a2a::status_update>(events[0]).final);
      auto& chunk = std::get<a2a::artifact_update>(events[2]);
      EXPECT_TRUE(chunk.append);
      EXPECT_TRUE(chunk.last_chunk);
      EXPECT_EQ(state_of_event(events[3]), a2a::task_state::completed);
      EXPECT_TRUE(std::get<a2a::status_update>(events[3]).final);
    }
    auto t = mgr->get({}, sent->task.id);
    EXPECT_TRUE(t);
    EXPECT_EQ(t->status.state, a2a::task_state::completed);
    EXPECT_EQ(t->artifacts.size(), 1u);  // the appended chunk joined its artifact
    if (!t->artifacts.empty()) {
      EXPECT_EQ(t->artifacts[0].parts.size(), 2u);
    }
    EXPECT_EQ(t->history.size(), 2u);  // "steps" and "thinking"
    auto one = mgr->get({}, sent->task.id, 1);
    EXPECT_EQ(one->history.size(), 1u);
    co_await mgr->close();
  });
}

TEST(a2a_task_manager, cancel_stops_the_turn_and_finished_tasks_cannot_be_canceled) {
  asio::io_context ctx;
  auto agent = std::make_shared<scripted_executor>();
  auto mgr = open_manager(ctx.get_executor(), agent);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto sent = mgr->send({}, text_message("hang"), true);
    EXPECT_TRUE(sent);
    auto first = co_await sent->events->next();  // working
    EXPECT_TRUE(first && *first);
    auto c = mgr->cancel({}, sent->task.id);
    EXPECT_TRUE(c) << c.error().what();
    EXPECT_EQ(c->status.state, a2a::task_state::canceled);
    auto rest = co_await drain(sent->events);
    EXPECT_EQ(rest.size(), 1u);
    if (!rest.empty()) {
      EXPECT_EQ(state_of_event(rest.back()), a2a::task_state::canceled);
    }

    auto again = mgr->cancel({}, sent->task.id);
    EXPECT_FALSE(again);
    if (!again) {
      EXPECT_EQ(code(again.error()), -32002);
    }
    auto unknown = mgr->cancel({}, "no-such-task");
    EXPECT_FALSE(unknown);
    if (!unknown) {
      EXPECT_EQ(code(unknown.error()), -32001);
    }

    auto done = mgr->send({}, text_message("steps"), true);
    (void)co_await drain(done->events);
    auto finished = mgr->cancel({}, done->task.id);
    EXPECT_FALSE(finished);
    if (!finished) {
      EXPECT_EQ(code(finished.error()), -32002);
      EXPECT_NE(finished.error().message.find("completed"), std::string::npos);
    }
    co_await mgr->close();
  });
  EXPECT_EQ(agent->cancelled, 1);
  EXPECT_EQ(mgr->active_turns(), 0u);
}

TEST(a2a_task_manager, input_required_resumes_with_the_next_message) {
  asio::io_context ctx;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<scripted_executor>());
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto sent = mgr->send({}, text_message("ask"), true);
    auto first = co_await drain(sent->events);
    EXPECT_EQ(first.size(), 1u);
    if (!first.empty()) {
      EXPECT_EQ(state_of_event(first[0]), a2a::task_state::input_required);
    }

    auto wrong_ctx = text_message("answer");
    wrong_ctx.task_id = sent->task.id;
    wrong_ctx.context_id = "another-context";
    auto mismatch = mgr->send({}, wrong_ctx, false);
    EXPECT_FALSE(mismatch);
    if (!mismatch) {
      EXPECT_EQ(code(mismatch.error()), -32602);
    }

    auto answer = text_message("answer");
    answer.task_id = sent->task.id;
    auto next = mgr->send({}, answer, true);
    EXPECT_TRUE(next) << next.error().what();
    EXPECT_EQ(next->task.context_id, sent->task.context_id);
    auto second = co_await drain(next->events);
    EXPECT_FALSE(second.empty());
    if (!second.empty()) {
      EXPECT_EQ(state_of_event(second.back()), a2a::task_state::completed);
    }
    auto t = mgr->get({}, sent->task.id);
    EXPECT_EQ(t->history.size(), 4u);  // ask, which city?, answer, booked

    auto late = text_message("more");
    late.task_id = sent->task.id;
    auto refused = mgr->send({}, late, false);
    EXPECT_FALSE(refused);
    if (!refused) {
      EXPECT_EQ(code(refused.error()), -32004);
    }
    auto ghost = text_message("x");
    ghost.task_id = "missing";
    auto missing = mgr->send({}, ghost, false);
    EXPECT_FALSE(missing);
    if (!missing) {
      EXPECT_EQ(code(missing.error()), -32001);
    }
    co_await mgr->close();
  });
}

TEST(a2a_task_manager, peers_only_see_their_own_tasks) {
  asio::io_context ctx;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<scripted_executor>());
  auto alice = peer_ctx(), bob = peer_ctx();
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto sent = mgr->send(alice, text_message("steps"), true);
    (void)co_await drain(sent->events);
    EXPECT_TRUE(mgr->get(alice, sent->task.id));
    auto hidden = mgr->get(bob, sent->task.id);
    EXPECT_FALSE(hidden);
    if (!hidden) {
      EXPECT_EQ(code(hidden.error()), -32001);
    }
    EXPECT_FALSE(mgr->cancel(bob, sent->task.id));
    EXPECT_EQ(mgr->list(bob, {})->total, 0u);
    EXPECT_EQ(mgr->list(alice, {})->total, 1u);
    EXPECT_TRUE(mgr->get({}, sent->task.id));  // the local operator sees everything
    co_await mgr->close();
  });
}

TEST(a2a_task_manager, limits_are_enforced) {
  asio::io_context ctx;
  a2a::manager_config cfg;
  cfg.max_active_tasks_per_peer = 2;
  cfg.max_tasks_per_peer = 3;
  cfg.max_history = 2;
  cfg.max_message_bytes = 200;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<scripted_executor>(), cfg);
  auto alice = peer_ctx();
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto h1 = mgr->send(alice, text_message("hang"), false);
    auto h2 = mgr->send(alice, text_message("hang"), false);
    EXPECT_TRUE(h1 && h2);
    auto h3 = mgr->send(alice, text_message("hang"), false);
    EXPECT_FALSE(h3);
    if (!h3) {
      EXPECT_EQ(code(h3.error()), -32050);
    }
    EXPECT_TRUE(mgr->send({}, text_message("hang"), false));  // other owners are not affected
    EXPECT_TRUE(mgr->cancel(alice, h1->task.id));
    EXPECT_TRUE(mgr->cancel(alice, h2->task.id));

    // Three stored (two canceled + this one); the next evicts the oldest finished.
    auto s1 = mgr->send(alice, text_message("steps"), true);
    (void)co_await drain(s1->events);
    auto s2 = mgr->send(alice, text_message("steps"), true);
    EXPECT_TRUE(s2) << s2.error().what();
    (void)co_await drain(s2->events);
    // The oldest finished task was evicted (the three finished within the
    // same millisecond or so, so which one it was is not pinned down).
    int kept = 0;
    for (const auto* id : {&h1->task.id, &h2->task.id, &s1->task.id}) kept += mgr->get(alice, *id) ? 1 : 0;
    EXPECT_EQ(kept, 2);
    EXPECT_TRUE(mgr->get(alice, s2->task.id));
    EXPECT_EQ(mgr->list(alice, {})->total, 3u);
    // History keeps the last two messages.
    EXPECT_EQ(mgr->get(alice, s2->task.id)->history.size(), 2u);

    auto big = mgr->send(alice, text_message(std::string(500, 'x')), false);
    EXPECT_FALSE(big);
    if (!big) {
      EXPECT_EQ(code(big.error()), -32602);
    }
    co_await mgr->close();
  });
}

// Continuing a task starts a turn: the running-turn limits refuse it as
// they refuse a new task (same error, same counter).
TEST(a2a_task_manager, a_continued_task_obeys_the_running_limits) {
  asio::io_context ctx;
  a2a::manager_config cfg;
  cfg.max_active_tasks_per_peer = 1;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<scripted_executor>(), cfg);
  auto alice = peer_ctx();
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto asked = mgr->send(alice, text_message("ask"), true);
    EXPECT_TRUE(asked);
    if (!asked) co_return;
    (void)co_await drain(asked->events);  // input-required: its turn is over
    auto busy = mgr->send(alice, text_message("hang"), false);
    EXPECT_TRUE(busy);
    auto answer = text_message("answer");
    answer.task_id = asked->task.id;
    auto refused = mgr->send(alice, answer, false);
    EXPECT_FALSE(refused);
    if (!refused) {
      EXPECT_EQ(code(refused.error()), -32050);
      EXPECT_NE(refused.error().message.find("too many running tasks (1)"), std::string::npos)
          << refused.error().message;
    }
    if (busy) EXPECT_TRUE(mgr->cancel(alice, busy->task.id));
    auto resumed = mgr->send(alice, answer, true);
    EXPECT_TRUE(resumed);
    if (resumed) (void)co_await drain(resumed->events);
    co_await mgr->close();
  });
}

TEST(a2a_task_manager, a_turn_without_an_outcome_fails_the_task) {
  asio::io_context ctx;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<scripted_executor>());
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto quiet = mgr->send({}, text_message("quiet"), true);
    auto e1 = co_await drain(quiet->events);
    EXPECT_FALSE(e1.empty());
    if (!e1.empty()) {
      EXPECT_EQ(state_of_event(e1.back()), a2a::task_state::failed);
    }
    auto boom = mgr->send({}, text_message("throw"), true);
    auto e2 = co_await drain(boom->events);
    EXPECT_FALSE(e2.empty());
    if (!e2.empty()) {
      auto& st = std::get<a2a::status_update>(e2.back()).status;
      EXPECT_EQ(st.state, a2a::task_state::failed);
      EXPECT_NE(a2a::text_of(*st.message).find("boom"), std::string::npos);
    }
    co_await mgr->close();
  });
}

TEST(a2a_task_manager, close_fails_running_tasks) {
  asio::io_context ctx;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<scripted_executor>());
  std::string id;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto sent = mgr->send({}, text_message("hang"), false);
    id = sent->task.id;
    co_await mgr->close();
  });
  auto t = mgr->get({}, id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status.state, a2a::task_state::failed);
  EXPECT_FALSE(mgr->send({}, text_message("steps"), false));
}

namespace {

// Direct replies: text starting with "reply" is answered with a message
// ("reply-wait" after 50 ms, "reply-fail" with an error); anything else runs
// as a task through scripted_executor.
struct replying_executor final : a2a::agent_executor {
  scripted_executor tasks;
  bool replies_directly(const a2a::request_context&, const a2a::message& m) const override {
    return a2a::text_of(m).starts_with("reply");
  }
  awaitable<result<a2a::message>> reply(a2a::reply_context ctx) override {
    auto text = a2a::text_of(ctx.input);
    if (text == "reply-fail") co_return a2a::rpc_error(a2a::rpc_errc::invalid_params, "cannot answer that");
    if (text == "reply-wait") {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::use_awaitable);
    }
    a2a::message m;
    m.task_id = "ignored";  // the manager clears it: no task exists
    m.parts.push_back(a2a::part::text("re: " + text));
    co_return m;
  }
  awaitable<void> execute(a2a::turn_context ctx, std::shared_ptr<a2a::task_updater> u) override {
    return tasks.execute(std::move(ctx), std::move(u));
  }
};

}  // namespace

TEST(a2a_task_manager, a_direct_reply_creates_no_task) {
  asio::io_context ctx;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<replying_executor>());
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto in = text_message("reply");
    in.context_id = "ctx-1";
    EXPECT_TRUE(mgr->replies_directly({}, in));
    auto r = co_await mgr->reply({}, in);
    EXPECT_TRUE(r) << r.error().what();
    if (r) {
      EXPECT_EQ(a2a::text_of(*r), "re: reply");
      EXPECT_EQ(r->role, a2a::role::agent);
      EXPECT_EQ(r->context_id, "ctx-1");
      EXPECT_TRUE(r->task_id.empty());
      EXPECT_FALSE(r->message_id.empty());
      EXPECT_FALSE(mgr->get({}, r->message_id));
    }
    // No context given: one is generated.
    auto fresh = co_await mgr->reply({}, text_message("reply"));
    EXPECT_TRUE(fresh && !fresh->context_id.empty());
    EXPECT_EQ(mgr->list({}, {})->total, 0u);
    EXPECT_EQ(mgr->active_turns(), 0u);
    // The executor's error is the caller's, code and all.
    auto failed = co_await mgr->reply({}, text_message("reply-fail"));
    EXPECT_FALSE(failed);
    if (!failed) {
      EXPECT_EQ(code(failed.error()), -32602);
    }
    // Other messages, and any message that names a task, are tasks as before.
    EXPECT_FALSE(mgr->replies_directly({}, text_message("steps")));
    auto cont = text_message("reply");
    cont.task_id = "some-task";
    EXPECT_FALSE(mgr->replies_directly({}, cont));
    auto sent = mgr->send({}, text_message("steps"), true);
    EXPECT_TRUE(sent);
    if (sent) {
      (void)co_await drain(sent->events);
      EXPECT_EQ(mgr->list({}, {})->total, 1u);
    }
    co_await mgr->close();
  });
}

TEST(a2a_task_manager, a_direct_reply_obeys_the_message_and_running_limits) {
  asio::io_context ctx;
  a2a::manager_config cfg;
  cfg.max_active_tasks_per_peer = 1;
  cfg.max_message_bytes = 200;
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<replying_executor>(), cfg);
  auto alice = peer_ctx();
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto big = co_await mgr->reply(alice, text_message("reply" + std::string(500, 'x')));
    EXPECT_FALSE(big);
    if (!big) {
      EXPECT_EQ(code(big.error()), -32602);
    }
    // A reply in progress counts as one of alice's running turns.
    std::optional<result<a2a::message>> first;
    asio::co_spawn(ex, mgr->reply(alice, text_message("reply-wait")),
                   [&](std::exception_ptr, result<a2a::message> r) { first = std::move(r); });
    asio::steady_timer t(ex, std::chrono::milliseconds(10));
    co_await t.async_wait(asio::use_awaitable);
    EXPECT_EQ(mgr->active_turns(), 1u);
    auto second = co_await mgr->reply(alice, text_message("reply"));
    EXPECT_FALSE(second);
    if (!second) {
      EXPECT_EQ(code(second.error()), -32050);
    }
    auto task = mgr->send(alice, text_message("steps"), false);
    EXPECT_FALSE(task);
    auto other_owner = co_await mgr->reply({}, text_message("reply"));
    EXPECT_TRUE(other_owner);  // other owners are not affected
    t.expires_after(std::chrono::milliseconds(200));
    co_await t.async_wait(asio::use_awaitable);
    EXPECT_TRUE(first && *first);
    EXPECT_EQ(mgr->active_turns(), 0u);
    auto after = co_await mgr->reply(alice, text_message("reply"));
    EXPECT_TRUE(after);
    co_await mgr->close();
    auto closed = co_await mgr->reply(alice, text_message("reply"));
    EXPECT_FALSE(closed);
  });
}
