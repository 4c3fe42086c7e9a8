#include <gtest/gtest.h>

#include <atomic>

#include <boost/asio/as_tuple.hpp>

#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/mcp/test_support.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/base/deadline.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace agentp2p::mcp;
using namespace agentp2p::mcp::testing;
using namespace std::chrono_literals;

namespace {

struct probes {
  std::atomic<int> hang_started{0};
  std::atomic<int> hang_cancelled{0};
};

tools::tool_definition def(std::string name, std::string_view schema) {
  tools::tool_definition d;
  d.name = std::move(name);
  d.description = d.name + " tool";
  d.input_schema = json::parse(schema).as_object();
  return d;
}

awaitable<result<json::value>> hang(std::shared_ptr<probes> p) {
  ++p->hang_started;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) ++p->hang_cancelled;
  co_return json::value("woke");
}

std::shared_ptr<tools::registry> make_registry(std::shared_ptr<probes> p) {
  auto reg = std::make_shared<tools::registry>();
  EXPECT_TRUE(reg->add(def("add", R"({"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},
                                     "required":["a","b"]})"),
                       [](json::object a, tools::call_context&) -> awaitable<result<json::value>> {
                         json::object out;
                         out["sum"] = a.at("a").to_number<double>() + a.at("b").to_number<double>();
                         co_return json::value(std::move(out));
                       }));
  EXPECT_TRUE(reg->add(def("fail", R"({"type":"object"})"),
                       [](json::object, tools::call_context&) -> awaitable<result<json::value>> {
                         co_return make_error(errc::io_error, "disk on fire");
                       }));
  EXPECT_TRUE(reg->add(def("hang", R"({"type":"object"})"),
                       [p](json::object, tools::call_context&) { return hang(p); }));
  return reg;
}

awaitable<result<json::value>> ask_everything(json::object args, tool_context& ctx) {
  ctx.progress(0, 2, "starting");
  ctx.log(log_level::info, json::value("working"));
  ctx.log(log_level::debug, json::value("noise"));  // below the default level: not sent
  json::object sample;
  sample["messages"] = js(R"([{"role":"user","content":{"type":"text","text":"hi"}}])");
  sample["maxTokens"] = 10;
  auto sampled = co_await ctx.create_message(std::move(sample));
  if (!sampled) co_return std::move(sampled).error();
  json::object question;
  question["message"] = args.at("message");
  question["requestedSchema"] = js(R"({"type":"object","properties":{"username":{"type":"string"}}})");
  auto elicited = co_await ctx.elicit(std::move(question));
  if (!elicited) co_return std::move(elicited).error();
  ctx.progress(2, 2);
  json::object out;
  out["content"] = json::array();
  json::object text;
  text["type"] = "text";
  text["text"] = std::string(sampled->at("content").at("text").as_string()) + " / " +
                 std::string(elicited->at("content").at("username").as_string());
  out["content"].as_array().push_back(std::move(text));
  co_return json::value(std::move(out));
}

struct fixture {
  std::shared_ptr<probes> pr = std::make_shared<probes>();
  std::shared_ptr<tools::registry> reg = make_registry(pr);
  std::shared_ptr<server> srv;
  explicit fixture(std::size_t page_size = 100) {
    server_config cfg;
    cfg.info.name = "test-server";
    cfg.page_size = page_size;
    srv = server::create(cfg, reg);
    tool t;
    t.name = "ask";
    t.description = "samples and elicits";
    t.input_schema = js(R"({"type":"object","properties":{"message":{"type":"string"}},"required":["message"]})")
                         .as_object();
    t.annotations = js(R"({"readOnlyHint":true})").as_object();
    EXPECT_TRUE(srv->add_tool(t, ask_everything));
    resource r;
    r.uri = "test://static";
    r.name = "static";
    r.mime_type = "text/plain";
    EXPECT_TRUE(srv->add_resource(r, [](std::string uri, std::map<std::string, std::string>)
                                         -> awaitable<result<json::array>> {
      json::object c;
      c["uri"] = uri;
      c["mimeType"] = "text/plain";
      c["text"] = "static text";
      json::array out;
      out.push_back(std::move(c));
      co_return out;
    }));
    resource_template rt;
    rt.uri_template = "test://items/{id}";
    rt.name = "item";
    EXPECT_TRUE(srv->add_resource_template(rt, [](std::string uri, std::map<std::string, std::string> vars)
                                                   -> awaitable<result<json::array>> {
      json::object c;
      c["uri"] = uri;
      c["text"] = "item " + vars["id"];
      json::array out;
      out.push_back(std::move(c));
      co_return out;
    }));
    prompt p;
    p.name = "greet";
    p.description = "greets";
    p.arguments.push_back(prompt_argument{"who", "whom to greet", true});
    EXPECT_TRUE(srv->add_prompt(p, [](std::map<std::string, std::string> args) -> awaitable<result<json::value>> {
      json::object msg;
      msg["role"] = "user";
      json::object content;
      content["type"] = "text";
      content["text"] = "hello " + args["who"];
      msg["content"] = std::move(content);
      json::object out;
      json::array messages;
      messages.push_back(std::move(msg));
      out["messages"] = std::move(messages);
      co_return json::value(std::move(out));
    }));
    srv->set_completion_handler([](completion_request req) -> awaitable<result<std::vector<std::string>>> {
      std::vector<std::string> out;
      for (std::string c : {"paris", "park", "rome"})
        if (c.starts_with(req.value)) out.push_back(c);
      co_return out;
    });
  }
};

// A client connected to the fixture's server over a memory pair.
struct connection {
  std::unique_ptr<client> c;
  connection(fixture& f, executor ex) {
    auto [a, b] = make_memory_pair(ex);
    c = std::make_unique<client>(std::move(a), ex);
    auto s = f.srv->open_session(std::move(b), f.srv->settings().session);
    asio::co_spawn(ex, [](std::shared_ptr<session> s) -> awaitable<void> { co_await s->run(); }(s), asio::detached);
  }
  awaitable<result<json::value>> call(std::string method, std::string_view params) {
    co_return co_await c->s->request(std::move(method), js(params));
  }
};

}  // namespace

TEST(mcp_server, initialize_negotiates_version_and_capabilities) {
  asio::io_context ctx;
  fixture f;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    connection a(f, ex);
    auto before = co_await a.call("tools/list", "{}");
    EXPECT_FALSE(before);
    auto init = co_await a.c->initialize("2025-06-18");
    EXPECT_TRUE(init);
    if (!init) co_return;
    EXPECT_EQ(init->at("protocolVersion"), "2025-06-18");
    EXPECT_EQ(init->at("serverInfo").at("name"), "test-server");
    EXPECT_TRUE(init->at("capabilities").at("tools").at("listChanged").as_bool());
    EXPECT_TRUE(init->at("capabilities").at("resources").at("subscribe").as_bool());
    EXPECT_TRUE(init->at("capabilities").as_object().contains("completions"));
    auto again = co_await a.c->initialize("2025-06-18");
    EXPECT_FALSE(again);
    if (!again) {
      EXPECT_EQ(rpc_code_of(again.error()), -32600);
    }

    connection b(f, ex);
    auto other = co_await b.c->initialize("1999-01-01");
    EXPECT_TRUE(other);
    if (other) {
      EXPECT_EQ(other->at("protocolVersion").as_string(), latest_version);
    }
    connection c(f, ex);
    auto old = co_await c.c->initialize("2024-11-05");
    if (old) {
      EXPECT_EQ(old->at("protocolVersion"), "2024-11-05");
    }
    EXPECT_GE(f.srv->session_count(), 2u);
    a.c->s->close();
    b.c->s->close();
    c.c->s->close();
    co_await sleep_for(10ms);
  });
}

TEST(mcp_server, tools_are_listed_in_pages_and_called) {
  asio::io_context ctx;
  fixture f(2);
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    connection a(f, ex);
    (void)co_await a.c->initialize("2025-11-25");
    std::vector<std::string> names;
    json::value cursor;
    for (int page = 0; page < 10; ++page) {
      json::object params;
      if (!cursor.is_null()) params["cursor"] = cursor;
      auto listed = co_await a.c->s->request("tools/list", std::move(params));
      EXPECT_TRUE(listed);
      if (!listed) co_return;
      for (const auto& t : listed->at("tools").as_array()) {
        names.emplace_back(t.at("name").as_string());
        EXPECT_TRUE(t.at("inputSchema").is_object());
      }
      auto* next = listed->as_object().if_contains("nextCursor");
      if (!next) break;
      cursor = *next;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"add", "ask", "fail", "hang"}));
    auto bad = co_await a.call("tools/list", R"({"cursor":"zz"})");
    EXPECT_FALSE(bad);
    if (!bad) {
      EXPECT_EQ(rpc_code_of(bad.error()), -32602);
    }

    auto sum = co_await a.call("tools/call", R"({"name":"add","arguments":{"a":2,"b":3}})");
    EXPECT_TRUE(sum);
    if (sum) {
      EXPECT_EQ(sum->at("structuredContent").at("sum").to_number<double>(), 5.0);
      EXPECT_FALSE(sum->at("isError").as_bool());
      EXPECT_EQ(sum->at("content").at(0).at("type"), "text");
    }
    auto failed = co_await a.call("tools/call", R"({"name":"fail","arguments":{}})");
    EXPECT_TRUE(failed && failed->at("isError").as_bool());
    auto bad_args = co_await a.call("tools/call", R"({"name":"add","arguments":{"a":"x","b":3}})");
    EXPECT_TRUE(bad_args && bad_args->at("isError").as_bool());
    if (bad_args) {
      EXPECT_NE(bad_args->at("content").at(0).at("text").as_string().find("arguments.a"), std::string::npos);
    }
    auto unknown = co_await a.call("tools/call", R"({"name":"nope"})");
    EXPECT_FALSE(unknown);
    if (!unknown) {
      EXPECT_EQ(rpc_code_of(unknown.error()), -32602);
    }
    auto no_name = co_await a.call("tools/call", R"({})");
    EXPECT_FALSE(no_name);
    auto no_method = co_await a.call("tools/nope", R"({})");
    EXPECT_FALSE(no_method);
    if (!no_method) {
      EXPECT_EQ(rpc_code_of(no_method.error()), -32601);
    }
    a.c->s->close();
    co_await sleep_for(10ms);
  });
}

TEST(mcp_server, native_tools_report_progress_log_sample_and_elicit) {
  asio::io_context ctx;
  fixture f;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    connection a(f, ex);
    (void)co_await a.c->initialize("2025-11-25");
    auto r = co_await a.call("tools/call", R"({"name":"ask","arguments":{"message":"name?"},"_meta":{"progressToken":5}})");
    EXPECT_TRUE(r);
    if (r) {
      EXPECT_EQ(r->at("content").at(0).at("text"), "sampled: hi / ada");
    }
    auto& got = a.c->role->received;
    EXPECT_EQ(got.size(), 3u);
    if (got.size() != 3u) co_return;
    EXPECT_EQ(got[0].at("method"), "notifications/progress");
    EXPECT_EQ(got[0].at("params").at("progressToken"), 5);
    EXPECT_EQ(got[1].at("method"), "notifications/message");
    EXPECT_EQ(got[1].at("params").at("data"), "working");
    EXPECT_EQ(got[2].at("params").at("progress").to_number<double>(), 2.0);

    // Without the argument the schema requires: a tool error, not a protocol error.
    auto missing = co_await a.call("tools/call", R"({"name":"ask","arguments":{}})");
    EXPECT_TRUE(missing && missing->at("isError").as_bool());
    a.c->s->close();
    co_await sleep_for(10ms);
  });
}

TEST(mcp_server, cancelling_a_call_cancels_the_registry_handler) {
  asio::io_context ctx;
  fixture f;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    connection a(f, ex);
    (void)co_await a.c->initialize("2025-11-25");
    auto r = co_await with_deadline(a.call("tools/call", R"({"name":"hang","arguments":{}})"), 200ms, "hang");
    EXPECT_FALSE(r);
    bool cancelled = false;
    for (int i = 0; i < 200 && !cancelled; ++i) {
      co_await sleep_for(10ms);
      cancelled = f.pr->hang_cancelled.load() == 1;
    }
    EXPECT_TRUE(cancelled);
    a.c->s->close();
    co_await sleep_for(10ms);
  });
}

TEST(mcp_server, registry_changes_send_list_changed) {
  asio::io_context ctx;
  fixture f;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    connection a(f, ex);
    (void)co_await a.c->initialize("2025-11-25");
    EXPECT_TRUE(f.reg->add(def("later", R"({"type":"object"})"),
                           [](json::object, tools::call_context&) -> awaitable<result<json::value>> {
                             co_return json::value(1);
                           }));
    co_await sleep_for(20ms);
    EXPECT_FALSE(a.c->role->received.empty());
    if (a.c->role->received.empty()) co_return;
    EXPECT_EQ(a.c->role->received.back().at("method"), "notifications/tools/list_changed");
    a.c->s->close();
    co_await sleep_for(10ms);
  });
}

TEST(mcp_server, resources_templates_and_subscriptions) {
  asio::io_context ctx;
  fixture f;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    connection a(f, ex);
    (void)co_await a.c->initialize("2025-11-25");
    auto listed = co_await a.call("resources/list", "{}");
    EXPECT_TRUE(listed && listed->at("resources").as_array().size() == 1);
    auto templates = co_await a.call("resources/templates/list", "{}");
    EXPECT_TRUE(templates && templates->at("resourceTemplates").at(0).at("uriTemplate") == "test://items/{id}");
    auto text = co_await a.call("resources/read", R"({"uri":"test://static"})");
    EXPECT_TRUE(text && text->at("contents").at(0).at("text") == "static text");
    auto item = co_await a.call("resources/read", R"({"uri":"test://items/42"})");
    EXPECT_TRUE(item && item->at("contents").at(0).at("text") == "item 42");
    auto missing = co_await a.call("resources/read", R"({"uri":"test://items/4/2"})");
    EXPECT_FALSE(missing);
    if (!missing) {
      EXPECT_EQ(rpc_code_of(missing.error()), -32002);
    }

    auto sub = co_await a.call("resources/subscribe", R"({"uri":"test://static"})");
    EXPECT_TRUE(sub && sub->as_object().empty());
    f.srv->resource_updated("test://static");
    f.srv->resource_updated("test://other");
    co_await sleep_for(20ms);
    EXPECT_EQ(a.c->role->received.size(), 1u);
    if (a.c->role->received.size() != 1u) co_return;
    EXPECT_EQ(a.c->role->received[0].at("method"), "notifications/resources/updated");
    auto unsub = co_await a.call("resources/unsubscribe", R"({"uri":"test://static"})");
    EXPECT_TRUE(unsub);
    f.srv->resource_updated("test://static");
    co_await sleep_for(20ms);
    EXPECT_EQ(a.c->role->received.size(), 1u);
    a.c->s->close();
    co_await sleep_for(10ms);
  });
}

TEST(mcp_server, prompts_logging_and_completion) {
  asio::io_context ctx;
  fixture f;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    connection a(f, ex);
    (void)co_await a.c->initialize("2025-11-25");
    auto listed = co_await a.call("prompts/list", "{}");
    EXPECT_TRUE(listed && listed->at("prompts").at(0).at("arguments").at(0).at("required").as_bool());
    auto got = co_await a.call("prompts/get", R"({"name":"greet","arguments":{"who":"bob"}})");
    EXPECT_TRUE(got && got->at("messages").at(0).at("content").at("text") == "hello bob");
    auto missing = co_await a.call("prompts/get", R"({"name":"greet"})");
    EXPECT_FALSE(missing);
    if (!missing) {
      EXPECT_EQ(rpc_code_of(missing.error()), -32602);
    }

    auto level = co_await a.call("logging/setLevel", R"({"level":"error"})");
    EXPECT_TRUE(level);
    auto bad_level = co_await a.call("logging/setLevel", R"({"level":"loud"})");
    EXPECT_FALSE(bad_level);
    f.srv->log(log_level::warning, json::value("quiet"), "test");
    f.srv->log(log_level::critical, json::value("loud"), "test");
    co_await sleep_for(20ms);
    EXPECT_EQ(a.c->role->received.size(), 1u);
    if (a.c->role->received.size() != 1u) co_return;
    EXPECT_EQ(a.c->role->received[0].at("params").at("data"), "loud");

    auto done = co_await a.call("completion/complete",
                                R"({"ref":{"type":"ref/prompt","name":"greet"},"argument":{"name":"who","value":"par"}})");
    EXPECT_TRUE(done);
    if (done) {
      EXPECT_EQ(done->at("completion").at("values"), js(R"(["paris","park"])"));
      EXPECT_FALSE(done->at("completion").at("hasMore").as_bool());
    }
    a.c->s->close();
    co_await sleep_for(10ms);
  });
}
