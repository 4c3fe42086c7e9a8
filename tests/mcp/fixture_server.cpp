// The conformance fixture as a program: `agentp2p_mcp_fixture_server --stdio`
// serves one client on stdin/stdout (logs on stderr).
#include <unistd.h>

#include <cstring>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "tests/mcp/fixture.hpp"

using namespace agentp2p;

namespace {

awaitable<void> serve_stdio(std::shared_ptr<mcp::server> srv, asio::io_context* ctx) {
  auto ex = co_await asio::this_coro::executor;
  co_await srv->serve(mcp::make_line_transport(mcp::make_fd_stream(ex, STDIN_FILENO, STDOUT_FILENO)));
  ctx->stop();
}

}  // namespace

int main(int argc, char** argv) {
  bool stdio = argc < 2 || std::strcmp(argv[1], "--stdio") == 0;
  if (!stdio) {
    std::cerr << "usage: agentp2p_mcp_fixture_server [--stdio]\n";
    return 2;
  }
  asio::io_context ctx;
  mcp::server_config cfg;
  cfg.info.name = "agentp2p-conformance-fixture";
  cfg.info.version = "1.0.0";
  auto srv = mcp::server::create(cfg);
  mcp_fixture::add_conformance_fixture(*srv);
  asio::co_spawn(ctx, serve_stdio(srv, &ctx), asio::detached);
  ctx.run();
  return 0;
}
