#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/a2a/test_util.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace a2a_test;

namespace {

// Answers text messages directly ("echo: <text>"); data parts (tool calls)
// become tasks of the tool executor.
struct text_replier final : a2a::agent_executor {
  explicit text_replier(std::shared_ptr<a2a::agent_executor> tasks) : tasks(std::move(tasks)) {}
  std::shared_ptr<a2a::agent_executor> tasks;
  bool replies_directly(const a2a::request_context&, const a2a::message& m) const override {
    return !m.parts.empty() && m.parts.front().as_text();
  }
  awaitable<result<a2a::message>> reply(a2a::reply_context ctx) override {
    a2a::message m;
    m.parts.push_back(a2a::part::text("echo: " + a2a::text_of(ctx.input)));
    co_return m;
  }
  awaitable<void> execute(a2a::turn_context ctx, std::shared_ptr<a2a::task_updater> u) override {
    return tasks->execute(std::move(ctx), std::move(u));
  }
};

std::shared_ptr<a2a::agent_executor> make_agent(std::shared_ptr<test_tools> tools, bool direct_replies) {
  auto tool_agent = std::make_shared<a2a::tool_executor>(std::move(tools));
  if (!direct_replies) return tool_agent;
  return std::make_shared<text_replier>(tool_agent);
}

struct fixture {
  asio::io_context ctx;
  std::shared_ptr<test_tools> tools = std::make_shared<test_tools>();
  std::shared_ptr<a2a::task_manager> mgr;
  a2a::dispatcher rpc;

  explicit fixture(bool direct_replies = false)
      : mgr(open_manager(ctx.get_executor(), make_agent(tools, direct_replies))), rpc{mgr, a2a::card_config{}} {}

  ~fixture() {
    test::run_void(ctx, [this](executor) -> awaitable<void> { co_await mgr->close(); });
  }

  // Handles each line in turn, in one coroutine.
  std::vector<std::vector<json::value>> calls(std::vector<std::string> lines) {
    return test::run<std::vector<std::vector<json::value>>>(
        ctx, [&](executor) -> awaitable<std::vector<std::vector<json::value>>> {
          std::vector<std::vector<json::value>> out;
          for (auto& line : lines) {
            vector_sink sink;
            auto r = co_await rpc.handle(line, {}, sink);
            EXPECT_TRUE(r);
            out.push_back(std::move(sink.out));
          }
          co_return out;
        });
  }
  std::vector<json::value> call(std::string line) { return calls({std::move(line)}).at(0); }
};

std::string request(std::string_view method, const json::object& params, int id = 1) {
  return json::serialize(a2a::make_request(id, method, params));
}

json::object send_params(const a2a::message& m, a2a::dialect d) {
  json::object p;
  p["message"] = a2a::to_json(m, d);
  return p;
}

int error_code(const json::value& response) { return static_cast<int>(response.at("error").at("code").as_int64()); }

json::object id_params(const std::string& id) {
  json::object p;
  p["id"] = id;
  return p;
}

}  // namespace

TEST(a2a_dispatcher, v03_message_send_returns_the_finished_task) {
  fixture f;
  auto out = f.call(request("message/send", send_params(tool_message("echo"), a2a::dialect::v0_3), 7));
  ASSERT_EQ(out.size(), 1u);
  const auto& r = out[0];
  EXPECT_EQ(r.at("jsonrpc"), "2.0");
  EXPECT_EQ(r.at("id"), 7);
  EXPECT_EQ(r.at("result").at("kind"), "task");
  EXPECT_EQ(state_of(r.at("result")), "completed");
  EXPECT_EQ(r.at("result").at("artifacts").at(0).at("parts").at(0).at("kind"), "data");
}

TEST(a2a_dispatcher, v10_send_message_wraps_the_task) {
  fixture f;
  auto out = f.call(request("SendMessage", send_params(tool_message("echo"), a2a::dialect::v1_0)));
  ASSERT_EQ(out.size(), 1u);
  const auto& task = out[0].at("result").at("task");
  EXPECT_EQ(state_of(task), "TASK_STATE_COMPLETED");
  EXPECT_FALSE(task.as_object().contains("kind"));
  EXPECT_EQ(task.at("history").at(0).at("role"), "ROLE_USER");
}

TEST(a2a_dispatcher, return_immediately_answers_with_the_submitted_task) {
  fixture f;
  auto p = send_params(tool_message("echo"), a2a::dialect::v1_0);
  p["configuration"] = json::object{{"returnImmediately", true}};
  auto out = f.call(request("SendMessage", p));
  EXPECT_EQ(state_of(out.at(0).at("result").at("task")), "TASK_STATE_SUBMITTED");
}

TEST(a2a_dispatcher, streaming_sends_one_response_per_event_until_the_end) {
  for (auto [method, d] :
       {std::pair{"message/stream", a2a::dialect::v0_3}, std::pair{"SendStreamingMessage", a2a::dialect::v1_0}}) {
    fixture f;
    auto out = f.call(request(method, send_params(tool_message("echo"), d), 3));
    // task (submitted), status working, artifact, status completed
    ASSERT_EQ(out.size(), 4u) << method;
    for (const auto& r : out) EXPECT_EQ(r.at("id"), 3);
    if (d == a2a::dialect::v0_3) {
      EXPECT_EQ(out[0].at("result").at("kind"), "task");
      EXPECT_EQ(out[1].at("result").at("kind"), "status-update");
      EXPECT_EQ(out[2].at("result").at("kind"), "artifact-update");
      EXPECT_EQ(out[3].at("result").at("status").at("state"), "completed");
      EXPECT_EQ(out[3].at("result").at("final"), true);
      EXPECT_EQ(out[1].at("result").at("final"), false);
    } else {
      EXPECT_TRUE(out[0].at("result").as_object().contains("task"));
      EXPECT_TRUE(out[2].at("result").as_object().contains("artifactUpdate"));
      EXPECT_EQ(out[3].at("result").at("statusUpdate").at("status").at("state"), "TASK_STATE_COMPLETED");
    }
  }
}

TEST(a2a_dispatcher, get_cancel_and_list_in_both_versions) {
  fixture f;
  auto sent = f.call(request("message/send", send_params(tool_message("echo"), a2a::dialect::v0_3)));
  std::string id(sent.at(0).at("result").at("id").as_string());
  json::object list10;
  list10["status"] = "TASK_STATE_COMPLETED";
  list10["includeArtifacts"] = true;
  auto out = f.calls({request("tasks/get", id_params(id)), request("GetTask", id_params(id)),
                      request("ListTasks", list10), request("tasks/list", json::object{}),
                      request("tasks/cancel", id_params(id)), request("CancelTask", id_params(id))});
  EXPECT_EQ(state_of(out[0].at(0).at("result")), "completed");
  EXPECT_EQ(state_of(out[1].at(0).at("result")), "TASK_STATE_COMPLETED");
  const auto& r = out[2].at(0).at("result");
  EXPECT_EQ(r.at("totalSize"), 1);
  EXPECT_EQ(r.at("pageSize"), 50);
  EXPECT_EQ(r.at("nextPageToken"), "");
  EXPECT_TRUE(r.at("tasks").at(0).as_object().contains("artifacts"));
  EXPECT_EQ(out[3].at(0).at("result").at("tasks").at(0).at("kind"), "task");
  EXPECT_FALSE(out[3].at(0).at("result").at("tasks").at(0).as_object().contains("artifacts"));
  EXPECT_EQ(error_code(out[4].at(0)), -32002);
  EXPECT_EQ(error_code(out[5].at(0)), -32002);
}

TEST(a2a_dispatcher, errors_carry_their_codes) {
  fixture f;
  auto out = f.calls({
      "this is not json",
      R"({"jsonrpc":"2.0","id":1,"method":"tasks/explode","params":{}})",
      request("SendMessage", json::object{{"message", "nope"}}),
      request("GetTask", id_params("no-such-task")),
      request("tasks/pushNotificationConfig/set", json::object{}),
      R"({"jsonrpc":"1.0","id":2,"method":"GetTask"})",
      request("GetTask", json::object{}),
  });
  EXPECT_EQ(error_code(out[0].at(0)), -32700);
  EXPECT_TRUE(out[0].at(0).at("id").is_null());
  EXPECT_EQ(error_code(out[1].at(0)), -32601);
  EXPECT_EQ(out[1].at(0).at("id"), 1);
  EXPECT_EQ(error_code(out[2].at(0)), -32602);
  EXPECT_EQ(error_code(out[3].at(0)), -32001);
  EXPECT_EQ(error_code(out[4].at(0)), -32003);
  EXPECT_EQ(error_code(out[5].at(0)), -32600);
  EXPECT_EQ(error_code(out[6].at(0)), -32602);
}

TEST(a2a_dispatcher, cards_in_both_versions) {
  fixture f;
  a2a::card_config cfg;
  cfg.name = "tester";
  cfg.url = "/p2p/x";
  cfg.skills.push_back({"echo", "Echo", "Echoes its arguments", {"tools"}, {}});
  a2a::dispatcher rpc{f.mgr, cfg};
  auto v03 = a2a::agent_card_v03(cfg);
  EXPECT_EQ(v03.at("name"), "tester");
  EXPECT_EQ(v03.at("protocolVersion"), "0.3.0");
  EXPECT_EQ(v03.at("capabilities").at("streaming"), true);
  EXPECT_EQ(v03.at("skills").at(0).at("tags").at(0), "tools");
  auto v10 = a2a::agent_card_v10(cfg);
  EXPECT_EQ(v10.at("supportedInterfaces").at(0).at("protocolVersion"), "1.0");
  auto out = test::run<std::vector<json::value>>(f.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    vector_sink sink;
    (void)co_await rpc.handle(request("agent/getAuthenticatedExtendedCard", json::object{}), {}, sink);
    (void)co_await rpc.handle(request("GetExtendedAgentCard", json::object{}), {}, sink);
    co_return sink.out;
  });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].at("result").at("url"), "/p2p/x");
  EXPECT_TRUE(out[1].at("result").as_object().contains("supportedInterfaces"));
}

TEST(a2a_dispatcher, a_direct_reply_is_the_send_result_in_both_versions) {
  fixture f(true);
  auto m = text_message("hi");
  m.context_id = "ctx-7";
  auto out = f.calls({request("message/send", send_params(m, a2a::dialect::v0_3), 1),
                      request("SendMessage", send_params(m, a2a::dialect::v1_0), 2)});
  ASSERT_EQ(out[0].size(), 1u);
  const auto& r03 = out[0][0].at("result");
  EXPECT_EQ(r03.at("kind"), "message");
  EXPECT_EQ(r03.at("role"), "agent");
  EXPECT_EQ(r03.at("contextId"), "ctx-7");
  EXPECT_FALSE(r03.as_object().contains("taskId"));
  EXPECT_EQ(r03.at("parts").at(0).at("text"), "echo: hi");
  ASSERT_EQ(out[1].size(), 1u);
  EXPECT_EQ(out[1][0].at("id"), 2);
  const auto& r10 = out[1][0].at("result");
  ASSERT_TRUE(r10.as_object().contains("message"));
  EXPECT_FALSE(r10.as_object().contains("task"));
  EXPECT_EQ(r10.at("message").at("role"), "ROLE_AGENT");
  EXPECT_FALSE(r10.at("message").as_object().contains("kind"));
  // Nothing was stored: no task to list or get.
  std::string message_id(r10.at("message").at("messageId").as_string());
  auto after = f.calls({request("ListTasks", json::object{}), request("GetTask", id_params(message_id)),
                        request("GetTask", id_params("ctx-7"))});
  EXPECT_EQ(after[0].at(0).at("result").at("totalSize"), 0);
  EXPECT_EQ(error_code(after[1].at(0)), -32001);
  EXPECT_EQ(error_code(after[2].at(0)), -32001);
}

TEST(a2a_dispatcher, a_streamed_direct_reply_is_one_message) {
  for (auto [method, d] :
       {std::pair{"message/stream", a2a::dialect::v0_3}, std::pair{"SendStreamingMessage", a2a::dialect::v1_0}}) {
    fixture f(true);
    auto out = f.call(request(method, send_params(text_message("hi"), d), 4));
    ASSERT_EQ(out.size(), 1u) << method;
    EXPECT_EQ(out[0].at("id"), 4);
    const auto& msg = d == a2a::dialect::v0_3 ? out[0].at("result") : out[0].at("result").at("message");
    EXPECT_EQ(msg.at("parts").at(0).at("text"), "echo: hi") << method;
  }
}

TEST(a2a_dispatcher, an_agent_that_replies_directly_still_runs_tasks_it_chooses) {
  fixture f(true);
  // Tool calls are tasks; a message naming a task goes to that task.
  auto out = f.calls({request("SendMessage", send_params(tool_message("echo"), a2a::dialect::v1_0)),
                      [] {
                        auto m = text_message("hi");
                        m.task_id = "no-such-task";
                        return request("SendMessage", send_params(m, a2a::dialect::v1_0));
                      }(),
                      request("SendMessage", send_params(text_message(std::string(2 << 20, 'x')), a2a::dialect::v1_0))});
  EXPECT_EQ(state_of(out[0].at(0).at("result").at("task")), "TASK_STATE_COMPLETED");
  EXPECT_EQ(error_code(out[1].at(0)), -32001);
  EXPECT_EQ(error_code(out[2].at(0)), -32602);  // over max_message_bytes, like a task's message
}
