#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/a2a/test_util.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace a2a_test;

namespace {

// Sends `m` and waits for the turn to end; returns the task as stored.
awaitable<a2a::task> run_one(std::shared_ptr<a2a::task_manager> mgr, a2a::message m) {
  auto sent = mgr->send({}, std::move(m), true);
  if (!sent) throw std::runtime_error(sent.error().what());
  for (;;) {
    auto ev = co_await sent->events->next();
    if (!ev || !*ev) break;
    if (auto* s = std::get_if<a2a::status_update>(&**ev); s && s->final) break;
  }
  co_return *mgr->get({}, sent->task.id);
}

struct fixture {
  asio::io_context ctx;
  std::shared_ptr<test_tools> tools = std::make_shared<test_tools>();
  std::shared_ptr<a2a::task_manager> mgr =
      open_manager(ctx.get_executor(), std::make_shared<a2a::tool_executor>(tools));

  a2a::task run(a2a::message m) {
    return test::run<a2a::task>(ctx, [&](executor) -> awaitable<a2a::task> {
      auto t = co_await run_one(mgr, m);
      co_await mgr->close();
      co_return t;
    });
  }
};

}  // namespace

TEST(a2a_tool_executor, a_tool_request_completes_with_the_result_as_artifact) {
  fixture f;
  json::object args;
  args["text"] = "hi";
  auto t = f.run(tool_message("echo", args));
  EXPECT_EQ(t.status.state, a2a::task_state::completed);
  ASSERT_EQ(t.artifacts.size(), 1u);
  ASSERT_EQ(t.artifacts[0].parts.size(), 1u);
  const auto* d = t.artifacts[0].parts[0].as_data();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->data.at("text"), "hi");
  EXPECT_EQ(f.tools->calls, std::vector<std::string>{"echo"});
  ASSERT_TRUE(t.status.message);
  EXPECT_NE(a2a::text_of(*t.status.message).find("echo"), std::string::npos);
}

TEST(a2a_tool_executor, non_object_results_are_wrapped) {
  fixture f;
  auto t = f.run(tool_message("number"));
  ASSERT_EQ(t.artifacts.size(), 1u);
  EXPECT_EQ(t.artifacts[0].parts[0].as_data()->data.at("result"), 42);
}

TEST(a2a_tool_executor, the_named_peer_is_passed_to_the_invoker) {
  fixture f;
  auto peer = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
  auto t = f.run(tool_message("whoami", {}, peer.to_string()));
  EXPECT_EQ(t.status.state, a2a::task_state::completed);
  EXPECT_EQ(t.artifacts.at(0).parts[0].as_data()->data.at("result"), json::value(peer.to_string()));
}

TEST(a2a_tool_executor, a_tool_error_fails_the_task_with_its_message) {
  fixture f;
  auto t = f.run(tool_message("fail"));
  EXPECT_EQ(t.status.state, a2a::task_state::failed);
  ASSERT_TRUE(t.status.message);
  EXPECT_NE(a2a::text_of(*t.status.message).find("no such file: /nope"), std::string::npos);
  EXPECT_TRUE(t.artifacts.empty());
}

TEST(a2a_tool_executor, other_messages_are_rejected_with_an_explanation) {
  fixture f;
  auto t = f.run(text_message("please book a flight"));
  EXPECT_EQ(t.status.state, a2a::task_state::rejected);
  ASSERT_TRUE(t.status.message);
  auto text = a2a::text_of(*t.status.message);
  EXPECT_NE(text.find("\"tool\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"arguments\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"peer\""), std::string::npos) << text;
  EXPECT_TRUE(f.tools->calls.empty());
}

TEST(a2a_tool_executor, an_ill_formed_request_is_rejected) {
  fixture f;
  auto t = f.run(tool_message("echo", {}, std::string("not-a-peer-id")));
  EXPECT_EQ(t.status.state, a2a::task_state::rejected);
  EXPECT_NE(a2a::text_of(*t.status.message).find("peer"), std::string::npos);
  EXPECT_TRUE(f.tools->calls.empty());
}
