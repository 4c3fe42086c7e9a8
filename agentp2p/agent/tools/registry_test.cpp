#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

tools::tool_definition def(std::string name, std::string_view schema = R"({"type":"object"})") {
  tools::tool_definition d;
  d.name = std::move(name);
  d.description = "test tool";
  d.input_schema = json::parse(schema).as_object();
  return d;
}

awaitable<result<json::value>> add(json::object args, tools::call_context&) {
  co_return json::value(args.at("a").to_number<double>() + args.at("b").to_number<double>());
}

awaitable<result<json::value>> record_thread(std::thread::id* out) {
  *out = std::this_thread::get_id();
  co_return json::value("done");
}

awaitable<result<json::value>> boom() {
  throw std::runtime_error("kaboom");
  co_return json::value();
}

// Waits "forever"; notes whether the wait ended by cancellation.
awaitable<result<json::value>> hang(std::shared_ptr<std::atomic<int>> cancelled_seen) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec == asio::error::operation_aborted) ++*cancelled_seen;
  co_return json::value("woke up");
}

// A CPU-style handler that polls its context between steps.
awaitable<result<json::value>> poll_until_cancelled(tools::call_context& ctx, std::shared_ptr<std::atomic<int>> seen) {
  while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ++*seen;
  co_return make_error(errc::cancelled, "stopped");
}

template <class Pred>
awaitable<bool> eventually(Pred pred, std::chrono::milliseconds limit = 3s) {
  for (auto waited = 0ms; waited < limit; waited += 10ms) {
    if (pred()) co_return true;
    co_await sleep_for(10ms);
  }
  co_return pred();
}

}  // namespace

TEST(tool_registry, add_list_find_remove_and_change_listeners) {
  tools::registry reg;
  int changes = 0;
  reg.on_change([&] { ++changes; });
  ASSERT_TRUE(reg.add(def("zeta"), add));
  ASSERT_TRUE(reg.add(def("alpha"), add));
  auto dup = reg.add(def("alpha"), add);
  EXPECT_TRUE(!dup && dup.error().is(errc::already_exists));
  EXPECT_TRUE(reg.add_or_replace(def("alpha"), add));
  auto bad_name = reg.add(def("has space"), add);
  EXPECT_TRUE(!bad_name && bad_name.error().is(errc::invalid_argument));
  auto bad_schema = reg.add(def("x", R"({"type":"object","properties":{"a":{"type":"intger"}}})"), add);
  ASSERT_FALSE(bad_schema);
  EXPECT_NE(bad_schema.error().message.find("#/properties/a/type"), std::string::npos) << bad_schema.error().message;
  auto not_object = reg.add(def("y", R"({"type":"string"})"), add);
  EXPECT_FALSE(not_object);

  auto all = reg.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "alpha");
  EXPECT_EQ(all[1].name, "zeta");
  EXPECT_TRUE(reg.find("zeta"));
  EXPECT_TRUE(reg.remove("zeta"));
  EXPECT_FALSE(reg.remove("zeta"));
  EXPECT_FALSE(reg.find("zeta"));
  EXPECT_EQ(changes, 4);  // zeta, alpha, alpha replaced, zeta removed
}

TEST(tool_registry, handlers_run_on_the_pool_and_results_come_back_to_the_caller) {
  asio::io_context ctx;
  tools::registry reg;
  std::thread::id handler_thread;
  ASSERT_TRUE(reg.add(def("where"), [&](json::object, tools::call_context&) { return record_thread(&handler_thread); }));
  ASSERT_TRUE(reg.add(def("add", R"({"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},
                                     "required":["a","b"]})"),
                      add));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto r = co_await reg.call("where", {});
    EXPECT_TRUE(r) << r.error().what();
    EXPECT_NE(handler_thread, std::this_thread::get_id());
    EXPECT_NE(handler_thread, std::thread::id());
    auto sum = co_await reg.call("add", json::parse(R"({"a":2,"b":3.5})").as_object());
    EXPECT_TRUE(sum) << sum.error().what();
    if (sum) { EXPECT_EQ(sum->as_double(), 5.5); }
  });
}

TEST(tool_registry, unknown_tool_and_bad_arguments_are_refused_before_the_handler) {
  asio::io_context ctx;
  tools::registry reg;
  ASSERT_TRUE(reg.add(def("count", R"({"type":"object","properties":{"count":{"type":"integer"}},"required":["count"]})"),
                      add));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto unknown = co_await reg.call("nope", {});
    EXPECT_TRUE(!unknown && unknown.error().is(errc::not_found));
    if (!unknown) { EXPECT_EQ(tools::rpc_code(unknown.error()), -32601); }
    auto bad = co_await reg.call("count", json::parse(R"({"count":"three"})").as_object());
    EXPECT_TRUE(!bad && bad.error().is(errc::invalid_argument));
    if (!bad) {
      EXPECT_EQ(tools::rpc_code(bad.error()), -32602);
      EXPECT_NE(bad.error().message.find("arguments.count: expected integer, got string"), std::string::npos)
          << bad.error().message;
    }
    auto missing = co_await reg.call("count", {});
    if (!missing) { EXPECT_NE(missing.error().message.find("arguments.count: required field is missing"), std::string::npos); }
  });
}

// The same contract whichever way the handlers run (`how` = tool execution).
void expect_a_throwing_handler_is_an_error(tools::execution how) {
  asio::io_context ctx;
  tools::registry reg;
  auto boom_def = def("boom");
  auto add_def = def("add");
  boom_def.execution = add_def.execution = how;
  ASSERT_TRUE(reg.add(boom_def, [](json::object, tools::call_context&) { return boom(); }));
  ASSERT_TRUE(reg.add(add_def, add));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto r = co_await reg.call("boom", {});
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(r.error().message, "tool \"boom\" failed: kaboom");
      EXPECT_EQ(tools::rpc_code(r.error()), -32603);
    }
    EXPECT_EQ(reg.active_calls(), 0u);
    auto ok = co_await reg.call("add", json::parse(R"({"a":1,"b":1})").as_object());
    EXPECT_TRUE(ok);
    EXPECT_EQ(reg.active_calls(), 0u);
  });
}

TEST(tool_registry, a_throwing_handler_is_an_error_and_the_registry_carries_on) {
  expect_a_throwing_handler_is_an_error(tools::execution::worker_pool);
}

TEST(tool_registry, a_hanging_handler_times_out_and_is_cancelled) {
  asio::io_context ctx;
  tools::registry reg;
  auto seen = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(reg.add(def("hang"), [seen](json::object, tools::call_context&) { return hang(seen); }));
  ASSERT_TRUE(reg.add(def("add"), add));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto started = std::chrono::steady_clock::now();
    tools::call_options opts;
    opts.deadline = 100ms;
    auto r = co_await reg.call("hang", {}, opts);
    EXPECT_TRUE(!r && r.error().is(errc::timeout));
    if (!r) { EXPECT_EQ(tools::rpc_code(r.error()), -32001); }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    { auto ok = co_await eventually([&] { return seen->load() == 1; }); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return reg.active_calls() == 0; }); EXPECT_TRUE(ok); }
    auto ok = co_await reg.call("add", json::parse(R"({"a":1,"b":1})").as_object());
    EXPECT_TRUE(ok);
  });
}

TEST(tool_registry, cancelling_the_caller_cancels_the_handler) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx;
  tools::registry reg;
  auto seen = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(reg.add(def("poll"), [seen](json::object, tools::call_context& c) { return poll_until_cancelled(c, seen); }));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    // The caller gives up (here: loses a race with a timer; in the praxis
    // server: the remote reset its stream).
    auto winner = co_await (reg.call("poll", {}) || sleep_for(50ms));
    EXPECT_EQ(winner.index(), 1u);
    { auto ok = co_await eventually([&] { return seen->load() == 1; }); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return reg.active_calls() == 0; }); EXPECT_TRUE(ok); }
  });
}

TEST(tool_registry, concurrent_calls_are_bounded) {
  asio::io_context ctx;
  tools::config cfg;
  cfg.max_concurrent_calls = 2;
  tools::registry reg(cfg);
  auto seen = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(reg.add(def("hang"), [seen](json::object, tools::call_context&) { return hang(seen); }));
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    tools::call_options opts;
    opts.deadline = 300ms;
    int timeouts = 0;
    auto one = [](tools::registry& r, tools::call_options o, int& n) -> awaitable<void> {
      auto res = co_await r.call("hang", {}, o);
      if (!res && res.error().is(errc::timeout)) ++n;
    };
    asio::co_spawn(ex, one(reg, opts, timeouts), asio::detached);
    asio::co_spawn(ex, one(reg, opts, timeouts), asio::detached);
    co_await sleep_for(20ms);
    EXPECT_EQ(reg.active_calls(), 2u);
    auto third = co_await reg.call("hang", {}, opts);
    EXPECT_TRUE(!third && third.error().is(errc::limit_exceeded));
    if (!third) { EXPECT_EQ(tools::rpc_code(third.error()), -32003); }
    { auto ok = co_await eventually([&] { return timeouts == 2 && reg.active_calls() == 0; }); EXPECT_TRUE(ok); }
    auto again = co_await reg.call("hang", {}, opts);  // slots are free again
    EXPECT_TRUE(!again && again.error().is(errc::timeout));
  });
}

TEST(tool_registry, results_are_checked_against_the_output_schema) {
  asio::io_context ctx;
  tools::registry reg;
  auto d = def("add");
  d.output_schema = json::parse(R"({"type":"string"})").as_object();
  ASSERT_TRUE(reg.add(d, add));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto r = co_await reg.call("add", json::parse(R"({"a":1,"b":1})").as_object());
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(tools::rpc_code(r.error()), -32603);
      EXPECT_NE(r.error().message.find("result: expected string, got number"), std::string::npos) << r.error().message;
    }
  });
}

// ---- execution::inline_on_caller ------------------------------------------------

namespace {

tools::tool_definition inline_def(std::string name, std::string_view schema = R"({"type":"object"})") {
  auto d = def(std::move(name), schema);
  d.execution = tools::execution::inline_on_caller;
  return d;
}

// Waits "forever" on the handler's executor; notes how the wait ended and
// whether the context said cancelled afterwards.
awaitable<result<json::value>> hang_noting(tools::call_context& ctx, std::shared_ptr<std::atomic<int>> aborted,
                                           std::shared_ptr<std::atomic<int>> flagged) {
  asio::steady_timer t(ctx.get_executor(), std::chrono::hours(1));
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec == asio::error::operation_aborted) ++*aborted;
  if (ctx.cancelled()) ++*flagged;
  co_return json::value("woke up");
}

}  // namespace

TEST(tool_registry_inline, runs_on_the_callers_thread_with_schema_and_output_checks) {
  asio::io_context ctx;
  tools::registry reg;
  std::thread::id handler_thread;
  ASSERT_TRUE(reg.add(inline_def("where"), [&](json::object, tools::call_context&) { return record_thread(&handler_thread); }));
  ASSERT_TRUE(reg.add(inline_def("add", R"({"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},
                                            "required":["a","b"]})"),
                      add));
  auto strict = inline_def("strict");
  strict.output_schema = json::parse(R"({"type":"string"})").as_object();
  ASSERT_TRUE(reg.add(strict, add));
  EXPECT_EQ(reg.find("where")->execution, tools::execution::inline_on_caller);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto r = co_await reg.call("where", {});
    EXPECT_TRUE(r) << r.error().what();
    EXPECT_EQ(handler_thread, std::this_thread::get_id());
    auto sum = co_await reg.call("add", json::parse(R"({"a":2,"b":3.5})").as_object());
    EXPECT_TRUE(sum) << sum.error().what();
    if (sum) { EXPECT_EQ(sum->as_double(), 5.5); }
    auto bad = co_await reg.call("add", json::parse(R"({"a":"two","b":1})").as_object());
    EXPECT_TRUE(!bad && bad.error().is(errc::invalid_argument));
    auto broken = co_await reg.call("strict", json::parse(R"({"a":1,"b":1})").as_object());
    EXPECT_FALSE(broken);
    if (!broken) {
      EXPECT_EQ(tools::rpc_code(broken.error()), -32603);
      EXPECT_NE(broken.error().message.find("result: expected string, got number"), std::string::npos)
          << broken.error().message;
    }
    EXPECT_EQ(reg.active_calls(), 0u);
  });
}

TEST(tool_registry_inline, a_throwing_handler_is_an_error_and_the_registry_carries_on) {
  expect_a_throwing_handler_is_an_error(tools::execution::inline_on_caller);
}

TEST(tool_registry_inline, a_waiting_handler_times_out_at_the_deadline_and_is_cancelled) {
  asio::io_context ctx;
  tools::registry reg;
  auto aborted = std::make_shared<std::atomic<int>>(0);
  auto flagged = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(reg.add(inline_def("hang"), [=](json::object, tools::call_context& c) { return hang_noting(c, aborted, flagged); }));
  ASSERT_TRUE(reg.add(inline_def("add"), add));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto started = std::chrono::steady_clock::now();
    tools::call_options opts;
    opts.deadline = 100ms;
    auto r = co_await reg.call("hang", {}, opts);
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(!r && r.error().is(errc::timeout));
    if (!r) {
      EXPECT_EQ(tools::rpc_code(r.error()), -32001);
      EXPECT_NE(r.error().message.find("tool \"hang\" did not finish within"), std::string::npos) << r.error().message;
    }
    EXPECT_GE(took, 100ms);
    EXPECT_LT(took, 2s);
    { auto ok = co_await eventually([&] { return aborted->load() == 1 && flagged->load() == 1; }); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return reg.active_calls() == 0; }); EXPECT_TRUE(ok); }
    auto ok = co_await reg.call("add", json::parse(R"({"a":1,"b":1})").as_object());
    EXPECT_TRUE(ok);
  });
}

TEST(tool_registry_inline, cancelling_the_caller_cancels_the_handler) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx;
  tools::registry reg;
  auto aborted = std::make_shared<std::atomic<int>>(0);
  auto flagged = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(reg.add(inline_def("hang"), [=](json::object, tools::call_context& c) { return hang_noting(c, aborted, flagged); }));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto winner = co_await (reg.call("hang", {}) || sleep_for(50ms));
    EXPECT_EQ(winner.index(), 1u);
    { auto ok = co_await eventually([&] { return aborted->load() == 1 && flagged->load() == 1; }); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return reg.active_calls() == 0; }); EXPECT_TRUE(ok); }
  });
}

TEST(tool_registry_inline, a_handler_that_ignores_cancellation_still_answers_at_the_deadline) {
  asio::io_context ctx;
  tools::registry reg;
  auto finished = std::make_shared<std::atomic<int>>(0);
  // Waits out its own 300 ms whatever happens (a shielded wait).
  ASSERT_TRUE(reg.add(inline_def("stubborn"), [finished](json::object, tools::call_context& c) -> awaitable<result<json::value>> {
    asio::steady_timer t(c.get_executor(), 300ms);
    co_await t.async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
    ++*finished;
    co_return json::value("late");
  }));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    tools::call_options opts;
    opts.deadline = 50ms;
    auto started = std::chrono::steady_clock::now();
    auto r = co_await reg.call("stubborn", {}, opts);
    EXPECT_TRUE(!r && r.error().is(errc::timeout));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 250ms);
    EXPECT_EQ(reg.active_calls(), 1u);  // its slot is held until it returns
    { auto ok = co_await eventually([&] { return finished->load() == 1 && reg.active_calls() == 0; }); EXPECT_TRUE(ok); }
  });
}

TEST(tool_registry_inline, concurrent_and_per_peer_limits_apply) {
  asio::io_context ctx;
  tools::config cfg;
  cfg.max_concurrent_calls = 2;
  cfg.callers.max_concurrent_per_peer = 1;
  cfg.callers.calls_per_second = 0;
  tools::registry reg(cfg);
  auto aborted = std::make_shared<std::atomic<int>>(0);
  auto flagged = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(reg.add(inline_def("hang"), [=](json::object, tools::call_context& c) { return hang_noting(c, aborted, flagged); }));
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    int timeouts = 0;
    auto one = [](tools::registry& r, std::string caller, int& n) -> awaitable<void> {
      tools::call_options o;
      o.deadline = 300ms;
      o.caller = std::move(caller);
      auto res = co_await r.call("hang", {}, o);
      if (!res && res.error().is(errc::timeout)) ++n;
    };
    asio::co_spawn(ex, one(reg, "peer-a", timeouts), asio::detached);
    asio::co_spawn(ex, one(reg, "", timeouts), asio::detached);
    co_await sleep_for(20ms);
    EXPECT_EQ(reg.active_calls(), 2u);
    tools::call_options a;
    a.deadline = 300ms;
    a.caller = "peer-b";
    auto third = co_await reg.call("hang", {}, a);
    EXPECT_TRUE(!third && third.error().is(errc::limit_exceeded));
    if (!third) { EXPECT_NE(third.error().message.find("too many tool calls in progress"), std::string::npos) << third.error().message; }
    { auto ok = co_await eventually([&] { return timeouts == 2 && reg.active_calls() == 0; }); EXPECT_TRUE(ok); }

    asio::co_spawn(ex, one(reg, "peer-a", timeouts), asio::detached);
    co_await sleep_for(20ms);
    a.caller = "peer-a";
    auto same_peer = co_await reg.call("hang", {}, a);
    EXPECT_TRUE(!same_peer && same_peer.error().is(errc::limit_exceeded));
    if (!same_peer) { EXPECT_EQ(tools::rpc_code(same_peer.error()), -32003); }
    { auto ok = co_await eventually([&] { return timeouts == 3 && reg.active_calls() == 0; }); EXPECT_TRUE(ok); }
  });
}

TEST(tool_registry_inline, a_call_outlives_the_registry) {
  asio::io_context ctx;
  auto reg = std::make_unique<tools::registry>();
  auto aborted = std::make_shared<std::atomic<int>>(0);
  auto flagged = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(reg->add(inline_def("hang"), [=](json::object, tools::call_context& c) { return hang_noting(c, aborted, flagged); }));
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    std::optional<result<json::value>> got;
    asio::co_spawn(ex, [](tools::registry& r, std::optional<result<json::value>>& out) -> awaitable<void> {
      tools::call_options o;
      o.deadline = 100ms;
      out = co_await r.call("hang", {}, o);
    }(*reg, got), asio::detached);
    co_await sleep_for(20ms);
    reg.reset();
    { auto ok = co_await eventually([&] { return got.has_value(); }); EXPECT_TRUE(ok); }
    if (got) { EXPECT_TRUE(!*got && got->error().is(errc::timeout)); }
    { auto ok = co_await eventually([&] { return aborted->load() == 1; }); EXPECT_TRUE(ok); }
  });
}

TEST(tool_registry, call_observers_see_every_outcome_until_removed) {
  asio::io_context ctx;
  tools::registry reg;
  ASSERT_TRUE(reg.add(def("add"), add));
  ASSERT_TRUE(reg.add(inline_def("boom"), [](json::object, tools::call_context&) { return boom(); }));
  std::vector<tools::registry::call_record> seen;
  auto token = reg.on_call([&](const tools::registry::call_record& r) { seen.push_back(r); });
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    tools::call_options from_peer;
    from_peer.caller = "peer-x";
    auto ok = co_await reg.call("add", json::parse(R"({"a":1,"b":2})").as_object(), from_peer);
    EXPECT_TRUE(ok);
    auto failed = co_await reg.call("boom", {});
    EXPECT_FALSE(failed);
    reg.remove_call_observer(token);
    (void)co_await reg.call("add", json::parse(R"({"a":1,"b":2})").as_object());
  });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].tool, "add");
  EXPECT_EQ(seen[0].caller, "peer-x");
  EXPECT_FALSE(seen[0].error);
  EXPECT_EQ(seen[1].tool, "boom");
  EXPECT_TRUE(seen[1].error);
}

TEST(tool_errors, wire_codes_round_trip) {
  for (int code : {-32700, -32600, -32601, -32602, -32001, -32002, -32003, -32603, -32099, 42}) {
    auto e = tools::from_rpc(code, "x");
    EXPECT_EQ(tools::rpc_code(e), code);
  }
  EXPECT_TRUE(tools::from_rpc(-32001, "x").is(errc::timeout));
  EXPECT_EQ(tools::rpc_code(make_error(errc::io_error, "x")), -32603);
}
