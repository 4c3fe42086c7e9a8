#include <unistd.h>

#include <array>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "agentp2p/agent/mcp/session.hpp"
#include "agentp2p/agent/mcp/test_support.hpp"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;
using namespace agentp2p::mcp;
using namespace agentp2p::mcp::testing;
using namespace std::chrono_literals;

namespace {

struct probes {
  int slow_started = 0;
  int slow_cancelled = 0;
};

// A server-like role for the engine tests.
class test_role final : public handler {
 public:
  explicit test_role(std::shared_ptr<probes> p) : probes_(std::move(p)) {}
  awaitable<result<json::value>> on_request(request_context& ctx, json::value params) override {
    const auto& m = ctx.method();
    if (m == "initialize") {
      auto v = negotiate_version(params.at("protocolVersion").as_string());
      ctx.owner().set_initialized(v, {}, {});
      json::object out;
      out["protocolVersion"] = v;
      co_return json::value(std::move(out));
    }
    if (m == "echo") co_return params;
    if (m == "throw") throw std::runtime_error("boom");
    if (m == "slow") {
      ++probes_->slow_started;
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
      auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) ++probes_->slow_cancelled;
      co_return json::value("woke");
    }
    if (m == "ask") {
      auto answer = co_await ctx.request("peer/answer", params);
      if (!answer) co_return std::move(answer).error();
      co_return *answer;
    }
    if (m == "ask_twice") {
      // The second request goes out after the first failed (e.g. the peer left).
      auto first = co_await ctx.request("peer/answer", params);
      if (first) co_return *first;
      auto second = co_await ctx.request("peer/answer", params);
      if (!second) co_return std::move(second).error();
      co_return *second;
    }
    if (m == "progress") {
      ctx.progress(1, 2, "half");
      ctx.progress(2, 2);
      co_return json::value(json::object());
    }
    co_return make_error(errc::not_found, "no method " + m);
  }

 private:
  std::shared_ptr<probes> probes_;
};

// A session with test_role on one end of a memory pair; the test drives the other end raw.
struct rig {
  std::shared_ptr<probes> pr = std::make_shared<probes>();
  std::unique_ptr<transport> peer;
  std::shared_ptr<session> s;
  // Shared with the detached run(): the rig (on the test's frame) may be gone
  // before the session ends (TSan/ASan: heap-use-after-free through a bool*).
  std::shared_ptr<bool> ended = std::make_shared<bool>(false);
  rig(executor ex, session_config cfg) {
    auto [a, b] = make_memory_pair(ex);
    peer = std::move(a);
    s = session::create(std::move(b), std::make_shared<test_role>(pr), cfg);
    asio::co_spawn(ex, run(s, ended), asio::detached);
  }
  static awaitable<void> run(std::shared_ptr<session> s, std::shared_ptr<bool> ended) {
    co_await s->run();
    *ended = true;
  }
  awaitable<void> init(std::string_view version) {
    co_await send(*peer, R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")" +
                             std::string(version) + R"("}})");
    auto r = co_await recv(*peer);
    EXPECT_EQ(r.at("result").at("protocolVersion").as_string(), version);
  }
};

session_config defaults() {
  session_config c;
  c.name = "test";
  return c;
}

}  // namespace

TEST(mcp_session, requests_before_initialize_are_refused_except_ping) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, defaults());
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{}})");
    auto refused = co_await recv(*r.peer);
    EXPECT_EQ(error_code(refused), -32600);
    EXPECT_EQ(refused.at("id"), 1);
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":"p","method":"ping"})");
    auto pong = co_await recv(*r.peer);
    EXPECT_EQ(pong.at("id"), "p");
    EXPECT_TRUE(pong.at("result").as_object().empty());
    co_await r.init("2025-06-18");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":2,"method":"echo","params":{"x":1}})");
    auto echoed = co_await recv(*r.peer);
    EXPECT_EQ(echoed.at("result").at("x"), 1);
    co_await r.peer->close();
    co_await sleep_for(10ms);
    EXPECT_TRUE(*r.ended);
  });
}

TEST(mcp_session, string_and_number_ids_are_kept_apart) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, defaults());
    co_await r.init("2025-11-25");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":"7","method":"echo","params":{"kind":"string"}})");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":7,"method":"echo","params":{"kind":"number"}})");
    for (int i = 0; i < 2; ++i) {
      auto m = co_await recv(*r.peer);
      if (m.at("id").is_string()) EXPECT_EQ(m.at("result").at("kind"), "string");
      else EXPECT_EQ(m.at("result").at("kind"), "number");
    }
    co_await r.peer->close();
  });
}

TEST(mcp_session, bad_messages_get_clean_errors) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, defaults());
    co_await r.init("2025-06-18");
    co_await send(*r.peer, R"(42)");
    auto m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32600);
    EXPECT_TRUE(m.at("id").is_null());
    co_await send(*r.peer, R"({"id":3,"method":"echo"})");  // no jsonrpc member
    m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32600);
    co_await send(*r.peer, R"({"jsonrpc":"1.0","id":4,"method":"echo"})");
    m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32600);
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":{"a":1},"method":"echo"})");
    m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32600);
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":5,"method":"nope"})");
    m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32601);
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":6,"method":"throw"})");
    m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32603);
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":7,"method":"echo","params":"text"})");
    m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32600);
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"x"}})");
    m = co_await recv(*r.peer);  // initialize twice
    EXPECT_EQ(error_code(m), 0);  // the test role accepts it; the MCP server refuses (server_test)
    co_await r.peer->close();
  });
}

TEST(mcp_session, cancelled_requests_stop_and_get_no_response) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, defaults());
    co_await r.init("2025-11-25");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":10,"method":"slow"})");
    co_await sleep_for(10ms);
    EXPECT_EQ(r.pr->slow_started, 1);
    EXPECT_EQ(r.s->in_flight(), 1u);
    co_await send(*r.peer,
                  R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":10,"reason":"x"}})");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":11,"method":"ping"})");
    auto m = co_await recv(*r.peer);
    EXPECT_EQ(m.at("id"), 11);  // nothing for request 10
    co_await sleep_for(10ms);
    EXPECT_EQ(r.pr->slow_cancelled, 1);
    EXPECT_EQ(r.s->in_flight(), 0u);
    co_await r.peer->close();
  });
}

TEST(mcp_session, closing_cancels_handlers_in_progress) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, defaults());
    co_await r.init("2025-11-25");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":1,"method":"slow"})");
    co_await sleep_for(10ms);
    r.s->close();
    co_await sleep_for(20ms);
    EXPECT_EQ(r.pr->slow_cancelled, 1);
    EXPECT_TRUE(*r.ended);
  });
}

TEST(mcp_session, in_flight_requests_are_bounded) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto cfg = defaults();
    cfg.max_in_flight = 2;
    rig r(ex, cfg);
    co_await r.init("2025-11-25");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":1,"method":"slow"})");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":2,"method":"slow"})");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":3,"method":"slow"})");
    auto m = co_await recv(*r.peer);
    EXPECT_EQ(m.at("id"), 3);
    EXPECT_EQ(error_code(m), -32603);
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":2,"method":"echo"})");  // id in use
    m = co_await recv(*r.peer);
    EXPECT_EQ(error_code(m), -32600);
    r.s->close();
    co_await sleep_for(20ms);
    EXPECT_EQ(r.pr->slow_cancelled, 2);
  });
}

TEST(mcp_session, batches_only_in_versions_that_have_them) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    {
      rig r(ex, defaults());
      co_await r.init("2025-06-18");
      co_await send(*r.peer, R"([{"jsonrpc":"2.0","id":1,"method":"echo"}])");
      auto m = co_await recv(*r.peer);
      EXPECT_EQ(error_code(m), -32600);
      co_await r.peer->close();
    }
    {
      rig r(ex, defaults());
      co_await r.init("2025-03-26");
      co_await send(*r.peer, R"([{"jsonrpc":"2.0","id":1,"method":"echo","params":{"n":1}},
                                 {"jsonrpc":"2.0","method":"notifications/whatever"},
                                 {"jsonrpc":"2.0","id":2,"method":"nope"}])");
      auto m = co_await recv(*r.peer);
      EXPECT_TRUE(m.is_array());
      if (m.is_array()) {
        EXPECT_EQ(m.as_array().size(), 2u);
      }
      co_await r.peer->close();
    }
  });
}

TEST(mcp_session, requests_to_the_peer_are_matched_and_time_out) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto cfg = defaults();
    cfg.request_timeout = 100ms;
    rig r(ex, cfg);
    co_await r.init("2025-11-25");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":"q","method":"ask","params":{"question":"?"}})");
    auto asked = co_await recv(*r.peer);
    EXPECT_EQ(asked.at("method"), "peer/answer");
    json::object answer;
    answer["jsonrpc"] = "2.0";
    answer["id"] = asked.at("id");
    answer["result"] = js(R"({"answer":42})");
    auto sent = co_await r.peer->send(answer, nullptr);
    EXPECT_TRUE(sent);
    auto m = co_await recv(*r.peer);
    EXPECT_EQ(m.at("id"), "q");
    EXPECT_EQ(m.at("result").at("answer"), 42);

    // Unanswered: the peer hears notifications/cancelled, the requester an error.
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":"q2","method":"ask","params":{}})");
    asked = co_await recv(*r.peer);
    EXPECT_EQ(asked.at("method"), "peer/answer");
    auto cancel = co_await recv(*r.peer);
    EXPECT_EQ(cancel.at("method"), "notifications/cancelled");
    EXPECT_EQ(cancel.at("params").at("requestId"), asked.at("id"));
    m = co_await recv(*r.peer);
    EXPECT_EQ(m.at("id"), "q2");
    EXPECT_EQ(error_code(m), -32001);
    co_await r.peer->close();
  });
}

// Found by fuzz_mcp_server: a handler that asked the peer again after the
// peer had closed its side waited the whole request timeout for an answer
// that could not come, holding the session open.
TEST(mcp_session, requests_after_the_peer_closed_fail_at_once) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto cfg = defaults();
    cfg.request_timeout = 30s;
    rig r(ex, cfg);
    co_await r.init("2025-11-25");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":"q","method":"ask_twice","params":{}})");
    auto asked = co_await recv(*r.peer);
    EXPECT_EQ(asked.at("method"), "peer/answer");
    co_await r.peer->close();
    auto m = co_await recv(*r.peer);
    EXPECT_EQ(m.at("id"), "q");
    EXPECT_TRUE(m.is_object() && m.as_object().contains("error"));
    EXPECT_NE(error_code(m), -32001);  // not a timeout: the session knew nobody would answer
    EXPECT_NE(json::serialize(m).find("closed"), std::string::npos) << json::serialize(m);
  });
}

TEST(mcp_session, progress_notifications_carry_the_token) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    rig r(ex, defaults());
    co_await r.init("2025-11-25");
    co_await send(*r.peer, R"({"jsonrpc":"2.0","id":1,"method":"progress","params":{"_meta":{"progressToken":"tok"}}})");
    auto p1 = co_await recv(*r.peer);
    EXPECT_EQ(p1.at("method"), "notifications/progress");
    EXPECT_EQ(p1.at("params").at("progressToken"), "tok");
    EXPECT_EQ(p1.at("params").at("message"), "half");
    auto p2 = co_await recv(*r.peer);
    EXPECT_EQ(p2.at("params").at("progress").to_number<double>(), 2.0);
    auto done = co_await recv(*r.peer);
    EXPECT_EQ(done.at("id"), 1);
    co_await r.peer->close();
  });
}

TEST(mcp_session, simplified_praxis_requests_are_answered_in_kind) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto cfg = defaults();
    cfg.accept_simplified = true;
    rig r(ex, cfg);
    co_await send(*r.peer, R"({"id":1,"method":"echo","params":{"a":"b"}})");
    auto m = co_await recv(*r.peer);
    EXPECT_FALSE(m.as_object().contains("jsonrpc"));
    EXPECT_EQ(m.at("id"), 1);
    EXPECT_EQ(m.at("result").at("a"), "b");
    co_await r.peer->close();
  });
}

TEST(mcp_session, lines_that_are_not_json_or_too_long_get_errors) {
  asio::io_context ctx;
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    std::shared_ptr<core::byte_stream> server_end = std::move(pair.b);
    std::shared_ptr<core::byte_stream> client_end = std::move(pair.a);
    line_config lc;
    lc.max_line = 256;
    auto pr = std::make_shared<probes>();
    auto s = session::create(make_line_transport(server_end, lc), std::make_shared<test_role>(pr), defaults());
    auto ended = std::make_shared<bool>(false);
    asio::co_spawn(ex, rig::run(s, ended), asio::detached);
    auto client = make_line_transport(client_end);
    const std::string garbage = "this is not json\n" + std::string(1000, 'x') + "\n";
    auto w = co_await client_end->write(byte_span(reinterpret_cast<const std::uint8_t*>(garbage.data()), garbage.size()));
    EXPECT_TRUE(w);
    auto m = co_await recv(*client);
    EXPECT_EQ(error_code(m), -32700);
    m = co_await recv(*client);
    EXPECT_EQ(error_code(m), -32600);
    co_await send(*client, R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
    m = co_await recv(*client);
    EXPECT_EQ(m.at("id"), 1);
    co_await client->close();
    co_await sleep_for(50ms);
    EXPECT_TRUE(*ended);
  });
}

namespace {

json::value notification_of(std::size_t padding) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["method"] = "notifications/x";
  o["params"] = std::string(padding, 'x');
  return json::value(std::move(o));
}

}  // namespace

// A peer that stops reading (its pipe full) must not hold the writer
// forever: the write fails with a timeout naming it once write_timeout
// passes, however many messages went out before.
TEST(mcp_line_transport, a_write_the_peer_never_reads_times_out) {
  asio::io_context ctx;
  std::array<int, 2> out{}, in{};
  ASSERT_EQ(::pipe(out.data()), 0);
  ASSERT_EQ(::pipe(in.data()), 0);
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    line_config lc;
    lc.write_timeout = 200ms;
    auto t = make_line_transport(make_fd_stream(ex, in[0], out[1]), lc);
    for (int i = 0; i < 3; ++i) {  // small writes fit the pipe
      auto small = co_await t->send(notification_of(10), json::value());
      EXPECT_TRUE(small);
    }
    const auto started = std::chrono::steady_clock::now();
    auto sent = co_await t->send(notification_of(1 << 20), json::value());
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_FALSE(sent);
    if (sent) co_return;
    EXPECT_TRUE(sent.error().is(errc::timeout)) << sent.error().what();
    EXPECT_NE(sent.error().what().find("writing an MCP message timed out after 200 ms"), std::string::npos)
        << sent.error().what();
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 10s);
  });
  for (int fd : {out[0], out[1], in[0], in[1]}) ::close(fd);
}
