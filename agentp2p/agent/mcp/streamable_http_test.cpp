#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/mcp/streamable_http.hpp"
#include "agentp2p/agent/mcp/test_support.hpp"
#include "agentp2p/http/client.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace agentp2p::mcp;
using namespace agentp2p::mcp::testing;
using namespace std::chrono_literals;

namespace {

awaitable<result<json::value>> slow_progress(json::object, tool_context& ctx) {
  ctx.progress(1, 2);
  co_await sleep_for(20ms);
  ctx.progress(2, 2);
  co_return json::value("done");
}

// Progress and the response with no pause between them: the server pushes
// them while it is still writing the first event out.
awaitable<result<json::value>> burst(json::object, tool_context& ctx) {
  ctx.progress(1, 3);
  ctx.progress(2, 3);
  ctx.progress(3, 3);
  co_return json::value("burst done");
}

struct rig {
  std::shared_ptr<server> srv;
  std::unique_ptr<http::server> web;
  std::shared_ptr<http_endpoint> endpoint;
  std::string url;
  rig(executor ex, std::size_t max_body) : rig(ex, max_body, http_config()) {}
  rig(executor ex, std::size_t max_body, http_config mc) {
    srv = server::create(server_config());
    tool t;
    t.name = "slow";
    t.description = "reports progress";
    EXPECT_TRUE(srv->add_tool(t, slow_progress));
    tool b;
    b.name = "burst";
    b.description = "progress and the response at once";
    EXPECT_TRUE(srv->add_tool(b, burst));
    http::config hc;
    hc.max_body_bytes = max_body;
    web = std::make_unique<http::server>(ex, hc);
    endpoint = http_endpoint::mount(*web, srv, std::move(mc));
    EXPECT_TRUE(web->start());
    url = web->url() + "/mcp";
  }
  awaitable<void> close() {
    co_await endpoint->close();
    co_await web->close();
  }
};

const char* init_body =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

http::client_request post(const std::string& url, std::string body, std::string accept, std::string session) {
  auto r = http::post_request(url, std::move(body));
  r.headers.set("Accept", accept);
  if (!session.empty()) r.headers.set("Mcp-Session-Id", session);
  return r;
}

// initialize with JSON responses; returns the session id.
awaitable<std::string> open_session(http::client& c, const std::string& url) {
  auto r = co_await c.send(post(url, init_body, "application/json", ""));
  EXPECT_TRUE(r);
  if (!r) co_return std::string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body).at("result").at("protocolVersion"), "2025-11-25");
  auto sid = r->header("Mcp-Session-Id");
  EXPECT_TRUE(sid);
  std::string id = sid ? std::string(*sid) : std::string();
  auto note = co_await c.send(post(url, R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                                   "application/json, text/event-stream", id));
  EXPECT_TRUE(note && note->status == 202);
  co_return id;
}

}  // namespace

TEST(mcp_http, sessions_json_responses_and_errors) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, 64 * 1024);
    http::client c(ex);
    auto sid = co_await open_session(c, r.url);
    EXPECT_EQ(r.endpoint->session_count(), 1u);

    auto listed = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", "application/json", sid));
    EXPECT_TRUE(listed && listed->status == 200);
    if (listed) {
      const auto tools = json::parse(listed->body).at("result").at("tools");
      EXPECT_EQ(tools.at(0).at("name"), "burst");
      EXPECT_EQ(tools.at(1).at("name"), "slow");
    }
    auto no_session = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":3,"method":"ping"})", "application/json", ""));
    EXPECT_TRUE(no_session && no_session->status == 400);
    auto unknown = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":3,"method":"ping"})", "application/json", "nope"));
    EXPECT_TRUE(unknown && unknown->status == 404);
    auto not_json = co_await c.send(post(r.url, "{oops", "application/json", sid));
    EXPECT_TRUE(not_json && not_json->status == 400);
    if (not_json) {
      EXPECT_EQ(json::parse(not_json->body).at("error").at("code"), -32700);
    }
    auto bad_accept = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":4,"method":"ping"})", "text/html", sid));
    EXPECT_TRUE(bad_accept && bad_accept->status == 406);
    auto wrong_type = http::post_request(r.url, "{}", "text/plain");
    wrong_type.headers.set("Mcp-Session-Id", sid);
    auto unsupported = co_await c.send(std::move(wrong_type));
    EXPECT_TRUE(unsupported && unsupported->status == 415);
    auto old_version = post(r.url, R"({"jsonrpc":"2.0","id":5,"method":"ping"})", "application/json", sid);
    old_version.headers.set("MCP-Protocol-Version", "1999-01-01");
    auto refused = co_await c.send(std::move(old_version));
    EXPECT_TRUE(refused && refused->status == 400);
    auto batch = co_await c.send(post(r.url, R"([{"jsonrpc":"2.0","id":6,"method":"ping"}])", "application/json", sid));
    EXPECT_TRUE(batch && batch->status == 400);  // not in 2025-11-25
    auto huge = co_await c.send(post(r.url, std::string(100 * 1024, ' '), "application/json", sid));
    EXPECT_TRUE(huge && huge->status == 413);
    auto foreign = post(r.url, R"({"jsonrpc":"2.0","id":7,"method":"ping"})", "application/json", sid);
    foreign.headers.set("Origin", "http://evil.example.com");
    auto forbidden = co_await c.send(std::move(foreign));
    EXPECT_TRUE(forbidden && forbidden->status == 403);

    auto del_req = http::delete_request(r.url);
    del_req.headers.set("Mcp-Session-Id", sid);
    auto deleted = co_await c.send(std::move(del_req));
    EXPECT_TRUE(deleted && deleted->status == 200);
    auto gone = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":8,"method":"ping"})", "application/json", sid));
    EXPECT_TRUE(gone && gone->status == 404);
    co_await r.close();
  });
}

TEST(mcp_http, sse_streams_progress_then_the_response) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, 64 * 1024);
    http::client c(ex);
    auto sid = co_await open_session(c, r.url);
    auto stream = co_await c.open(post(
        r.url, R"({"jsonrpc":"2.0","id":"call","method":"tools/call","params":{"name":"slow","_meta":{"progressToken":9}}})",
        "application/json, text/event-stream", sid));
    EXPECT_TRUE(stream);
    if (!stream) co_return;
    auto& s = **stream;
    EXPECT_TRUE(s.is_event_stream());
    std::vector<json::value> got;
    std::optional<std::string> priming_id;
    for (int i = 0; i < 10; ++i) {
      auto ev = co_await s.next_event(5s);
      if (!ev || !*ev) break;
      if ((*ev)->data.empty()) {
        priming_id = (*ev)->id;  // 2025-11-25: the priming event
        continue;
      }
      got.push_back(json::parse((*ev)->data));
    }
    EXPECT_TRUE(priming_id);
    EXPECT_EQ(got.size(), 3u);
    if (got.size() == 3) {
      EXPECT_EQ(got[0].at("method"), "notifications/progress");
      EXPECT_EQ(got[2].at("id"), "call");
      EXPECT_EQ(got[2].at("result").at("content").at(0).at("text"), "done");
    }
    co_await r.close();
  });
}

// Messages pushed while the stream is busy writing are sent without waiting
// for a later wake-up (the response used to sit until the keep-alive or the
// next message on the session).
TEST(mcp_http, sse_sends_what_arrives_during_a_write) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, 64 * 1024);
    http::client c(ex);
    auto sid = co_await open_session(c, r.url);
    for (int round = 0; round < 20; ++round) {
      const std::string id = "b" + std::to_string(round);
      auto stream = co_await c.open(post(r.url,
                                         R"({"jsonrpc":"2.0","id":")" + id +
                                             R"(","method":"tools/call","params":{"name":"burst","_meta":{"progressToken":1}}})",
                                         "application/json, text/event-stream", sid));
      EXPECT_TRUE(stream);
      if (!stream) co_return;
      std::vector<json::value> got;
      for (int i = 0; i < 10; ++i) {
        auto ev = co_await (*stream)->next_event(10s);
        EXPECT_TRUE(ev) << "round " << round << ": " << (ev ? "" : ev.error().what());
        if (!ev || !*ev) break;
        if ((*ev)->data.empty()) continue;  // priming
        got.push_back(json::parse((*ev)->data));
        if (got.back().as_object().contains("id")) break;  // the response: no waiting for the end
      }
      EXPECT_EQ(got.size(), 4u) << "round " << round;
      if (got.size() != 4) co_return;
      EXPECT_EQ(got[2].at("params").at("progress"), 3);
      EXPECT_EQ(got[3].at("id"), json::value(id));
      EXPECT_EQ(got[3].at("result").at("content").at(0).at("text"), "burst done");
    }
    co_await r.close();
  });
}

TEST(mcp_http, standalone_stream_gets_list_changed_and_resumes) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, 64 * 1024);
    http::client c(ex);
    auto sid = co_await open_session(c, r.url);
    auto get = http::get_request(r.url);
    get.headers.set("Accept", "text/event-stream");
    get.headers.set("Mcp-Session-Id", sid);
    auto stream = co_await c.open(get);
    EXPECT_TRUE(stream && (*stream)->status() == 200);
    if (!stream) co_return;
    auto second = co_await c.send(get);
    EXPECT_TRUE(second && second->status == 409);  // one standalone stream per session

    tool t;
    t.name = "later";
    EXPECT_TRUE(r.srv->add_tool(t, slow_progress));
    auto ev = co_await (*stream)->next_event(5s);
    EXPECT_TRUE(ev && *ev);
    std::string first_id;
    if (ev && *ev) {
      EXPECT_EQ(json::parse((**ev).data).at("method"), "notifications/tools/list_changed");
      first_id = (**ev).id.value_or("");
    }
    (*stream)->close();
    co_await sleep_for(20ms);
    EXPECT_TRUE(r.srv->remove_tool("later"));  // sent while nobody listens: kept
    co_await sleep_for(20ms);
    get.headers.set("Last-Event-ID", first_id);
    auto resumed = co_await c.open(get);
    EXPECT_TRUE(resumed);
    if (resumed) {
      auto again = co_await (*resumed)->next_event(5s);
      EXPECT_TRUE(again && *again);
      if (again && *again) {
        EXPECT_NE((**again).id.value_or(""), first_id);
        EXPECT_EQ(json::parse((**again).data).at("method"), "notifications/tools/list_changed");
      }
      (*resumed)->close();
    }
    co_await r.close();
  });
}

TEST(mcp_http, legacy_sse_transport) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, 64 * 1024);
    http::client c(ex);
    const auto base = r.url.substr(0, r.url.size() - 4);  // without "/mcp"
    auto get = http::get_request(base + "/sse");
    get.headers.set("Accept", "text/event-stream");
    auto stream = co_await c.open(get);
    EXPECT_TRUE(stream);
    if (!stream) co_return;
    auto endpoint = co_await (*stream)->next_event(5s);
    EXPECT_TRUE(endpoint && *endpoint);
    if (!endpoint || !*endpoint) co_return;
    EXPECT_EQ((**endpoint).event, "endpoint");
    const std::string post_url = base + (**endpoint).data;
    auto accepted = co_await c.send(http::post_request(post_url, init_body));
    EXPECT_TRUE(accepted && accepted->status == 202);
    auto reply = co_await (*stream)->next_event(5s);
    EXPECT_TRUE(reply && *reply);
    if (reply && *reply) {
      EXPECT_EQ((**reply).event, "message");
      EXPECT_EQ(json::parse((**reply).data).at("result").at("protocolVersion"), "2025-11-25");
    }
    // A call with progress: everything arrives on the one stream, without
    // waiting for another message to push it out.
    auto initialized = co_await c.send(http::post_request(post_url, R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
    EXPECT_TRUE(initialized && initialized->status == 202);
    auto called = co_await c.send(http::post_request(
        post_url, R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"burst","_meta":{"progressToken":"t"}}})"));
    EXPECT_TRUE(called && called->status == 202);
    int progress = 0;
    bool answered = false;
    for (int i = 0; i < 10 && !answered; ++i) {
      auto ev = co_await (*stream)->next_event(10s);
      EXPECT_TRUE(ev && *ev) << (ev ? "stream ended" : ev.error().what());
      if (!ev || !*ev) break;
      auto msg = json::parse((**ev).data);
      if (msg.as_object().contains("id")) answered = true;
      else ++progress;
    }
    EXPECT_TRUE(answered);
    EXPECT_EQ(progress, 3);
    auto unknown = co_await c.send(http::post_request(base + "/messages?sessionId=nope", init_body));
    EXPECT_TRUE(unknown && unknown->status == 404);
    (*stream)->close();
    co_await sleep_for(30ms);
    EXPECT_EQ(r.endpoint->session_count(), 0u);  // the stream was the session
    co_await r.close();
  });
}

namespace {

// Opens two sessions, keeps using one and abandons the other: the sweep
// closes the abandoned one once it has been idle past the timeout, without
// waiting for the max_sessions cap.
awaitable<void> idle_session_round(executor ex) {
  http_config mc;
  mc.session_idle_timeout = 200ms;
  rig r(ex, 64 * 1024, mc);
  http::client c(ex);
  auto abandoned = co_await open_session(c, r.url);
  auto kept = co_await open_session(c, r.url);
  EXPECT_EQ(r.endpoint->session_count(), 2u);
  // Bounded: 500 pings, 20 ms apart, while the abandoned session is swept.
  bool swept = false;
  for (int i = 0; i < 500 && !swept; ++i) {
    auto pong = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":2,"method":"ping"})", "application/json", kept));
    EXPECT_TRUE(pong && pong->status == 200);
    swept = r.endpoint->session_count() == 1;
    co_await sleep_for(20ms);
  }
  EXPECT_TRUE(swept) << "the idle session was not closed";
  auto gone = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":3,"method":"ping"})", "application/json", abandoned));
  EXPECT_TRUE(gone && gone->status == 404);
  auto alive = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":4,"method":"ping"})", "application/json", kept));
  EXPECT_TRUE(alive && alive->status == 200);
  co_await r.close();
}

// A POST body over the endpoint's own message limit is refused with 413
// (the http::server's larger body limit lets it through).
awaitable<void> message_limit_round(executor ex) {
  http_config mc;
  mc.max_message_bytes = 1024;
  rig r(ex, 64 * 1024, mc);
  http::client c(ex);
  auto sid = co_await open_session(c, r.url);
  auto big = std::string(R"({"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":")") + std::string(2048, 'x') + "\"}}";
  auto refused = co_await c.send(post(r.url, big, "application/json", sid));
  EXPECT_TRUE(refused && refused->status == 413);
  auto small = co_await c.send(post(r.url, R"({"jsonrpc":"2.0","id":3,"method":"ping"})", "application/json", sid));
  EXPECT_TRUE(small && small->status == 200);
  co_await r.close();
}

}  // namespace

TEST(mcp_http, idle_sessions_are_closed_after_the_idle_timeout) {
  asio::io_context ctx;
  test::run_void(ctx, idle_session_round);
}

TEST(mcp_http, posts_over_the_message_limit_get_413) {
  asio::io_context ctx;
  test::run_void(ctx, message_limit_round);
}
