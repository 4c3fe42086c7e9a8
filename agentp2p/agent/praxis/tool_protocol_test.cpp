#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/praxis/test_support.hpp"
#include "agentp2p/agent/praxis/tool_protocol.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
using namespace praxis::testing;
namespace json = boost::json;

namespace {

json::object args(std::string_view text) { return json::parse(text).as_object(); }

// Sends one raw line on a fresh /praxis/tool/1.0.0 stream and returns the reply.
awaitable<result<json::value>> raw_request(host::host& h, crypto::peer_id peer, std::string line) {
  AP_CO_TRY(auto s, co_await h.new_stream(peer, praxis::tool_protocol_id));
  AP_CO_TRYV(co_await s->write(as_bytes(line)));
  AP_CO_TRYV(co_await s->close_write());
  agent::json_line_reader reader(*s);
  co_return co_await reader.read();
}

std::int64_t error_code_of(const json::value& reply) {
  auto* e = reply.as_object().if_contains("error");
  return e && e->is_object() ? e->as_object().at("code").as_int64() : 0;
}

praxis::config with_tools(tools::config t) {
  praxis::config c;
  c.tools = t;
  return c;
}

}  // namespace

TEST(praxis_tool, tools_are_called_both_ways) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto sum = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "add", args(R"({"a":2,"b":40})"));
    EXPECT_TRUE(sum) << sum.error().what();
    if (sum) { EXPECT_EQ(sum->as_double(), 42.0); }
    auto echoed = co_await praxis::call_remote_tool(*ag.hosts.b, ag.peer_a(), "echo", args(R"({"text":"hi"})"));
    EXPECT_TRUE(echoed) << echoed.error().what();
    if (echoed) {
      EXPECT_EQ(echoed->at("text").as_string(), "hi");
      EXPECT_EQ(echoed->at("caller").as_string(), ag.peer_b().to_string());  // the authenticated caller
    }
    co_await ag.close();
  });
}

TEST(praxis_tool, a_line_that_is_not_json_gets_a_parse_error) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto reply = co_await raw_request(*ag.hosts.a, ag.peer_b(), "this is not json\n");
    EXPECT_TRUE(reply) << reply.error().what();
    if (reply) {
      EXPECT_EQ(error_code_of(*reply), -32700);
      EXPECT_TRUE(reply->at("result").is_null());
    }
    co_await ag.close();
  });
}

TEST(praxis_tool, a_line_over_the_size_limit_is_refused) {
  asio::io_context ctx;
  praxis::config small;
  small.server.max_line = 1024;
  agents ag(ctx, {}, small);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto line = R"({"id":"1","name":"echo","arguments":{"text":")" + std::string(4000, 'x') + "\"}}\n";
    auto reply = co_await raw_request(*ag.hosts.a, ag.peer_b(), line);
    EXPECT_TRUE(reply) << reply.error().what();
    if (reply) {
      EXPECT_EQ(error_code_of(*reply), -32600);
      EXPECT_NE(reply->at("error").at("message").as_string().find("limit"), json::string::npos);
    }
    co_await ag.close();
  });
}

TEST(praxis_tool, an_unknown_tool_is_method_not_found) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "nope", json::object());
    EXPECT_TRUE(!r && r.error().is(errc::not_found));
    if (!r) { EXPECT_EQ(tools::rpc_code(r.error()), -32601); }
    auto raw = co_await raw_request(*ag.hosts.a, ag.peer_b(), R"({"id":"7","name":"nope","arguments":{}})" "\n");
    if (raw) {
      EXPECT_EQ(error_code_of(*raw), -32601);
      EXPECT_EQ(raw->at("id").as_string(), "7");
    }
    co_await ag.close();
  });
}

TEST(praxis_tool, arguments_breaking_the_schema_name_the_field) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "count", args(R"({"count":"three"})"));
    EXPECT_TRUE(!r && r.error().is(errc::invalid_argument));
    if (!r) {
      EXPECT_EQ(tools::rpc_code(r.error()), -32602);
      EXPECT_NE(r.error().message.find("arguments.count: expected integer, got string"), std::string::npos)
          << r.error().message;
    }
    EXPECT_EQ(ag.probes_b->hang_started, 0);
    co_await ag.close();
  });
}

TEST(praxis_tool, a_throwing_handler_is_an_error_and_the_node_carries_on) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "boom", json::object());
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(tools::rpc_code(r.error()), -32603);
      EXPECT_EQ(r.error().message, "tool \"boom\" failed: kaboom");
    }
    auto after = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "add", args(R"({"a":1,"b":1})"));
    EXPECT_TRUE(after);
    co_await ag.close();
  });
}

TEST(praxis_tool, a_hanging_handler_times_out_and_the_node_still_answers) {
  asio::io_context ctx;
  tools::config quick;
  quick.default_deadline = 200ms;
  agents ag(ctx, {}, with_tools(quick));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "hang", json::object());
    EXPECT_TRUE(!r && r.error().is(errc::timeout));
    if (!r) { EXPECT_EQ(tools::rpc_code(r.error()), -32001); }
    auto after = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "add", args(R"({"a":1,"b":2})"));
    EXPECT_TRUE(after);
    { auto ok = co_await eventually([&] { return ag.probes_b->hang_cancelled == 1; }); EXPECT_TRUE(ok); }
    co_await ag.close();
  });
}

TEST(praxis_tool, the_caller_disconnecting_mid_call_cancels_the_handler) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    asio::co_spawn(ex, [](host::host& h, crypto::peer_id peer) -> awaitable<void> {
      (void)co_await praxis::call_remote_tool(h, peer, "poll", json::object());
    }(*ag.hosts.a, ag.peer_b()), asio::detached);
    { auto ok = co_await eventually([&] { return ag.probes_b->poll_started == 1; }); EXPECT_TRUE(ok); }
    co_await ag.hosts.a->disconnect(ag.peer_b());
    { auto ok = co_await eventually([&] { return ag.probes_b->poll_cancelled == 1; }); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return ag.b->tools().active_calls() == 0; }); EXPECT_TRUE(ok); }
    co_await ag.close();
  });
}

TEST(praxis_tool, a_client_deadline_resets_the_stream_and_cancels_the_remote_handler) {
  asio::io_context ctx;
  agents ag(ctx);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    praxis::client_config impatient;
    impatient.deadline = 150ms;
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "poll", json::object(), impatient);
    EXPECT_TRUE(!r && r.error().is(errc::timeout));
    { auto ok = co_await eventually([&] { return ag.probes_b->poll_cancelled == 1; }); EXPECT_TRUE(ok); }
    co_await ag.close();
  });
}

TEST(praxis_tool, an_inline_tool_answers_on_the_node_thread_and_a_caller_reset_cancels_it) {
  asio::io_context ctx;
  agents ag(ctx);
  auto inline_tool = [](std::string name, std::string_view schema) {
    auto d = tool(std::move(name), "runs on the node's thread", schema);
    d.execution = tools::execution::inline_on_caller;
    return d;
  };
  ASSERT_TRUE(ag.b->tools().add(inline_tool("echo_inline", R"({"type":"object","properties":{"text":{"type":"string"}},
                                                                  "required":["text"]})"),
                                echo_tool));
  auto pr = ag.probes_b;
  ASSERT_TRUE(ag.b->tools().add(inline_tool("hang_inline", R"({"type":"object"})"),
                                [pr](json::object, tools::call_context&) { return hang_tool(pr); }));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto echoed = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "echo_inline", args(R"({"text":"hi"})"));
    EXPECT_TRUE(echoed) << echoed.error().what();
    if (echoed) { EXPECT_EQ(echoed->at("text").as_string(), "hi"); }
    auto bad = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "echo_inline", args(R"({"text":7})"));
    EXPECT_TRUE(!bad && tools::rpc_code(bad.error()) == -32602);
    praxis::client_config impatient;
    impatient.deadline = 150ms;
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "hang_inline", json::object(), impatient);
    EXPECT_TRUE(!r && r.error().is(errc::timeout));
    { auto ok = co_await eventually([&] { return pr->hang_started == 1 && pr->hang_cancelled == 1; }); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return ag.b->tools().active_calls() == 0; }); EXPECT_TRUE(ok); }
    co_await ag.close();
  });
}

TEST(praxis_tool, concurrent_calls_over_the_limit_are_refused) {
  asio::io_context ctx;
  tools::config one;
  one.max_concurrent_calls = 1;
  one.default_deadline = 2s;
  agents ag(ctx, {}, with_tools(one));
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    asio::co_spawn(ex, [](host::host& h, crypto::peer_id peer) -> awaitable<void> {
      (void)co_await praxis::call_remote_tool(h, peer, "hang", json::object());
    }(*ag.hosts.a, ag.peer_b()), asio::detached);
    { auto ok = co_await eventually([&] { return ag.b->tools().active_calls() == 1; }); EXPECT_TRUE(ok); }
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "add", args(R"({"a":1,"b":2})"));
    EXPECT_TRUE(!r && r.error().is(errc::limit_exceeded));
    if (!r) { EXPECT_EQ(tools::rpc_code(r.error()), -32003); }
    co_await ag.close();
  });
}

TEST(praxis_tool, a_peer_without_the_tool_protocol_is_reported_as_unsupported) {
  asio::io_context ctx;
  agents ag(ctx);
  ag.hosts.b->remove_stream_handler(praxis::tool_protocol_id);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto r = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "add", args(R"({"a":1,"b":2})"));
    EXPECT_TRUE(!r && r.error().is(errc::unsupported));
    if (!r) {
      EXPECT_NE(r.error().message.find("the peer does not support '/praxis/tool/1.0.0'"), std::string::npos)
          << r.error().message;
    }
    co_await ag.close();
  });
}

TEST(praxis_tool, a_stream_that_sends_no_request_is_closed_after_the_idle_timeout) {
  asio::io_context ctx;
  praxis::config impatient;
  impatient.server.idle_timeout = 100ms;
  agents ag(ctx, {}, impatient);
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    auto s = co_await ag.hosts.a->new_stream(ag.peer_b(), praxis::tool_protocol_id);
    EXPECT_TRUE(s) << s.error().what();
    if (s) {
      auto r = co_await core::read_to_end(**s, 1024);  // ends when the server gives up on us
      EXPECT_TRUE(!r || r->empty());
    }
    auto after = co_await praxis::call_remote_tool(*ag.hosts.a, ag.peer_b(), "add", args(R"({"a":1,"b":2})"));
    EXPECT_TRUE(after) << after.error().what();
    co_await ag.close();
  });
}

TEST(praxis_tool_reply, understands_both_error_forms) {
  auto parse = [](std::string_view text) { return praxis::parse_tool_reply(json::parse(text), "1"); };
  auto ok = parse(R"({"id":"1","result":{"x":1}})");
  EXPECT_TRUE(ok && ok->at("x").as_int64() == 1);
  auto ours = parse(R"({"id":"1","result":null,"error":{"code":-32602,"message":"arguments.a: bad"}})");
  EXPECT_TRUE(!ours && ours.error().is(errc::invalid_argument) && ours.error().message == "arguments.a: bad");
  auto theirs = parse(R"({"id":"1","result":{"status":"error","error":"Tool execution failed: x"}})");
  EXPECT_TRUE(!theirs && tools::rpc_code(theirs.error()) == -32603 && theirs.error().message == "Tool execution failed: x");
  auto unknown = parse(R"({"id":"1","result":{"status":"unknown_tool","error":"Tool t not found"}})");
  EXPECT_TRUE(!unknown && unknown.error().is(errc::not_found));
  auto other = parse(R"({"id":"2","result":1})");
  EXPECT_TRUE(!other && other.error().is(errc::protocol_error));
  auto custom = parse(R"({"id":"1","error":{"code":-32050,"message":"quota"}})");
  EXPECT_TRUE(!custom && tools::rpc_code(custom.error()) == -32050);
  EXPECT_FALSE(parse("[1]"));
}

TEST(praxis_tool_request, is_parsed_strictly) {
  auto req = praxis::parse_tool_request(json::parse(R"({"id":"9","name":"add","arguments":{"a":1},"timestamp":5})"));
  ASSERT_TRUE(req);
  EXPECT_EQ(req->name, "add");
  EXPECT_EQ(req->timestamp, 5);
  EXPECT_TRUE(praxis::parse_tool_request(json::parse(R"({"name":"add","arguments":null})")));
  EXPECT_FALSE(praxis::parse_tool_request(json::parse(R"({"id":"9"})")));
  auto bad_args = praxis::parse_tool_request(json::parse(R"({"name":"add","arguments":[1]})"));
  EXPECT_TRUE(!bad_args && bad_args.error().is(errc::invalid_argument));
}

TEST(praxis_tool_request, copying_and_moving_parses_agree) {
  const auto text = R"({"id":"9","name":"add","arguments":{"a":1},"timestamp":5})";
  const json::value kept = json::parse(text);
  auto copied = praxis::parse_tool_request(kept);
  auto moved = praxis::parse_tool_request(json::parse(text));
  ASSERT_TRUE(copied && moved);
  EXPECT_EQ(copied->id, moved->id);
  EXPECT_EQ(copied->arguments, moved->arguments);
  EXPECT_EQ(json::serialize(moved->arguments), R"({"a":1})");
  EXPECT_EQ(kept, json::parse(text));
  // A refused request is left whole: the server still answers with its id.
  auto bad = json::parse(R"({"id":"7","name":"add","arguments":[1]})");
  EXPECT_FALSE(praxis::parse_tool_request(std::move(bad)));
  EXPECT_EQ(bad, json::parse(R"({"id":"7","name":"add","arguments":[1]})"));
}
