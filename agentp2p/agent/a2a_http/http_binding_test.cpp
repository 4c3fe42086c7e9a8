#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/a2a/test_util.hpp"
#include "agentp2p/agent/a2a_http/http_binding.hpp"
#include "agentp2p/http/client.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace a2a_test;

namespace {

std::string rpc_text(std::string_view method, json::object params, int id) {
  return json::serialize(a2a::make_request(id, method, std::move(params)));
}

json::object send_params(const a2a::message& m, a2a::dialect d) {
  json::object p;
  p["message"] = a2a::to_json(m, d);
  return p;
}

http::client_request rpc_post(std::string url, std::string body) { return http::post_request(std::move(url), std::move(body)); }

struct fixture {
  asio::io_context ctx;
  std::shared_ptr<test_tools> tools = std::make_shared<test_tools>();
  std::shared_ptr<a2a::task_manager> mgr =
      open_manager(ctx.get_executor(), std::make_shared<a2a::tool_executor>(tools));
  std::shared_ptr<a2a::dispatcher> rpc = std::make_shared<a2a::dispatcher>(mgr, a2a::card_config{});
  std::unique_ptr<http::server> srv;

  explicit fixture(http::config cfg = {}) {
    srv = std::make_unique<http::server>(ctx.get_executor(), std::move(cfg));
    a2a::mount_http(*srv, rpc);
    srv->start().value();
  }

  // Runs the test body, then closes the server and the manager in the same
  // run (io_context::run_for only returns early once no work is left).
  template <class Factory>
  void run(Factory make) {
    test::run_void(ctx, [&](executor ex) { return body_then_close(make(ex), srv.get(), mgr); });
  }

  static awaitable<void> body_then_close(awaitable<void> body, http::server* s, std::shared_ptr<a2a::task_manager> m) {
    co_await std::move(body);
    co_await s->close();
    co_await m->close();
  }
};

awaitable<json::value> post_json(http::client& c, std::string url, std::string body) {
  auto r = co_await c.send(rpc_post(std::move(url), std::move(body)));
  if (!r) throw std::runtime_error(r.error().what());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type").value_or(""), "application/json");
  co_return json::parse(r->body);
}

int code_of(const json::value& v) { return static_cast<int>(v.at("error").at("code").as_int64()); }

TEST(a2a_http, cards_by_version_with_the_endpoint_url) {
  fixture f;
  auto go = [](executor ex, std::string base) -> awaitable<void> {
    http::client c(ex);
    auto v03 = co_await c.get(base + "/.well-known/agent-card.json");
    EXPECT_TRUE(v03.has_value());
    if (v03) {
      auto card = json::parse(v03->body);
      EXPECT_EQ(card.at("protocolVersion").as_string(), "0.3.0");
      EXPECT_EQ(card.at("url").as_string(), base + "/a2a");
    }
    auto req = http::get_request(base + "/.well-known/agent-card.json");
    req.headers.set("A2A-Version", "1.0");
    auto v10 = co_await c.send(std::move(req));
    EXPECT_TRUE(v10.has_value());
    if (v10) {
      auto card = json::parse(v10->body);
      auto& ifaces = card.at("supportedInterfaces").as_array();
      EXPECT_EQ(ifaces.at(0).at("url").as_string(), base + "/a2a");
      EXPECT_EQ(ifaces.at(0).at("protocolVersion").as_string(), "1.0");
    }
    auto legacy = co_await c.get(base + "/.well-known/agent.json");
    EXPECT_TRUE(legacy.has_value());
    if (legacy) {
      EXPECT_EQ(json::parse(legacy->body).at("url").as_string(), base + "/a2a");
    }
  };
  f.run([&](executor ex) { return go(ex, f.srv->url()); });
}

TEST(a2a_http, send_get_and_malformed_requests) {
  fixture f;
  auto go = [](executor ex, std::string url) -> awaitable<void> {
    http::client c(ex);
    json::object args;
    args["text"] = "hi";
    auto sent = co_await post_json(c, url, rpc_text("message/send", send_params(tool_message("echo", args), a2a::dialect::v0_3), 1));
    EXPECT_EQ(sent.at("id").as_int64(), 1);
    EXPECT_EQ(state_of(sent.at("result")), "completed");
    std::string task_id(sent.at("result").at("id").as_string());
    json::object get;
    get["id"] = task_id;
    auto got = co_await post_json(c, url, rpc_text("tasks/get", get, 2));
    EXPECT_EQ(got.at("result").at("id").as_string(), task_id);
    // 1.0 names answer in 1.0 shapes.
    auto got10 = co_await post_json(c, url, rpc_text("GetTask", get, 3));
    EXPECT_EQ(got10.at("result").at("status").at("state").as_string(), "TASK_STATE_COMPLETED");
    auto junk = co_await post_json(c, url, "{not json");
    EXPECT_EQ(code_of(junk), -32700);
    EXPECT_TRUE(junk.at("id").is_null());
    auto invalid = co_await post_json(c, url, R"({"jsonrpc":"2.0","id":4})");
    EXPECT_EQ(code_of(invalid), -32600);
    auto unknown = co_await post_json(c, url, rpc_text("tasks/nope", json::object(), 5));
    EXPECT_EQ(code_of(unknown), -32601);
    json::object missing;
    missing["id"] = "no-such-task";
    auto nf = co_await post_json(c, url, rpc_text("tasks/get", missing, 6));
    EXPECT_EQ(code_of(nf), -32001);
    auto req = rpc_post(url, rpc_text("tasks/get", get, 7));
    req.headers.set("A2A-Version", "9.9");
    auto wrong = co_await c.send(std::move(req));
    EXPECT_TRUE(wrong.has_value());
    if (wrong) {
      auto v = json::parse(wrong->body);
      EXPECT_EQ(code_of(v), a2a::version_not_supported_code);
      EXPECT_EQ(v.at("id").as_int64(), 7);
    }
  };
  f.run([&](executor ex) { return go(ex, f.srv->url() + "/a2a"); });
}

TEST(a2a_http, oversized_request_is_413) {
  http::config cfg;
  cfg.max_body_bytes = 4096;
  fixture f(cfg);
  auto go = [](executor ex, std::string url) -> awaitable<void> {
    http::client c(ex);
    json::object args;
    args["blob"] = std::string(10000, 'x');
    auto r = co_await c.send(rpc_post(url, rpc_text("message/send", send_params(tool_message("echo", args), a2a::dialect::v0_3), 1)));
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(r->status, 413);
    }
  };
  f.run([&](executor ex) { return go(ex, f.srv->url() + "/a2a"); });
}

TEST(a2a_http, stream_is_sse_with_one_response_per_event) {
  fixture f;
  auto go = [](executor ex, std::string url) -> awaitable<void> {
    http::client c(ex);
    json::object args;
    args["n"] = 1;
    auto req = rpc_post(url, rpc_text("message/stream", send_params(tool_message("echo", args), a2a::dialect::v0_3), 9));
    req.headers.set("Accept", "text/event-stream");
    auto opened = co_await c.open(std::move(req));
    EXPECT_TRUE(opened.has_value());
    if (!opened) co_return;
    auto& s = **opened;
    EXPECT_EQ(s.status(), 200);
    EXPECT_TRUE(s.is_event_stream());
    std::vector<json::value> events;
    for (int i = 0; i < 20; ++i) {
      auto ev = co_await s.next_event();
      EXPECT_TRUE(ev.has_value());
      if (!ev || !*ev) break;
      events.push_back(json::parse((*ev)->data));
    }
    EXPECT_GE(events.size(), 2u);
    for (auto& e : events) EXPECT_EQ(e.at("id").as_int64(), 9);
    EXPECT_EQ(events.front().at("result").at("kind").as_string(), "task");
    auto& last = events.back().at("result");
    EXPECT_TRUE(last.at("final").as_bool());
    EXPECT_EQ(last.at("status").at("state").as_string(), "completed");
    // A streaming call that fails before any event is a plain JSON error.
    json::object missing;
    missing["id"] = "no-such-task";
    auto bad = co_await c.send(rpc_post(url, rpc_text("tasks/resubscribe", missing, 10)));
    EXPECT_TRUE(bad.has_value());
    if (bad) {
      EXPECT_EQ(bad->header("Content-Type").value_or(""), "application/json");
      EXPECT_EQ(code_of(json::parse(bad->body)), -32001);
    }
  };
  f.run([&](executor ex) { return go(ex, f.srv->url() + "/a2a"); });
}

}  // namespace
