// run_on / cancel_relay: work on another executor (a second io_context on
// its own thread), the caller's cancellation reaching it, and cancellations
// racing the work's end (run many times; the ASan build checks the memory).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/base/run_on.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;

namespace {

// A second executor on its own thread.
struct worker_thread {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> keep{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~worker_thread() {
    keep.reset();
    io.stop();
    thread.join();
  }
  executor get_executor() { return io.get_executor(); }
};

struct probe {
  std::atomic<int> started{0};
  std::atomic<int> cancelled{0};
  std::atomic<int> finished{0};
  std::atomic<bool> on_worker{false};
};

// Waits `d` on the executor it runs on; reports how it ended.
awaitable<result<int>> wait_work(std::shared_ptr<probe> p, asio::io_context* worker, std::chrono::microseconds d) {
  ++p->started;
  p->on_worker = worker->get_executor().running_in_this_thread();
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) {
    ++p->cancelled;
    co_return make_error(errc::cancelled, "work cancelled");
  }
  ++p->finished;
  co_return 42;
}

TEST(run_on, runs_the_work_on_the_other_executor_and_returns_its_value) {
  worker_thread w;
  asio::io_context io;
  auto p = std::make_shared<probe>();
  auto r = test::run<result<int>>(io, [&](executor) { return run_on(w.get_executor(), wait_work(p, &w.io, 1ms)); });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(p->on_worker);
  EXPECT_EQ(p->cancelled, 0);
}

awaitable<void> cancel_midway(executor worker, asio::io_context* worker_io, std::shared_ptr<probe> p) {
  using namespace asio::experimental::awaitable_operators;
  // The work would wait an hour; the caller gives up after 20 ms.
  auto raced = co_await (run_on(worker, wait_work(p, worker_io, std::chrono::hours(1))) || sleep_for(20ms));
  EXPECT_EQ(raced.index(), 1u);
}

TEST(run_on, the_callers_cancellation_reaches_the_work) {
  worker_thread w;
  asio::io_context io;
  auto p = std::make_shared<probe>();
  test::run_void(io, [&](executor) { return cancel_midway(w.get_executor(), &w.io, p); });
  // `||` waits for the cancelled branch: the work has ended by now.
  EXPECT_EQ(p->started, 1);
  EXPECT_EQ(p->cancelled, 1);
  EXPECT_EQ(p->finished, 0);
}

// The work ends at about the time the caller gives up: either may win.
awaitable<void> race_round(executor worker, asio::io_context* worker_io, std::shared_ptr<probe> p, int round) {
  using namespace asio::experimental::awaitable_operators;
  const auto work_time = std::chrono::microseconds(50 * (round % 7));
  const auto give_up = std::chrono::microseconds(50 * (round % 5));
  auto raced = co_await (run_on(worker, wait_work(p, worker_io, work_time)) || sleep_for(give_up));
  (void)raced;
}

TEST(run_on, cancellations_racing_the_end_of_the_work_are_safe) {
  worker_thread w;
  asio::io_context io;
  auto p = std::make_shared<probe>();
  for (int round = 0; round < 300; ++round)
    test::run_void(io, [&](executor) { return race_round(w.get_executor(), &w.io, p, round); });
  EXPECT_EQ(p->started, 300);
  EXPECT_EQ(p->cancelled + p->finished, 300);
}

// On a strand of a thread pool (the tool registry's workers).
TEST(run_on, works_onto_a_strand_of_a_pool) {
  asio::thread_pool pool(2);
  asio::io_context io;
  auto p = std::make_shared<probe>();
  executor strand = asio::make_strand(pool.get_executor());
  asio::io_context unused;
  for (int round = 0; round < 100; ++round)
    test::run_void(io, [&](executor) { return race_round(strand, &unused, p, round); });
  EXPECT_EQ(p->cancelled + p->finished, 100);
  pool.join();
}

TEST(cancel_relay, requests_after_the_work_finished_emit_nothing) {
  worker_thread w;
  auto relay = cancel_relay::create(w.get_executor());
  std::atomic<int> emitted{0};
  relay->slot().assign([&](asio::cancellation_type) { ++emitted; });
  relay->finished();  // (only ever on the work's executor in real use; nothing runs there now)
  relay->request();
  relay->request();
  EXPECT_TRUE(relay->requested());
  // Let the posted request run.
  std::atomic<bool> flushed{false};
  asio::post(w.io, [&] { flushed = true; });
  for (int i = 0; i < 1000 && !flushed; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(flushed);
  EXPECT_EQ(emitted, 0);
}

TEST(cancel_relay, a_request_is_emitted_once_on_the_work_executor) {
  worker_thread w;
  auto relay = cancel_relay::create(w.get_executor());
  std::atomic<int> emitted{0};
  std::atomic<bool> on_worker{false};
  relay->slot().assign([&](asio::cancellation_type t) {
    ++emitted;
    on_worker = w.io.get_executor().running_in_this_thread() && t == asio::cancellation_type::terminal;
  });
  relay->request();
  relay->request();
  std::atomic<bool> flushed{false};
  asio::post(w.io, [&] { flushed = true; });
  for (int i = 0; i < 1000 && !flushed; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(emitted, 1);
  EXPECT_TRUE(on_worker);
}

}  // namespace
