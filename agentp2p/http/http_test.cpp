#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/http/client.hpp"
#include "agentp2p/http/route_pattern.hpp"
#include "agentp2p/http/server.hpp"
#include "agentp2p/http/sse.hpp"
#include "tests/support/run.hpp"

namespace agentp2p::http {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

// --- pure parts --------------------------------------------------------------

TEST(route_pattern, exact_params_and_prefix) {
  route_pattern exact("/api/v1/node");
  EXPECT_TRUE(exact.match("/api/v1/node"));
  EXPECT_TRUE(exact.match("/api/v1/node/"));
  EXPECT_FALSE(exact.match("/api/v1/node/x"));
  EXPECT_FALSE(exact.match("/api/v1"));

  route_pattern peer("/api/v1/peers/{id}");
  auto m = peer.match("/api/v1/peers/12D3%20x");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].first, "id");
  EXPECT_EQ((*m)[0].second, "12D3 x");
  EXPECT_FALSE(peer.match("/api/v1/peers/"));
  EXPECT_FALSE(peer.match("/api/v1/peers/a/b"));

  route_pattern files("/static/*");
  auto f = files.match("/static/css/site.css");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->back().second, "css/site.css");
  EXPECT_TRUE(files.match("/static"));
  EXPECT_FALSE(files.match("/staticx"));

  EXPECT_GT(exact.specificity(), peer.specificity());
  EXPECT_GT(peer.specificity(), files.specificity());
  EXPECT_THROW(route_pattern("no-slash"), std::invalid_argument);
  EXPECT_THROW(route_pattern("/a{b}"), std::invalid_argument);
}

TEST(url, parses_and_refuses_https) {
  auto u = parse_url("http://127.0.0.1:8080/a/b?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/a/b?x=1");
  auto v6 = parse_url("http://[::1]:9/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:9");
  auto bare = parse_url("http://localhost");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(bare->port, 80);
  std::string why;
  EXPECT_FALSE(parse_url("https://example.org/", &why));
  EXPECT_NE(why.find("TLS"), std::string::npos);
  EXPECT_FALSE(parse_url("http://host:99999/"));
  auto q = parse_query("a=1&b=x%20y&c&d=e+f");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1].second, "x y");
  EXPECT_EQ(q[2].first, "c");
  EXPECT_EQ(q[3].second, "e f");
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_EQ(percent_encode("a b/c"), "a%20b%2Fc");
}

TEST(sse, format_splits_multiline_data) {
  auto ev = make_sse_event("line1\nline2\r\nline3\rline4", "update", std::string("7"));
  EXPECT_EQ(format_sse_event(ev), "id: 7\nevent: update\ndata: line1\ndata: line2\ndata: line3\ndata: line4\n\n");
  EXPECT_EQ(format_sse_event(make_sse_event("")), "data: \n\n");
  EXPECT_EQ(format_sse_event(make_sse_event("x\n")), "data: x\ndata: \n\n");
  EXPECT_EQ(format_sse_comment("ping"), ": ping\n\n");
  // An id or type cannot carry a newline: it would inject fields.
  EXPECT_EQ(format_sse_event(make_sse_event("d", "a\nb", std::string("1\n2"))), "id: 1 2\nevent: a b\ndata: d\n\n");
}

TEST(sse, parser_round_trips_and_handles_split_input) {
  std::string wire = format_sse_event(make_sse_event("a\nb", "t", std::string("1"))) + ": comment\n\n" +
                     format_sse_event(make_sse_event("", "", std::string("2"))) +
                     format_sse_event(make_sse_event("x\n"));
  // Feed one byte at a time: line ends and fields split anywhere.
  sse_parser p;
  for (char c : wire) ASSERT_TRUE(p.feed(std::string_view(&c, 1)));
  auto e1 = p.next();
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->data, "a\nb");
  EXPECT_EQ(e1->event, "t");
  EXPECT_EQ(e1->id, "1");
  auto e2 = p.next();
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->data, "");  // an id with empty data (MCP's priming event) is an event
  EXPECT_EQ(e2->id, "2");
  auto e3 = p.next();
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->data, "x\n");
  EXPECT_EQ(p.last_event_id(), "2");
  EXPECT_FALSE(p.next());
}

TEST(sse, parser_accepts_crlf_cr_and_no_space) {
  sse_parser p;
  ASSERT_TRUE(p.feed("data:one\r\ndata: two\r\rdata: three\r"));
  ASSERT_TRUE(p.feed("\n\r\n"));
  auto a = p.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->data, "one\ntwo");
  auto b = p.next();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->data, "three");
}

TEST(sse, parser_bounds_event_size) {
  sse_parser p(100);
  auto r = p.feed("data: " + std::string(200, 'x'));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(errc::too_large));
  sse_parser q(100);
  bool failed = false;
  for (int i = 0; i < 50 && !failed; ++i) failed = !q.feed("data: 0123456789\n");
  EXPECT_TRUE(failed);
}

// An event is ready the moment its blank line is in: the parser never needs
// the next byte (a client would otherwise stall until the server says more).
TEST(sse, parser_dispatches_at_the_blank_line_without_more_input) {
  sse_parser p;
  ASSERT_TRUE(p.feed("id: 1\ndata: {\"a\":1}\n"));
  EXPECT_FALSE(p.has_event());  // no blank line yet
  ASSERT_TRUE(p.feed("\n"));     // the boundary arrives alone
  auto a = p.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->data, "{\"a\":1}");
  // CRLF line ends cut between CR and LF: the CR already ends the blank line.
  ASSERT_TRUE(p.feed("data: two\r\n\r"));
  auto b = p.next();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->data, "two");
  ASSERT_TRUE(p.feed("\ndata: three\r\n\r\n"));  // the LF that completes CRLF is not another blank line
  auto c = p.next();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->data, "three");
  EXPECT_FALSE(p.next());
  // Several events in one feed, taken one by one.
  ASSERT_TRUE(p.feed("data: 4\n\ndata: 5\n\n: keep-alive\n\ndata: 6\n\n"));
  for (const char* want : {"4", "5", "6"}) {
    auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->data, want);
  }
  EXPECT_FALSE(p.has_event());
  // A field split inside its name and value.
  ASSERT_TRUE(p.feed("da"));
  ASSERT_TRUE(p.feed("ta: se"));
  ASSERT_TRUE(p.feed("ven\n"));
  EXPECT_FALSE(p.has_event());
  ASSERT_TRUE(p.feed("\n"));
  auto d = p.next();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data, "seven");
}

// --- server + client ---------------------------------------------------------

awaitable<response> hello(request& req, response_writer&) {
  co_return response::text("hello " + std::string(req.param("name")) + " from " + req.remote);
}

awaitable<response> echo(request& req, response_writer&) {
  auto r = response::json(req.body);
  r.headers.set("X-Method", req.method);
  r.headers.set("X-Query", std::string(req.query_param("q").value_or("")));
  co_return r;
}

awaitable<response> whoami(request& req, response_writer&) { co_return response::text(req.remote); }

awaitable<response> throws(request&, response_writer&) {
  throw std::runtime_error("boom");
  co_return response::no_content();
}

awaitable<response> sse_numbers(request& req, response_writer& w) {
  sse_writer sse(w);
  auto st = co_await sse.start();
  if (!st) co_return response::no_content();
  std::string from = std::string(req.last_event_id().value_or("none"));
  auto c = co_await sse.comment("resume after " + from);
  (void)c;
  for (int i = 1; i <= 3; ++i) {
    auto s = co_await sse.send("event " + std::to_string(i) + "\nsecond line", "num", std::to_string(i));
    if (!s) break;
  }
  co_return response::no_content();
}

// start_deferred: the head waits for the body. ?n=2 sends one event and a
// last one; ?n=0 sends nothing (the head goes out with the end of the body).
awaitable<response> deferred_events(request& req, response_writer& w) {
  sse_writer sse(w);
  http::headers extra;
  extra.set("X-Deferred", "yes");
  auto st = co_await sse.start_deferred(std::move(extra));
  if (!st) co_return response::no_content();
  if (req.query_param("n").value_or("0") == "2") {
    auto a = co_await sse.send("one", "", "1");
    auto b = co_await sse.send_last("two", "", "2");
    EXPECT_EQ(a.has_value() && b.has_value(), req.method != "HEAD");  // a HEAD answer has no body
  }
  co_return response::no_content();
}

struct gone_probe {
  bool started = false;
  bool noticed = false;
};

awaitable<response> sse_until_gone(gone_probe* probe, request&, response_writer& w) {
  sse_writer sse(w);
  auto st = co_await sse.start();
  if (!st) co_return response::no_content();
  auto s = co_await sse.send("first");
  (void)s;
  probe->started = true;
  co_await sse.wait_gone();
  probe->noticed = sse.gone();
  co_return response::no_content();
}

// Polls `pred` (bounded: at most `rounds` × 10 ms).
awaitable<bool> eventually(executor ex, std::function<bool()> pred, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    if (pred()) co_return true;
    co_await sleep_for(ex, 10ms);
  }
  co_return pred();
}

awaitable<tcp::socket> raw_connect(executor ex, std::uint16_t port) {
  tcp::socket s(ex);
  co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
  co_return s;
}

// Reads until the server closes (bounded by the test's run limit).
awaitable<std::string> read_until_close(tcp::socket& s) {
  std::string out;
  std::array<char, 4096> buf;
  while (out.size() < 1'000'000) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    out.append(buf.data(), n);
    if (ec) break;
  }
  co_return out;
}

// Reads what has arrived (one read; a short response fits in it on loopback).
awaitable<std::string> read_some_text(tcp::socket& s) {
  std::array<char, 4096> buf;
  auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
  (void)ec;
  co_return std::string(buf.data(), n);
}

config test_config() {
  config cfg;
  cfg.header_timeout = 2s;
  cfg.body_timeout = 2s;
  cfg.idle_timeout = 5s;
  cfg.close_timeout = 1s;
  return cfg;
}

class http_fixture : public ::testing::Test {
 protected:
  asio::io_context ctx;
};

TEST_F(http_fixture, routes_params_404_405_and_json_errors) {
  server srv(ctx.get_executor(), test_config());
  srv.get("/hello/{name}", hello);
  srv.add("*", "/echo", echo);
  srv.post("/only-post", echo);
  srv.get("/boom", throws);
  ASSERT_TRUE(srv.start());
  ASSERT_NE(srv.port(), 0);
  std::string base = srv.url();
  auto go = [](executor ex, server* s, std::string base) -> awaitable<void> {
    client c(ex);
    auto r1 = co_await c.get(base + "/hello/wor%6Cd");
    EXPECT_TRUE(r1.has_value());
    if (r1) {
      EXPECT_EQ(r1->status, 200);
      EXPECT_EQ(r1->body.substr(0, 22), "hello world from 127.0");
    }
    auto r2 = co_await c.send(post_request(base + "/echo?q=a%26b", R"({"x":1})"));
    EXPECT_TRUE(r2.has_value());
    if (r2) {
      EXPECT_EQ(r2->status, 200);
      EXPECT_EQ(r2->body, R"({"x":1})");
      EXPECT_EQ(r2->header("X-Method").value_or(""), "POST");
      EXPECT_EQ(r2->header("X-Query").value_or(""), "a&b");
    }
    auto r3 = co_await c.get(base + "/nope");
    EXPECT_TRUE(r3.has_value());
    if (r3) {
      EXPECT_EQ(r3->status, 404);
      EXPECT_EQ(r3->header("Content-Type").value_or(""), "application/json");
      EXPECT_NE(r3->body.find(R"({"error":{"code":"not_found","message":)"), std::string::npos);
    }
    auto r4 = co_await c.get(base + "/only-post");
    EXPECT_TRUE(r4.has_value());
    if (r4) {
      EXPECT_EQ(r4->status, 405);
      EXPECT_EQ(r4->header("Allow").value_or(""), "POST");
    }
    auto r5 = co_await c.get(base + "/boom");
    EXPECT_TRUE(r5.has_value());
    if (r5) {
      EXPECT_EQ(r5->status, 500);
      EXPECT_NE(r5->body.find("internal_error"), std::string::npos);
    }
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv, base); });
}

TEST_F(http_fixture, keep_alive_reuses_one_connection) {
  server srv(ctx.get_executor(), test_config());
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    client c(ex);
    std::vector<std::string> remotes;
    for (int i = 0; i < 5; ++i) {
      auto r = co_await c.get(s->url() + "/who");
      EXPECT_TRUE(r.has_value());
      if (r) remotes.push_back(r->body);
    }
    EXPECT_EQ(remotes.size(), 5u);
    for (const auto& rm : remotes) EXPECT_EQ(rm, remotes.front());
    EXPECT_EQ(s->connection_count(), 1u);
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, max_requests_per_connection_closes_after_limit) {
  auto cfg = test_config();
  cfg.max_requests_per_connection = 2;
  server srv(ctx.get_executor(), cfg);
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    auto sock = co_await raw_connect(ex, s->port());
    std::string two = "GET /who HTTP/1.1\r\nHost: localhost\r\n\r\nGET /who HTTP/1.1\r\nHost: localhost\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(two), asio::use_awaitable);
    auto all = co_await read_until_close(sock);
    EXPECT_NE(all.find("HTTP/1.1 200"), std::string::npos);
    EXPECT_NE(all.rfind("Connection: close"), std::string::npos);
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, oversized_body_gets_413_json) {
  auto cfg = test_config();
  cfg.max_body_bytes = 1024;
  server srv(ctx.get_executor(), cfg);
  srv.post("/echo", echo);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    client c(ex);
    auto r = co_await c.post(s->url() + "/echo", std::string(64 * 1024, 'x'), "application/json");
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(r->status, 413);
      EXPECT_NE(r->body.find("body_too_large"), std::string::npos);
      EXPECT_NE(r->body.find("1024"), std::string::npos);
    }
    // Chunked bodies (no Content-Length) hit the limit while streaming in.
    auto sock = co_await raw_connect(ex, s->port());
    std::string chunked = "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) chunked += "200\r\n" + std::string(512, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(chunked), asio::use_awaitable);
    auto all = co_await read_until_close(sock);
    EXPECT_EQ(all.substr(0, 12), "HTTP/1.1 413");
    // The server still serves others.
    auto ok = co_await c.post(s->url() + "/echo", "{}", "application/json");
    EXPECT_TRUE(ok.has_value());
    if (ok) {
      EXPECT_EQ(ok->status, 200);
    }
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, oversized_headers_get_431) {
  auto cfg = test_config();
  cfg.max_header_bytes = 1024;
  server srv(ctx.get_executor(), cfg);
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    client c(ex);
    auto req = get_request(s->url() + "/who");
    req.headers.set("X-Big", std::string(4096, 'h'));
    auto r = co_await c.send(std::move(req));
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(r->status, 431);
      EXPECT_NE(r->body.find("headers_too_large"), std::string::npos);
    }
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, malformed_request_gets_400) {
  server srv(ctx.get_executor(), test_config());
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    auto sock = co_await raw_connect(ex, s->port());
    std::string junk = "GET /who HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(junk), asio::use_awaitable);
    auto all = co_await read_until_close(sock);
    EXPECT_EQ(all.substr(0, 12), "HTTP/1.1 400");
    EXPECT_NE(all.find("bad_request"), std::string::npos);
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, slow_client_is_disconnected) {
  auto cfg = test_config();
  cfg.header_timeout = 200ms;
  server srv(ctx.get_executor(), cfg);
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    // Slowloris: a request line, then nothing more.
    auto sock = co_await raw_connect(ex, s->port());
    std::string part = "GET /who HTTP/1.1\r\nHost: loc";
    co_await asio::async_write(sock, asio::buffer(part), asio::use_awaitable);
    auto all = co_await read_until_close(sock);
    EXPECT_EQ(all, "");  // closed without an answer
    // A client that connects and says nothing is closed too.
    auto silent = co_await raw_connect(ex, s->port());
    auto none = co_await read_until_close(silent);
    EXPECT_EQ(none, "");
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

// The per-connection deadline (io_deadline) moves earlier when a short
// limit follows a long one: after a served request the idle wait is long,
// but once the next request starts its headers must arrive within
// header_timeout; and a keep-alive client that stays silent is closed after
// idle_timeout.
TEST_F(http_fixture, deadlines_follow_each_phase_of_a_keep_alive_connection) {
  auto cfg = test_config();
  cfg.header_timeout = 300ms;
  cfg.idle_timeout = 1500ms;
  cfg.write_timeout = 10s;
  server srv(ctx.get_executor(), cfg);
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    using clock = std::chrono::steady_clock;
    std::string full = "GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n";
    // Served, then half a request: closed by the header deadline, long
    // before the idle one (and the write deadline armed for the answer).
    auto sock = co_await raw_connect(ex, s->port());
    co_await asio::async_write(sock, asio::buffer(full), asio::use_awaitable);
    auto first = co_await read_some_text(sock);
    EXPECT_NE(first.find("HTTP/1.1 200"), std::string::npos);
    asio::steady_timer pause(ex, std::chrono::milliseconds(100));
    co_await pause.async_wait(asio::use_awaitable);
    std::string part = "GET /who HTTP/1.1\r\nHost: loc";
    co_await asio::async_write(sock, asio::buffer(part), asio::use_awaitable);
    auto t0 = clock::now();
    auto rest = co_await read_until_close(sock);
    EXPECT_EQ(rest, "");
    EXPECT_LT(clock::now() - t0, std::chrono::milliseconds(1200));
    // Served twice a while apart (each wait under the idle limit), then
    // silent: closed after the idle limit, not the header limit.
    auto idle = co_await raw_connect(ex, s->port());
    for (int i = 0; i < 2; ++i) {
      co_await asio::async_write(idle, asio::buffer(full), asio::use_awaitable);
      auto r = co_await read_some_text(idle);
      EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos);
      pause.expires_after(std::chrono::milliseconds(500));
      co_await pause.async_wait(asio::use_awaitable);
    }
    auto t1 = clock::now();
    auto none = co_await read_until_close(idle);
    EXPECT_EQ(none, "");
    auto waited = clock::now() - t1;
    EXPECT_GT(waited, std::chrono::milliseconds(700));
    EXPECT_LT(waited, std::chrono::milliseconds(3000));
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, origin_host_and_bearer_policies) {
  server srv(ctx.get_executor(), test_config());
  srv.get("/open", whoami);
  access_policy api;
  api.bearer_token = "s3cret";
  api.allowed_origins.push_back("https://app.example");
  srv.group(api).get("/api", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    client c(ex);
    // A foreign Origin (a web page on another site) is refused.
    auto req = get_request(s->url() + "/open");
    req.headers.set("Origin", "http://evil.example");
    auto r1 = co_await c.send(std::move(req));
    EXPECT_TRUE(r1.has_value());
    if (r1) {
      EXPECT_EQ(r1->status, 403);
      EXPECT_NE(r1->body.find("forbidden_origin"), std::string::npos);
    }
    auto local = get_request(s->url() + "/open");
    local.headers.set("Origin", "http://localhost:5173");
    auto r2 = co_await c.send(std::move(local));
    EXPECT_TRUE(r2.has_value());
    if (r2) {
      EXPECT_EQ(r2->status, 200);
    }
    // DNS rebinding: the attacker's name arrives as Host.
    auto rebound = get_request(s->url() + "/open");
    rebound.headers.set("Host", "evil.example:" + std::to_string(s->port()));
    auto r3 = co_await c.send(std::move(rebound));
    EXPECT_TRUE(r3.has_value());
    if (r3) {
      EXPECT_EQ(r3->status, 403);
      EXPECT_NE(r3->body.find("forbidden_host"), std::string::npos);
    }
    // Bearer token on the /api group.
    auto r4 = co_await c.get(s->url() + "/api");
    EXPECT_TRUE(r4.has_value());
    if (r4) {
      EXPECT_EQ(r4->status, 401);
      EXPECT_EQ(r4->header("WWW-Authenticate").value_or("").substr(0, 6), "Bearer");
    }
    auto wrong = get_request(s->url() + "/api");
    wrong.headers.set("Authorization", "Bearer nope");
    auto r5 = co_await c.send(std::move(wrong));
    EXPECT_TRUE(r5.has_value());
    if (r5) {
      EXPECT_EQ(r5->status, 401);
      EXPECT_NE(std::string(r5->header("WWW-Authenticate").value_or("")).find("invalid_token"), std::string::npos);
    }
    auto good = get_request(s->url() + "/api");
    good.headers.set("Authorization", "Bearer s3cret");
    good.headers.set("Origin", "https://app.example");
    auto r6 = co_await c.send(std::move(good));
    EXPECT_TRUE(r6.has_value());
    if (r6) {
      EXPECT_EQ(r6->status, 200);
    }
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, sse_round_trip_with_ids_and_multiline_data) {
  server srv(ctx.get_executor(), test_config());
  srv.get("/events", sse_numbers);
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    client c(ex);
    auto req = get_request(s->url() + "/events");
    req.headers.set("Last-Event-ID", "41");
    auto opened = co_await c.open(std::move(req));
    EXPECT_TRUE(opened.has_value());
    if (!opened) co_return;
    auto& stream = **opened;
    EXPECT_EQ(stream.status(), 200);
    EXPECT_TRUE(stream.is_event_stream());
    EXPECT_EQ(stream.header("Cache-Control").value_or(""), "no-cache");
    for (int i = 1; i <= 3; ++i) {
      auto ev = co_await stream.next_event();
      EXPECT_TRUE(ev.has_value());
      if (!ev || !*ev) break;
      EXPECT_EQ((*ev)->data, "event " + std::to_string(i) + "\nsecond line");
      EXPECT_EQ((*ev)->event, "num");
      EXPECT_EQ((*ev)->id.value_or(""), std::to_string(i));
    }
    auto end = co_await stream.next_event();
    EXPECT_TRUE(end.has_value());
    if (end) {
      EXPECT_FALSE(end->has_value());
    }
    EXPECT_EQ(stream.last_event_id().value_or(""), "3");
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, sse_resume_header_reaches_handler_and_connection_is_reusable) {
  server srv(ctx.get_executor(), test_config());
  srv.get("/events", sse_numbers);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    // Raw: the whole chunked stream, then a second request on the same connection.
    auto sock = co_await raw_connect(ex, s->port());
    std::string req =
        "GET /events HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: 41\r\n\r\n"
        "GET /events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(req), asio::use_awaitable);
    auto all = co_await read_until_close(sock);
    EXPECT_NE(all.find("resume after 41"), std::string::npos);
    EXPECT_NE(all.find("resume after none"), std::string::npos);
    EXPECT_NE(all.find("Transfer-Encoding: chunked"), std::string::npos);
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

// A deferred head goes out with the first event, the last event ends the
// body, and a response with no events still gets its head and an empty
// body; the connection serves the next request (and HEAD gets headers only).
TEST_F(http_fixture, a_deferred_head_goes_out_with_the_body) {
  server srv(ctx.get_executor(), test_config());
  srv.add("*", "/deferred", deferred_events);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    client c(ex);
    auto opened = co_await c.open(get_request(s->url() + "/deferred?n=2"));
    EXPECT_TRUE(opened.has_value());
    if (!opened) co_return;
    auto& stream = **opened;
    EXPECT_EQ(stream.status(), 200);
    EXPECT_TRUE(stream.is_event_stream());
    EXPECT_EQ(stream.header("X-Deferred").value_or(""), "yes");
    for (const char* want : {"one", "two"}) {
      auto ev = co_await stream.next_event();
      EXPECT_TRUE(ev.has_value() && ev->has_value());
      if (!ev || !*ev) break;
      EXPECT_EQ((*ev)->data, want);
    }
    auto end = co_await stream.next_event();
    EXPECT_TRUE(end.has_value() && !end->has_value());

    auto sock = co_await raw_connect(ex, s->port());
    std::string req =
        "GET /deferred?n=0 HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "HEAD /deferred?n=2 HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "GET /deferred?n=2 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(req), asio::use_awaitable);
    auto all = co_await read_until_close(sock);
    const auto first_end = all.find("\r\n\r\n0\r\n\r\n");  // empty body right after the head
    EXPECT_NE(first_end, std::string::npos) << all;
    const auto second = all.find("HTTP/1.1 200", first_end);
    const auto third = all.find("HTTP/1.1 200", second + 1);
    EXPECT_NE(third, std::string::npos) << all;
    if (third != std::string::npos) {
      EXPECT_EQ(all.substr(second, third - second).find("data:"), std::string::npos);  // HEAD: no body
      EXPECT_NE(all.find("data: two", third), std::string::npos);
      EXPECT_EQ(all.substr(all.size() - 5), "0\r\n\r\n");
    }
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, client_going_away_mid_stream_is_noticed) {
  server srv(ctx.get_executor(), test_config());
  auto probe = std::make_shared<gone_probe>();
  srv.get("/events", [p = probe.get()](request& r, response_writer& w) { return sse_until_gone(p, r, w); });
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s, gone_probe* p) -> awaitable<void> {
    client c(ex);
    auto opened = co_await c.open(get_request(s->url() + "/events"));
    EXPECT_TRUE(opened.has_value());
    if (!opened) co_return;
    auto first = co_await (*opened)->next_event();
    EXPECT_TRUE(first.has_value());
    EXPECT_TRUE(p->started);
    (*opened)->close();
    auto noticed = co_await eventually(ex, [p] { return p->noticed; }, 1000);
    EXPECT_TRUE(noticed);
    auto idle = co_await eventually(ex, [s] { return s->connection_count() == 0; }, 1000);
    EXPECT_TRUE(idle);
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv, probe.get()); });
}

struct cancel_probe {
  bool started = false;
  bool cancelled = false;
  bool finished = false;
};

// Works for an hour unless cancelled.
awaitable<response> slow_work(cancel_probe* p, request&, response_writer&) {
  p->started = true;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec == asio::error::operation_aborted) p->cancelled = true;
  else p->finished = true;
  co_return response::text("too late");
}

awaitable<void> disconnect_round(executor ex, server* s, cancel_probe* p) {
  auto sock = co_await raw_connect(ex, s->port());
  std::string req = "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  co_await asio::async_write(sock, asio::buffer(req), asio::use_awaitable);
  auto started = co_await eventually(ex, [p] { return p->started; }, 1000);
  EXPECT_TRUE(started);
  sock.close();
  auto cancelled = co_await eventually(ex, [p] { return p->cancelled; }, 1000);
  EXPECT_TRUE(cancelled) << "the handler kept working for a client that left";
  EXPECT_FALSE(p->finished);
  auto idle = co_await eventually(ex, [s] { return s->connection_count() == 0; }, 1000);
  EXPECT_TRUE(idle);
  co_await s->close();
}

TEST_F(http_fixture, plain_handler_is_cancelled_when_the_client_disconnects) {
  auto cfg = test_config();
  std::vector<int> statuses;
  cfg.on_response = [&statuses](const request&, int status) { statuses.push_back(status); };
  server srv(ctx.get_executor(), cfg);
  auto probe = std::make_shared<cancel_probe>();
  srv.get("/slow", [p = probe.get()](request& r, response_writer& w) { return slow_work(p, r, w); });
  ASSERT_TRUE(srv.start());
  test::run_void(ctx, [&](executor ex) { return disconnect_round(ex, &srv, probe.get()); });
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses.front(), 499);
}

// close() gives a running handler its grace period, then cancels it (the
// serve coroutine's cancellation reaches the handler's own coroutine).
TEST_F(http_fixture, close_cancels_a_plain_handler_after_the_grace_period) {
  auto cfg = test_config();
  cfg.close_timeout = 300ms;
  server srv(ctx.get_executor(), cfg);
  auto probe = std::make_shared<cancel_probe>();
  srv.get("/slow", [p = probe.get()](request& r, response_writer& w) { return slow_work(p, r, w); });
  ASSERT_TRUE(srv.start());
  test::run_void(ctx, [&](executor ex) -> awaitable<void> {
    auto sock = co_await raw_connect(ex, srv.port());
    std::string req = "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(req), asio::use_awaitable);
    auto started = co_await eventually(ex, [p = probe.get()] { return p->started; }, 1000);
    EXPECT_TRUE(started);
    auto t0 = std::chrono::steady_clock::now();
    co_await srv.close();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    EXPECT_TRUE(probe->cancelled);
    EXPECT_FALSE(probe->finished);
  });
}

awaitable<response> fixed_text(request&, response_writer&) { co_return response::text("the same body every time"); }

awaitable<void> head_round(executor ex, server* s) {
  client c(ex);
  auto get = co_await c.get(s->url() + "/fixed");
  EXPECT_TRUE(get && get->status == 200);
  const std::string body = get ? get->body : std::string();
  // HEAD, then GET pipelined on the same connection: the HEAD answer carries
  // GET's headers (Content-Length included) and no body, so the GET answer
  // follows its blank line directly.
  auto sock = co_await raw_connect(ex, s->port());
  std::string req =
      "HEAD /fixed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /fixed HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  co_await asio::async_write(sock, asio::buffer(req), asio::use_awaitable);
  auto text = co_await read_until_close(sock);
  auto first_end = text.find("\r\n\r\n");
  EXPECT_EQ(text.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(text.substr(0, first_end).find("Content-Length: " + std::to_string(body.size())), std::string::npos) << text;
  EXPECT_EQ(text.substr(first_end + 4, 15), "HTTP/1.1 200 OK") << text;
  EXPECT_TRUE(text.ends_with(body)) << text;
  // Our client reads HEAD answers without waiting for a body.
  client_request head_req = get_request(s->url() + "/fixed");
  head_req.method = "HEAD";
  auto head = co_await c.send(std::move(head_req));
  EXPECT_TRUE(head && head->status == 200 && head->body.empty());
  // HEAD on a POST-only route: 405, and HEAD is not offered there.
  client_request head_post = get_request(s->url() + "/only-post");
  head_post.method = "HEAD";
  auto refused = co_await c.send(std::move(head_post));
  EXPECT_TRUE(refused && refused->status == 405);
  co_await s->close();
}

TEST_F(http_fixture, head_is_answered_like_get_without_the_body) {
  server srv(ctx.get_executor(), test_config());
  srv.get("/fixed", fixed_text);
  srv.post("/only-post", echo);
  ASSERT_TRUE(srv.start());
  test::run_void(ctx, [&](executor ex) { return head_round(ex, &srv); });
}

TEST_F(http_fixture, close_ends_open_streams) {
  server srv(ctx.get_executor(), test_config());
  auto probe = std::make_shared<gone_probe>();
  srv.get("/events", [p = probe.get()](request& r, response_writer& w) { return sse_until_gone(p, r, w); });
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s, gone_probe* p) -> awaitable<void> {
    client c(ex);
    auto opened = co_await c.open(get_request(s->url() + "/events"));
    EXPECT_TRUE(opened.has_value());
    if (!opened) co_return;
    auto first = co_await (*opened)->next_event();
    EXPECT_TRUE(first.has_value());
    co_await s->close();
    EXPECT_TRUE(p->noticed);
    EXPECT_EQ(s->connection_count(), 0u);
    // The client sees the stream end (cleanly or as an error), not a hang.
    auto after = co_await (*opened)->next_event(5s);
    EXPECT_TRUE(!after.has_value() || !after->has_value());
    // And nobody is listening any more.
    auto refused = co_await c.get(s->url() + "/events");
    EXPECT_FALSE(refused.has_value());
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv, probe.get()); });
}

// A handler that holds its request until the test opens the gate.
struct gate {
  explicit gate(executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  int waiting = 0;
};

awaitable<response> wait_for_gate(gate* g) {
  ++g->waiting;
  auto [ec] = co_await g->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;
  --g->waiting;
  co_return response::json(R"({"ok":true})");
}

TEST_F(http_fixture, connections_beyond_the_limit_are_refused_with_503_when_all_are_busy) {
  auto cfg = test_config();
  cfg.max_connections = 4;
  server srv(ctx.get_executor(), cfg);
  gate g(ctx.get_executor());
  srv.get("/who", whoami);
  srv.get("/hold", [p = &g](request&, response_writer&) { return wait_for_gate(p); });
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s, gate* g) -> awaitable<void> {
    // Four clients, each with a request in a handler: nothing to make room with.
    std::vector<tcp::socket> held;
    for (int i = 0; i < 4; ++i) {
      held.push_back(co_await raw_connect(ex, s->port()));
      std::string req = "GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n";
      co_await asio::async_write(held.back(), asio::buffer(req), asio::use_awaitable);
    }
    auto busy = co_await eventually(ex, [g] { return g->waiting == 4; }, 1000);
    EXPECT_TRUE(busy);
    auto extra = co_await raw_connect(ex, s->port());
    auto answer = co_await read_until_close(extra);
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 503");
    EXPECT_NE(answer.find("connection limit"), std::string::npos);
    EXPECT_EQ(s->connection_count(), 4u);
    // Once the handlers answer, a new client is served.
    g->timer.cancel();
    for (auto& h : held) {
      auto done = co_await read_some_text(h);
      EXPECT_EQ(done.substr(0, 12), "HTTP/1.1 200");
    }
    client c(ex);
    auto r = co_await c.get(s->url() + "/who");
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(r->status, 200);
    }
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv, &g); });
}

TEST_F(http_fixture, slowloris_clients_holding_every_slot_do_not_lock_others_out) {
  auto cfg = test_config();
  cfg.max_connections = 8;
  cfg.header_timeout = 60s;  // far beyond the test: only eviction can make room
  server srv(ctx.get_executor(), cfg);
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    // Every slot taken by a client that sent half a request line and stalls.
    std::vector<tcp::socket> slow;
    for (int i = 0; i < 8; ++i) {
      slow.push_back(co_await raw_connect(ex, s->port()));
      std::string part = "GET /who HTTP/1.1\r\nHost: loc";
      co_await asio::async_write(slow.back(), asio::buffer(part), asio::use_awaitable);
    }
    auto full = co_await eventually(ex, [s] { return s->connection_count() == 8; }, 1000);
    EXPECT_TRUE(full);
    // Legitimate clients (a fresh connection each) keep being served.
    int ok = 0;
    for (int i = 0; i < 5; ++i) {
      client_options o;
      o.max_idle_per_host = 0;
      client c(ex, o);
      auto r = co_await c.get(s->url() + "/who");
      if (r && r->status == 200) ++ok;
    }
    EXPECT_EQ(ok, 5);
    // The stalled clients that waited longest were closed to make room, without an answer.
    auto first = co_await read_until_close(slow.front());
    EXPECT_EQ(first, "");
    EXPECT_LE(s->connection_count(), 8u);
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, eviction_spares_keep_alive_clients_while_slow_ones_remain) {
  auto cfg = test_config();
  cfg.max_connections = 3;
  cfg.header_timeout = 60s;
  cfg.idle_timeout = 60s;
  server srv(ctx.get_executor(), cfg);
  srv.get("/who", whoami);
  ASSERT_TRUE(srv.start());
  auto go = [](executor ex, server* s) -> awaitable<void> {
    // A kept-alive client that finished a request first (the oldest reader),
    // then two stalled ones.
    auto kept = co_await raw_connect(ex, s->port());
    std::string req = "GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n";
    co_await asio::async_write(kept, asio::buffer(req), asio::use_awaitable);
    auto first = co_await read_some_text(kept);
    EXPECT_EQ(first.substr(0, 12), "HTTP/1.1 200");
    std::vector<tcp::socket> slow;
    for (int i = 0; i < 2; ++i) {
      slow.push_back(co_await raw_connect(ex, s->port()));
      std::string part = "GET /who HTT";
      co_await asio::async_write(slow.back(), asio::buffer(part), asio::use_awaitable);
    }
    auto full = co_await eventually(ex, [s] { return s->connection_count() == 3; }, 1000);
    EXPECT_TRUE(full);
    client_options o;
    o.max_idle_per_host = 0;
    client c(ex, o);
    auto r = co_await c.get(s->url() + "/who");
    EXPECT_TRUE(r.has_value() && r->status == 200);
    // A stalled client went; the kept-alive one still gets answers on its connection.
    auto gone = co_await read_until_close(slow.front());
    EXPECT_EQ(gone, "");
    co_await asio::async_write(kept, asio::buffer(req), asio::use_awaitable);
    auto again = co_await read_some_text(kept);
    EXPECT_EQ(again.substr(0, 12), "HTTP/1.1 200");
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv); });
}

TEST_F(http_fixture, many_concurrent_clients_are_all_served) {
  server srv(ctx.get_executor(), test_config());
  srv.post("/echo", echo);
  ASSERT_TRUE(srv.start());
  auto one = [](executor ex, std::string url, int i, int* done) -> awaitable<void> {
    client c(ex);
    for (int k = 0; k < 5; ++k) {
      auto r = co_await c.post(url, std::to_string(i * 100 + k), "application/json");
      if (r && r->status == 200 && r->body == std::to_string(i * 100 + k)) ++*done;
    }
  };
  int done = 0;
  for (int i = 0; i < 50; ++i) asio::co_spawn(ctx, one(ctx.get_executor(), srv.url() + "/echo", i, &done), asio::detached);
  auto go = [](executor ex, server* s, int* d) -> awaitable<void> {
    auto all = co_await eventually(ex, [d] { return *d == 250; }, 2000);
    EXPECT_TRUE(all);
    co_await s->close();
  };
  test::run_void(ctx, [&](executor ex) { return go(ex, &srv, &done); });
  EXPECT_EQ(done, 250);
}

// A hand-written chunked SSE response whose chunk boundaries fall anywhere:
// inside a chunk-size line, between CR and LF, inside an event, several
// events per chunk, one event over several chunks. The server keeps the
// connection open until the client has every event, so an event the client
// only delivers once more bytes (or the close) arrive fails the test.
struct raw_sse_server {
  tcp::acceptor acceptor;
  asio::steady_timer client_done;
  bool finished = false;  // the client has read what it wanted
  explicit raw_sse_server(executor ex)
      : acceptor(ex, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        client_done(ex, asio::steady_timer::time_point::max()) {}
};

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

std::vector<std::string> awkward_pieces() {
  const std::string ev1 = "id: s-1\ndata: {\"n\":1}\n\n";
  const std::string ev2 = "id: s-2\ndata: {\"n\":2}\n\n";
  const std::string ev3 = "id: s-3\ndata: {\"n\":3}\r\n\r\n";
  const std::string ev4 = "id: s-4\ndata: {\"n\":4}\n\n";
  const std::string ev5 = "id: s-5\ndata: {\"n\":5}\n\n";
  std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::vector<std::string> pieces;
  pieces.push_back(wire + chunk(": hello\n\n").substr(0, 3));   // the head, then half a chunk-size line
  pieces.push_back(chunk(": hello\n\n").substr(3));
  const auto c1 = chunk(ev1);
  pieces.push_back(c1.substr(0, c1.size() - 1));                // the chunk's CRLF cut between CR and LF
  pieces.push_back(c1.substr(c1.size() - 1));
  pieces.push_back(chunk(ev2.substr(0, 9)) + chunk(ev2.substr(9, ev2.size() - 10)));  // the event's last LF missing
  pieces.push_back(chunk(ev2.substr(ev2.size() - 1)));          // ... arrives in its own chunk
  pieces.push_back(chunk(ev3.substr(0, ev3.size() - 1)));       // CRLF CRLF cut before the final LF
  pieces.push_back(chunk(ev3.substr(ev3.size() - 1)) + chunk(ev4 + ev5));  // two events in one chunk
  return pieces;
}

awaitable<void> serve_awkward_sse(raw_sse_server& srv, std::vector<std::string> pieces, std::string last) {
  auto [aec, sock] = co_await srv.acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
  if (aec) co_return;
  std::string request;
  std::array<char, 4096> buf;
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    request.append(buf.data(), n);
  }
  for (auto& piece : pieces) {
    auto [ec, n] = co_await asio::async_write(sock, asio::buffer(piece), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    co_await sleep_for(sock.get_executor(), 5ms);  // separate reads, most of the time
  }
  if (!last.empty()) {
    auto [ec, n] = co_await asio::async_write(sock, asio::buffer(last), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
  // Hold the connection open until the client is done (bounded).
  if (srv.finished) co_return;
  srv.client_done.expires_after(20s);
  auto [wec] = co_await srv.client_done.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)wec;
}

awaitable<void> read_awkward_sse(raw_sse_server& srv, bool terminated) {
  client c(co_await asio::this_coro::executor);
  auto url = "http://127.0.0.1:" + std::to_string(srv.acceptor.local_endpoint().port()) + "/events";
  auto s = co_await c.open(get_request(url));
  EXPECT_TRUE(s);
  if (s) {
    EXPECT_TRUE((*s)->is_event_stream());
    for (int n = 1; n <= 5; ++n) {
      auto ev = co_await (*s)->next_event(10s);
      EXPECT_TRUE(ev && *ev) << "event " << n << ": " << (ev ? "stream ended" : ev.error().what());
      if (!ev || !*ev) break;
      EXPECT_EQ((**ev).data, "{\"n\":" + std::to_string(n) + "}");
      EXPECT_EQ((**ev).id, "s-" + std::to_string(n));
    }
    if (terminated) {
      // The terminating chunk ends the stream while the connection stays open.
      auto end = co_await (*s)->next_event(10s);
      EXPECT_TRUE(end && !*end) << (end ? "another event" : end.error().what());
    }
    EXPECT_EQ((*s)->last_event_id(), "s-5");
  }
  srv.finished = true;
  srv.client_done.cancel();
}

awaitable<void> awkward_round(executor ex, bool terminated) {
  using namespace asio::experimental::awaitable_operators;
  raw_sse_server srv(ex);
  std::string last = terminated ? "0\r\n\r\n" : "";
  co_await (serve_awkward_sse(srv, awkward_pieces(), std::move(last)) && read_awkward_sse(srv, terminated));
}

TEST_F(http_fixture, client_sse_events_arrive_however_chunks_split_them) {
  for (bool terminated : {false, true})
    test::run_void(ctx, [terminated](executor ex) { return awkward_round(ex, terminated); });
}

// The same events, one byte per TCP write.
TEST_F(http_fixture, client_sse_events_arrive_byte_by_byte) {
  test::run_void(ctx, [](executor ex) -> awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    raw_sse_server srv(ex);
    std::string all;
    for (const auto& p : awkward_pieces()) all += p;
    const auto head_end = all.find("\r\n\r\n") + 4;
    std::vector<std::string> bytes;
    bytes.push_back(all.substr(0, head_end));
    for (std::size_t i = head_end; i < all.size(); ++i) bytes.push_back(all.substr(i, 1));
    co_await (serve_awkward_sse(srv, std::move(bytes), "0\r\n\r\n") && read_awkward_sse(srv, true));
  });
}

TEST_F(http_fixture, client_reports_unreachable_server) {
  auto go = [](executor ex) -> awaitable<void> {
    // Bind then close to get a port nobody listens on.
    tcp::acceptor a(ex, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto port = a.local_endpoint().port();
    a.close();
    client c(ex);
    auto r = co_await c.get("http://127.0.0.1:" + std::to_string(port) + "/");
    EXPECT_FALSE(r.has_value());
    if (!r) {
      EXPECT_NE(r.error().message.find("connect"), std::string::npos);
    }
    auto bad = co_await c.get("https://127.0.0.1/");
    EXPECT_FALSE(bad.has_value());
  };
  test::run_void(ctx, [&](executor ex) { return go(ex); });
}

}  // namespace
}  // namespace agentp2p::http
