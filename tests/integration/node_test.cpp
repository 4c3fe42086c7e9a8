// Two complete agent nodes: cards are exchanged on connect, tools are called
// across, and an A2A task on one node runs a tool on the other.
#include <gtest/gtest.h>

#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/a2a/client.hpp"
#include "agentp2p/daemon/node.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

using agentp2p::test::temp_dir;

daemon::node_options options(const temp_dir& d, std::string name) {
  daemon::node_options o;
  o.data_dir = d.path;
  o.identity_file = d.path / "identity.key";
  o.listen = {"/ip4/127.0.0.1/tcp/0"};
  o.name = std::move(name);
  return o;
}

// Polls `done` every 10 ms for at most `limit`.
template <class Pred>
awaitable<bool> eventually(Pred done, std::chrono::milliseconds limit = 5s) {
  auto ex = co_await asio::this_coro::executor;
  for (auto waited = 0ms; waited < limit; waited += 10ms) {
    if (done()) co_return true;
    asio::steady_timer t(ex, 10ms);
    co_await t.async_wait(asio::use_awaitable);
  }
  co_return done();
}

}  // namespace

TEST(node, two_agents_exchange_cards_call_tools_and_run_a2a_tasks) {
  temp_dir da, db;
  asio::io_context ctx;
  auto a = daemon::node::start(ctx.get_executor(), options(da, "alice"));
  auto b = daemon::node::start(ctx.get_executor(), options(db, "bob"));
  ASSERT_TRUE(a) << a.error().what();
  ASSERT_TRUE(b) << b.error().what();
  auto& na = **a;
  auto& nb = **b;
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto target = nb.host().listen_addresses().front().encapsulate(
        *multiformats::multiaddr::parse("/p2p/" + nb.host().id().to_string()));
    auto c = co_await na.host().connect(target);
    EXPECT_TRUE(c);

    // Cards arrive on both sides without being asked for.
    auto cards = co_await eventually([&] {
      auto at_a = na.agent().peers().get(nb.host().id());
      auto at_b = nb.agent().peers().get(na.host().id());
      return at_a && at_a->card && at_b && at_b->card;
    });
    EXPECT_TRUE(cards);
    auto bob_card = na.agent().peers().get(nb.host().id())->card;
    EXPECT_EQ(bob_card->name, "bob");
    bool lists_node_info = false;
    for (const auto& t : bob_card->tools) lists_node_info = lists_node_info || t.name == "node_info";
    EXPECT_TRUE(lists_node_info);

    // A tool on bob, called from alice over /praxis/tool/1.0.0.
    auto info = co_await na.agent().remote().call(nb.host().id(), "node_info", json::object{});
    EXPECT_TRUE(info) << (info ? "" : info.error().what());
    if (info) EXPECT_EQ(info->at("name").as_string(), "bob");

    // An A2A task on bob whose default executor runs list_peers on alice.
    a2a::client client(na.shared_host());
    a2a::message m;
    m.message_id = "m-1";
    m.parts.push_back(a2a::part::data(
        json::object{{"tool", "list_peers"}, {"arguments", json::object{}}, {"peer", na.host().id().to_string()}}));
    auto sent = co_await client.send(nb.host().id(), std::move(m));
    EXPECT_TRUE(sent) << (sent ? "" : sent.error().what());
    const auto* t = sent ? std::get_if<a2a::task>(&*sent) : nullptr;
    EXPECT_TRUE(t) << "a message instead of a task";
    if (t) {
      EXPECT_EQ(t->status.state, a2a::task_state::completed) << a2a::to_string(t->status.state);
      EXPECT_FALSE(t->artifacts.empty());
    }

    // A message the default executor cannot act on is rejected with an explanation.
    a2a::message chat;
    chat.message_id = "m-2";
    chat.parts.push_back(a2a::part::text("hello"));
    auto rejected = co_await client.send(nb.host().id(), std::move(chat));
    const auto* rejected_task = rejected ? std::get_if<a2a::task>(&*rejected) : nullptr;
    EXPECT_TRUE(rejected_task);
    if (rejected_task) EXPECT_EQ(rejected_task->status.state, a2a::task_state::rejected);

    co_await na.close();
    co_await nb.close();
  });
}

TEST(node, tasks_survive_a_restart) {
  temp_dir d;
  std::string task_id;
  {
    asio::io_context ctx;
    auto n = daemon::node::start(ctx.get_executor(), options(d, "solo"));
    ASSERT_TRUE(n) << n.error().what();
    test::run_void(ctx, [&](executor) -> awaitable<void> {
      a2a::request_context local;
      a2a::message m;
      m.message_id = "m-1";
      m.parts.push_back(a2a::part::data(json::object{{"tool", "node_info"}, {"arguments", json::object{}}}));
      auto sent = (*n)->tasks().send(local, std::move(m), false);
      EXPECT_TRUE(sent) << (sent ? "" : sent.error().what());
      if (sent) task_id = sent->task.id;
      auto finished = co_await eventually([&] {
        auto t = (*n)->tasks().get(local, task_id);
        return t && a2a::is_terminal(t->status.state);
      });
      EXPECT_TRUE(finished);
      co_await (*n)->close();
    });
  }
  ASSERT_FALSE(task_id.empty());
  asio::io_context ctx;
  auto again = daemon::node::start(ctx.get_executor(), options(d, "solo"));
  ASSERT_TRUE(again) << again.error().what();
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    a2a::request_context local;
    auto t = (*again)->tasks().get(local, task_id);
    EXPECT_TRUE(t) << (t ? "" : t.error().what());
    if (t) {
      EXPECT_EQ(t->status.state, a2a::task_state::completed) << a2a::to_string(t->status.state);
      EXPECT_FALSE(t->artifacts.empty());
    }
    co_await (*again)->close();
  });
}

TEST(node, a_new_data_directory_is_private) {
  temp_dir d;
  asio::io_context ctx;
  auto n = daemon::node::start(ctx.get_executor(), options(d, "private"));
  ASSERT_TRUE(n) << n.error().what();
  auto perms = std::filesystem::status(d.path).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  test::run_void(ctx, [&](executor) -> awaitable<void> { co_await (*n)->close(); });
}
