// The conformance fixture as a program:
//   agentp2p_mcp_fixture_server --stdio        one client on stdin/stdout (logs on stderr)
//   agentp2p_mcp_fixture_server --http [PORT]  Streamable HTTP at http://127.0.0.1:PORT/mcp
//                                              (and legacy SSE at /sse); prints the URL, runs
//                                              until SIGINT/SIGTERM
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "agentp2p/agent/mcp/streamable_http.hpp"
#include "tests/mcp/fixture.hpp"

using namespace agentp2p;

namespace {

awaitable<void> serve_stdio(std::shared_ptr<mcp::server> srv, asio::io_context* ctx) {
  auto ex = co_await asio::this_coro::executor;
  co_await srv->serve(mcp::make_line_transport(mcp::make_fd_stream(ex, STDIN_FILENO, STDOUT_FILENO)));
  ctx->stop();
}

int usage() {
  std::cerr << "usage: agentp2p_mcp_fixture_server [--stdio | --http [PORT]]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const bool http_mode = argc >= 2 && std::strcmp(argv[1], "--http") == 0;
  if (argc >= 2 && !http_mode && std::strcmp(argv[1], "--stdio") != 0) return usage();
  asio::io_context ctx;
  mcp::server_config cfg;
  cfg.info.name = "agentp2p-conformance-fixture";
  cfg.info.version = "1.0.0";
  auto srv = mcp::server::create(cfg);
  mcp_fixture::add_conformance_fixture(*srv);
  if (!http_mode) {
    asio::co_spawn(ctx, serve_stdio(srv, &ctx), asio::detached);
    ctx.run();
    return 0;
  }

  http::config hc;
  hc.listen[0].port = argc >= 3 ? static_cast<std::uint16_t>(std::stoi(argv[2])) : 0;
  http::server web(ctx.get_executor(), hc);
  auto endpoint = mcp::http_endpoint::mount(web, srv, mcp::http_config());
  if (auto started = web.start(); !started) {
    std::cerr << "cannot listen: " << started.error().what() << "\n";
    return 1;
  }
  std::cout << web.url() << "/mcp" << std::endl;
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) {
    asio::co_spawn(ctx, [](std::shared_ptr<mcp::http_endpoint> e, http::server* w) -> awaitable<void> {
      co_await e->close();
      co_await w->close();
    }(endpoint, &web), asio::detached);
  });
  ctx.run();
  return 0;
}
