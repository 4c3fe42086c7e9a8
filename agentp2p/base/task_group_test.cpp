// task_group: tasks end, joiners wake, and a joiner that is cancelled while
// it waits leaves nothing behind for the last task's end to touch.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/task_group.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;

namespace {

awaitable<void> sleep_then_count(std::chrono::milliseconds d, int& done) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
  ++done;
}

TEST(task_group, join_completes_when_every_task_has_ended) {
  asio::io_context io;
  task_group group(io.get_executor());
  int done = 0;
  group.spawn(sleep_then_count(10ms, done));
  group.spawn(sleep_then_count(20ms, done));
  bool joined = false;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    co_await group.join();
    joined = true;
  }, asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(joined);
  EXPECT_EQ(done, 2);
  EXPECT_EQ(group.size(), 0u);
}

// Found by ASan in agentp2p-p2pd (a kad lookup cancelled while joining its
// queries): the joiner's timer stayed listed after its frame was freed, and
// the last task's end cancelled it.
TEST(task_group, a_joiner_cancelled_while_waiting_leaves_nothing_behind) {
  asio::io_context io;
  task_group group(io.get_executor());
  int done = 0;
  group.spawn(sleep_then_count(50ms, done));
  asio::cancellation_signal stop_joiner;
  bool joiner_ended = false, joiner_threw = false;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    try {
      co_await group.join();
    } catch (const boost::system::system_error&) {
      joiner_threw = true;
    }
    joiner_ended = true;
  }, asio::bind_cancellation_slot(stop_joiner.slot(), asio::detached));
  asio::steady_timer later(io, 10ms);
  later.async_wait([&](auto) { stop_joiner.emit(asio::cancellation_type::terminal); });
  io.run_for(5s);
  EXPECT_TRUE(joiner_ended);
  EXPECT_TRUE(joiner_threw);
  EXPECT_EQ(done, 1);  // the task ended after the joiner, and touched nothing of it
  EXPECT_EQ(group.size(), 0u);
}

}  // namespace
