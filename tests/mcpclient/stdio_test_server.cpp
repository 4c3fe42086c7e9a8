// A small MCP server on stdio built on our library, for the client tests:
// tools echo, slow (waits until cancelled), crash (exits the process),
// add_tool (adds a tool at run time → tools/list_changed).
// `--garbage` prints non-JSON lines on stdout before serving.
#include <unistd.h>

#include <cstring>
#include <iostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "agentp2p/agent/mcp/server.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

awaitable<result<json::value>> echo(json::object args) { co_return json::value(std::move(args)); }

awaitable<result<json::value>> slow() {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return json::value("woke");
}

mcp::tool def(std::string name) {
  mcp::tool t;
  t.name = std::move(name);
  t.description = "test tool " + t.name;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--garbage") == 0) std::cout << "starting up...\nnot json {\n" << std::flush;
  std::cerr << "test server pid " << ::getpid() << " on stderr" << std::endl;
  asio::io_context io;
  mcp::server_config cfg;
  cfg.info.name = "stdio-test-server";
  auto srv = mcp::server::create(cfg);
  (void)srv->add_tool(def("echo"), [](json::object a, mcp::tool_context&) { return echo(std::move(a)); });
  (void)srv->add_tool(def("slow"), [](json::object, mcp::tool_context&) { return slow(); });
  (void)srv->add_tool(def("crash"), [](json::object, mcp::tool_context&) -> awaitable<result<json::value>> {
    std::_Exit(7);
    co_return json::value();
  });
  std::weak_ptr<mcp::server> weak = srv;
  (void)srv->add_tool(def("add_tool"), [weak](json::object a, mcp::tool_context&) {
    std::string name = a.contains("name") ? std::string(a.at("name").as_string()) : "extra";
    if (auto s = weak.lock()) (void)s->add_tool(def(name), [](json::object x, mcp::tool_context&) { return echo(std::move(x)); });
    return echo(std::move(a));
  });
  auto stream = mcp::make_fd_stream(io.get_executor(), 0, 1);
  asio::co_spawn(io, srv->serve(mcp::make_line_transport(stream)), [&](std::exception_ptr) { io.stop(); });
  io.run();
  return 0;
}
