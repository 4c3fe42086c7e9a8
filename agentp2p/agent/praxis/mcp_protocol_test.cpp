#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/praxis/mcp_protocol.hpp"
#include "agentp2p/agent/praxis/test_support.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
using namespace praxis::testing;
namespace json = boost::json;

namespace {

json::value js(std::string_view text) { return json::parse(text); }

const json::object* find_tool(const json::array& list, std::string_view name) {
  for (const auto& t : list)
    if (t.at("name").as_string() == name) return &t.as_object();
  return nullptr;
}

// A raw MCP stream for sending lines that are not requests.
struct raw_stream {
  std::shared_ptr<host::stream> s;
  std::unique_ptr<agent::json_line_reader> reader;
};

awaitable<result<raw_stream>> open_raw(host::host& h, crypto::peer_id peer) {
  AP_CO_TRY(auto s, co_await h.new_stream(peer, praxis::mcp_protocol_id));
  raw_stream r;
  r.s = s;
  r.reader = std::make_unique<agent::json_line_reader>(*s);
  co_return r;
}

std::int64_t code_of(const json::value& msg) { return msg.at("error").at("code").as_int64(); }

}  // namespace

TEST(praxis_mcp, a_full_session_on_one_stream) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto client = co_await praxis::mcp_client::open(*ag.hosts.a, ag.peer_b(), praxis::client_config());
    EXPECT_TRUE(client);
    if (!client) co_return;
    auto& c = **client;

    // tools.list: praxis ToolSpecs of the real tools.
    auto listed = co_await c.request("tools.list", nullptr);
    EXPECT_TRUE(listed && listed->is_array());
    if (listed && listed->is_array()) {
      auto* add = find_tool(listed->as_array(), "add");
      EXPECT_TRUE(add);
      if (add) {
        EXPECT_EQ(add->at("parameters").as_array().size(), 2u);
        EXPECT_EQ(add->at("parameters").at(0).at("name").as_string(), "a");
        EXPECT_TRUE(add->at("parameters").at(0).at("required").as_bool());
      }
    }

    // The response envelope is praxis's P2PMessage.
    auto raw = co_await c.send("tool.invoke", js(R"({"name":"add","arguments":{"a":2,"b":3}})"));
    EXPECT_TRUE(raw);
    if (raw) {
      EXPECT_EQ(raw->at("type").as_string(), "response");
      EXPECT_EQ(raw->at("method").as_string(), "tool.invoke");
      EXPECT_EQ(raw->at("result").as_double(), 5.0);
      EXPECT_FALSE(raw->contains("error"));
    }

    auto mcp_list = co_await c.request("mcp.execute", js(R"({"method":"tools/list"})"));
    EXPECT_TRUE(mcp_list);
    if (mcp_list) {
      auto* echo = find_tool(mcp_list->at("tools").as_array(), "echo");
      EXPECT_TRUE(echo && echo->at("inputSchema").at("required").at(0).as_string() == "text");
    }

    auto called = co_await c.request("mcp.execute",
                                     js(R"({"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})"));
    EXPECT_TRUE(called) << called.error().what();
    if (called) {
      EXPECT_FALSE(called->at("isError").as_bool());
      EXPECT_EQ(called->at("content").at(0).at("type").as_string(), "text");
      EXPECT_EQ(called->at("structuredContent").at("text").as_string(), "hi");
      EXPECT_NE(called->at("content").at(0).at("text").as_string().find("\"hi\""), json::string::npos);
    }

    // A tool that fails is an MCP result with isError...
    auto failed = co_await c.request("mcp.execute", js(R"({"method":"tools/call","params":{"name":"boom"}})"));
    EXPECT_TRUE(failed && failed->at("isError").as_bool());
    if (failed) { EXPECT_EQ(failed->at("content").at(0).at("text").as_string(), "tool \"boom\" failed: kaboom"); }
    // ...an unknown tool or bad arguments are errors.
    auto unknown = co_await c.request("mcp.execute", js(R"({"method":"tools/call","params":{"name":"nope"}})"));
    EXPECT_TRUE(!unknown && tools::rpc_code(unknown.error()) == -32601);
    auto bad = co_await c.request("mcp.execute",
                                  js(R"({"method":"tools/call","params":{"name":"count","arguments":{"count":1.5}}})"));
    EXPECT_TRUE(!bad && tools::rpc_code(bad.error()) == -32602);
    if (!bad) { EXPECT_NE(bad.error().message.find("arguments.count: expected integer, got number"), std::string::npos); }
    auto invoke_bad = co_await c.request("tool.invoke", js(R"({"name":"count","arguments":{}})"));
    EXPECT_TRUE(!invoke_bad && invoke_bad.error().message.find("arguments.count: required field is missing") != std::string::npos);

    auto no_method = co_await c.request("tools.delete", nullptr);
    EXPECT_TRUE(!no_method && tools::rpc_code(no_method.error()) == -32601);
    auto no_mcp_method = co_await c.request("mcp.execute", js(R"({"method":"resources/list"})"));
    EXPECT_TRUE(!no_mcp_method && tools::rpc_code(no_mcp_method.error()) == -32601);

    co_await c.close();
    co_await ag.close();
  });
}

TEST(praxis_mcp, bad_lines_are_answered_and_the_stream_goes_on) {
  asio::io_context ctx;
  praxis::config small;
  small.server.max_line = 1024;
  agents ag(ctx, {}, small);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await open_raw(*ag.hosts.a, ag.peer_b());
    EXPECT_TRUE(r);
    if (!r) co_return;
    auto& s = *r->s;
    auto& reader = *r->reader;
    (void)co_await s.write(as_bytes("{not json\n"));
    auto first = co_await reader.read();
    EXPECT_TRUE(first && code_of(*first) == -32700);

    (void)co_await s.write(as_bytes(R"({"type":"request","id":"big","method":"tool.invoke","params":{"x":")" +
                                    std::string(3000, 'x') + "\"}}\n"));
    auto second = co_await reader.read();
    EXPECT_TRUE(second && code_of(*second) == -32600);

    (void)co_await s.write(as_bytes("[1,2]\n"));
    auto third = co_await reader.read();
    EXPECT_TRUE(third && code_of(*third) == -32600);

    (void)co_await s.write(as_bytes(R"({"type":"request","id":"ok","method":"tool.invoke","params":{"name":"add","arguments":{"a":1,"b":1}}})" "\n"));
    auto fourth = co_await reader.read();
    EXPECT_TRUE(fourth);
    if (fourth) {
      EXPECT_EQ(fourth->at("id").as_string(), "ok");
      EXPECT_EQ(fourth->at("result").as_double(), 2.0);
    }
    (void)co_await s.close_write();
    auto end = co_await reader.read();
    EXPECT_TRUE(!end && end.error().is(errc::end_of_stream));
    co_await ag.close();
  });
}

TEST(praxis_mcp, pipelined_requests_are_answered_in_order) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await open_raw(*ag.hosts.a, ag.peer_b());
    if (!r) co_return;
    std::string batch;
    for (int i = 0; i < 5; ++i)
      batch += R"({"type":"request","id":")" + std::to_string(i) +
               R"(","method":"tool.invoke","params":{"name":"add","arguments":{"a":)" + std::to_string(i) + R"(,"b":0}}})" "\n";
    (void)co_await r->s->write(as_bytes(batch));
    (void)co_await r->s->close_write();
    for (int i = 0; i < 5; ++i) {
      auto reply = co_await r->reader->read();
      EXPECT_TRUE(reply);
      if (!reply) break;
      EXPECT_EQ(reply->at("id").as_string(), std::to_string(i));
      EXPECT_EQ(reply->at("result").as_double(), double(i));
    }
    co_await ag.close();
  });
}

TEST(praxis_mcp, requests_per_stream_are_bounded) {
  asio::io_context ctx;
  praxis::config limited;
  limited.server.max_requests_per_stream = 3;
  agents ag(ctx, {}, limited);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto client = co_await praxis::mcp_client::open(*ag.hosts.a, ag.peer_b(), praxis::client_config());
    if (!client) co_return;
    for (int i = 0; i < 3; ++i) { auto ok = co_await (*client)->request("tools.list", nullptr); EXPECT_TRUE(ok); }
    auto over = co_await (*client)->request("tools.list", nullptr);
    EXPECT_TRUE(!over && over.error().is(errc::limit_exceeded));
    auto after = co_await (*client)->request("tools.list", nullptr);  // the server closed the stream
    EXPECT_FALSE(after);
    co_await ag.close();
  });
}

TEST(praxis_mcp, a_hanging_tool_times_out_and_the_stream_still_answers) {
  asio::io_context ctx;
  praxis::config quick;
  quick.tools.default_deadline = 200ms;
  agents ag(ctx, {}, quick);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto client = co_await praxis::mcp_client::open(*ag.hosts.a, ag.peer_b(), praxis::client_config());
    if (!client) co_return;
    auto hung = co_await (*client)->request("tool.invoke", js(R"({"name":"hang"})"));
    EXPECT_TRUE(!hung && hung.error().is(errc::timeout));
    auto as_mcp = co_await (*client)->request("mcp.execute", js(R"({"method":"tools/call","params":{"name":"hang"}})"));
    EXPECT_TRUE(as_mcp && as_mcp->at("isError").as_bool());
    auto fine = co_await (*client)->request("tool.invoke", js(R"({"name":"add","arguments":{"a":1,"b":2}})"));
    EXPECT_TRUE(fine && fine->as_double() == 3.0);
    co_await (*client)->close();
    co_await ag.close();
  });
}

TEST(praxis_mcp, an_idle_stream_is_closed) {
  asio::io_context ctx;
  praxis::config idle;
  idle.server.idle_timeout = 100ms;
  agents ag(ctx, {}, idle);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await open_raw(*ag.hosts.a, ag.peer_b());
    if (!r) co_return;
    auto started = std::chrono::steady_clock::now();
    auto nothing = co_await r->reader->read();
    EXPECT_FALSE(nothing);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    co_await ag.close();
  });
}

TEST(praxis_mcp, the_caller_resetting_mid_call_cancels_the_tool) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await open_raw(*ag.hosts.a, ag.peer_b());
    if (!r) co_return;
    (void)co_await r->s->write(as_bytes(R"({"type":"request","id":"1","method":"tool.invoke","params":{"name":"poll"}})" "\n"));
    { auto ok = co_await eventually([&] { return ag.probes_b->poll_started == 1; }); EXPECT_TRUE(ok); }
    r->s->reset();
    { auto ok = co_await eventually([&] { return ag.probes_b->poll_cancelled == 1; }); EXPECT_TRUE(ok); }
    co_await ag.close();
  });
}
