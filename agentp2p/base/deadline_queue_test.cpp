#include "agentp2p/base/deadline_queue.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

using namespace agentp2p;
using namespace std::chrono_literals;

namespace {

struct target {
  int resets = 0;
  void reset() { ++resets; }
};

// Runs the context until `done()` or 10 s (a hung test fails instead of hanging).
template <class Pred>
void run_until(asio::io_context& ctx, Pred done) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    ctx.restart();
    ctx.run_for(5ms);
  }
}

}  // namespace

TEST(deadline_queue, a_passed_deadline_calls_its_function_and_reports_a_timeout) {
  asio::io_context ctx;
  auto q = deadline_queue::create(ctx.get_executor());
  target t;
  resetting_deadline<target> d(q, t);
  d.arm(10ms, "waiting for a request");
  EXPECT_TRUE(d.armed());
  EXPECT_EQ(q->size(), 1u);
  run_until(ctx, [&] { return t.resets > 0; });
  EXPECT_EQ(t.resets, 1);
  EXPECT_TRUE(d.expired());
  EXPECT_FALSE(d.armed());
  EXPECT_EQ(q->size(), 0u);
  auto e = d.timeout_error();
  EXPECT_TRUE(e.is(errc::timeout));
  EXPECT_EQ(e.message, "waiting for a request timed out after 10 ms");
}

TEST(deadline_queue, disarmed_and_rearmed_deadlines_do_not_fire_early) {
  asio::io_context ctx;
  auto q = deadline_queue::create(ctx.get_executor());
  target gone, moved, fired;
  resetting_deadline<target> a(q, gone), b(q, moved), c(q, fired);
  a.arm(5ms, "a");
  b.arm(5ms, "b");
  c.arm(30ms, "c");
  a.disarm();
  b.arm(std::chrono::hours(1), "b later");
  run_until(ctx, [&] { return fired.resets > 0; });
  EXPECT_EQ(fired.resets, 1);
  EXPECT_EQ(gone.resets, 0);
  EXPECT_EQ(moved.resets, 0);
  EXPECT_FALSE(a.expired());
  EXPECT_FALSE(b.expired());
  EXPECT_TRUE(b.armed());
  EXPECT_EQ(q->size(), 1u);
}

TEST(deadline_queue, many_deadlines_of_mixed_lengths_all_fire_once) {
  asio::io_context ctx;
  auto q = deadline_queue::create(ctx.get_executor());
  constexpr int n = 200;
  std::vector<target> targets(n);
  std::vector<std::unique_ptr<resetting_deadline<target>>> ds;
  for (int i = 0; i < n; ++i) {
    ds.push_back(std::make_unique<resetting_deadline<target>>(q, targets[i]));
    // 40 distinct lengths: more than the queue's lanes, so some lanes hold mixed lengths.
    ds.back()->arm(std::chrono::milliseconds(1 + (i * 7) % 40), "x");
  }
  for (int i = 0; i < n; i += 10) ds[i].reset();  // destroyed while armed
  run_until(ctx, [&] { return q->size() == 0; });
  for (int i = 0; i < n; ++i) EXPECT_EQ(targets[i].resets, i % 10 == 0 ? 0 : 1) << i;
}

TEST(deadline_queue, an_expiry_function_may_destroy_its_deadline_and_arm_others) {
  asio::io_context ctx;
  auto q = deadline_queue::create(ctx.get_executor());
  struct owner {
    std::shared_ptr<deadline_queue> q;
    std::unique_ptr<resetting_deadline<owner>> self;  // destroyed by its own expiry
    std::unique_ptr<resetting_deadline<target>> next;
    target second;
    int resets = 0;
    void reset() {
      ++resets;
      self.reset();
      next = std::make_unique<resetting_deadline<target>>(q, second);
      next->arm(0ms, "next");
    }
  } o{q, nullptr, nullptr, {}, 0};
  o.self = std::make_unique<resetting_deadline<owner>>(q, o);
  o.self->arm(1ms, "self");
  run_until(ctx, [&] { return o.second.resets > 0; });
  EXPECT_EQ(o.resets, 1);
  EXPECT_EQ(o.second.resets, 1);
  EXPECT_EQ(q->size(), 0u);
}

TEST(deadline_queue, the_queue_may_go_before_the_context_with_a_wait_pending) {
  asio::io_context ctx;
  target t;
  {
    auto q = deadline_queue::create(ctx.get_executor());
    resetting_deadline<target> d(q, t);
    d.arm(1ms, "x");
  }
  ctx.run_for(20ms);
  EXPECT_EQ(t.resets, 0);
}

TEST(deadline_queue, an_idle_queue_leaves_its_context_without_work) {
  asio::io_context ctx;
  auto q = deadline_queue::create(ctx.get_executor());
  target t;
  {
    resetting_deadline<target> d(q, t);
    d.arm(std::chrono::hours(1), "x");
  }
  // run_for() returns as soon as nothing is pending (stopped); a timer wait
  // still pending would hold it until the limit.
  ctx.run_for(10s);
  EXPECT_TRUE(ctx.stopped());
  EXPECT_EQ(t.resets, 0);
}

// keep_timer: a deadline disarmed and armed again per message leaves the
// timer's wait in place; a deadline armed later still passes at its own
// time (not at the earlier wait's), and destroying the queue ends the wait.
TEST(deadline_queue, a_kept_timer_serves_a_rearmed_deadline_at_its_own_time) {
  asio::io_context ctx;
  auto q = deadline_queue::create(ctx.get_executor(), deadline_queue::when_idle::keep_timer);
  target t;
  auto d = std::make_unique<resetting_deadline<target>>(q, t);
  d->arm(40ms, "first");
  d->disarm();
  EXPECT_EQ(q->size(), 0u);
  const auto start = std::chrono::steady_clock::now();
  ctx.run_for(20ms);
  d->arm(60ms, "second");  // due at ~80 ms; the timer still waits for ~40 ms
  run_until(ctx, [&] { return t.resets > 0; });
  EXPECT_EQ(t.resets, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 75ms);
  EXPECT_EQ(d->timeout_error().message, "second timed out after 60 ms");

  d->arm(std::chrono::hours(1), "idle");
  d->disarm();
  d.reset();
  q.reset();
  ctx.restart();
  const auto ran = std::chrono::steady_clock::now();
  ctx.run_for(5s);  // returns as soon as no work is left
  EXPECT_LT(std::chrono::steady_clock::now() - ran, 1s);
}
