// Test-only helpers for the MCP tests: a raw peer on an in-memory transport,
// and a small client-role handler. Include only from *_test.cpp.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/agent/mcp/session.hpp"
#include "agentp2p/agent/mcp/transport.hpp"

namespace agentp2p::mcp::testing {

namespace json = boost::json;

inline json::value js(std::string_view text) { return json::parse(text); }

// The next message, or null after an error (the test then fails on its checks).
inline awaitable<json::value> recv(transport& t) {
  auto m = co_await t.receive();
  EXPECT_TRUE(m) << (m ? "" : m.error().what());
  if (!m) co_return json::value();
  co_return std::move(*m);
}

inline awaitable<void> send(transport& t, std::string_view text) {
  auto r = co_await t.send(js(text), json::value());
  EXPECT_TRUE(r);
}

inline std::int64_t error_code(const json::value& msg) {
  const auto* o = msg.if_object();
  if (!o || !o->contains("error")) return 0;
  return o->at("error").at("code").as_int64();
}

// Answers the server's requests like a capable client: sampling, elicitation, roots.
class client_role final : public handler {
 public:
  int notifications = 0;
  std::vector<json::object> received;  // every notification, in order
  awaitable<result<json::value>> on_request(request_context& ctx, json::value params) override {
    json::object out;
    if (ctx.method() == "sampling/createMessage") {
      out["role"] = "assistant";
      json::object content;
      content["type"] = "text";
      content["text"] = "sampled: " + std::string(params.at("messages").at(0).at("content").at("text").as_string());
      out["content"] = std::move(content);
      out["model"] = "test-model";
      co_return json::value(std::move(out));
    }
    if (ctx.method() == "elicitation/create") {
      out["action"] = "accept";
      json::object content;
      content["username"] = "ada";
      out["content"] = std::move(content);
      co_return json::value(std::move(out));
    }
    if (ctx.method() == "roots/list") {
      out["roots"] = json::array();
      co_return json::value(std::move(out));
    }
    co_return make_error(errc::not_found, "no such method");
  }
  void on_notification(session&, std::string_view method, const json::value& params) override {
    ++notifications;
    json::object n;
    n["method"] = method;
    n["params"] = params;
    received.push_back(std::move(n));
  }
};

// A client session over `t`, running in the background until the test closes it.
struct client {
  std::shared_ptr<client_role> role = std::make_shared<client_role>();
  std::shared_ptr<session> s;
  bool done = false;

  client(std::unique_ptr<transport> t, executor ex) {
    session_config cfg;
    cfg.require_initialize = false;
    cfg.name = "test client";
    s = session::create(std::move(t), role, cfg);
    asio::co_spawn(ex, run(s, &done), asio::detached);
  }
  static awaitable<void> run(std::shared_ptr<session> s, bool* done) {
    co_await s->run();
    *done = true;
  }

  // initialize + notifications/initialized, with sampling/elicitation/roots capabilities.
  awaitable<result<json::value>> initialize(std::string version) {
    json::object params;
    params["protocolVersion"] = version;
    params["capabilities"] = js(R"({"sampling":{},"elicitation":{},"roots":{"listChanged":true}})");
    params["clientInfo"] = js(R"({"name":"test","version":"1"})");
    auto r = co_await s->request("initialize", std::move(params));
    if (r) {
      s->set_initialized(std::string(r->at("protocolVersion").as_string()), {}, {});
      (void)s->notify("notifications/initialized", nullptr);
    }
    co_return r;
  }
};

}  // namespace agentp2p::mcp::testing
