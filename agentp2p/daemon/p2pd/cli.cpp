#include "agentp2p/daemon/p2pd/cli.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "agentp2p/base/log.hpp"
#include "agentp2p/daemon/p2pd/daemon.hpp"

namespace agentp2p::p2pd {

int cli_main(int argc, char** argv) {
  log::level lvl = log::level::warn;
  if (const char* env = std::getenv("AGENTP2P_LOG_LEVEL"); env && !log::parse_level(env, lvl)) {
    std::cerr << "agentp2p-p2pd: AGENTP2P_LOG_LEVEL must be trace|debug|info|warn|error|off\n";
    return 2;
  }
  log::set_level(lvl);

  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = parse_options(args);
  if (!parsed) {
    std::cerr << "agentp2p-p2pd: " << parsed.error().message << " (-h for usage)\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << usage();
    return 0;
  }
  const auto& opts = parsed->opts;

  asio::io_context ctx(1);
  std::shared_ptr<daemon> d;
  int exit_code = 0;
  asio::signal_set signals(ctx, SIGINT, SIGTERM, SIGHUP);
  asio::co_spawn(ctx, daemon::start(ctx.get_executor(), opts),
                 [&](std::exception_ptr e, result<std::shared_ptr<daemon>> started) {
                   if (e || !started) {
                     std::cerr << "agentp2p-p2pd: " << (e ? "start-up failed" : started.error().message) << "\n";
                     exit_code = 1;
                     signals.cancel();
                     return;
                   }
                   d = std::move(*started);
                   if (!opts.quiet) {
                     std::cout << "Control socket: " << d->control_address().to_string() << "\n"
                               << "Peer ID: " << d->node().id().to_string() << "\n"
                               << "Peer Addrs:\n";
                     for (const auto& a : d->addresses()) std::cout << a.to_string() << "\n";
                     std::cout.flush();
                   }
                 });
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    log::info("agentp2p-p2pd: shutting down");
    if (!d) {
      ctx.stop();
      return;
    }
    asio::co_spawn(ctx, d->close(), [&](std::exception_ptr) { ctx.stop(); });
  });
  ctx.run();
  return exit_code;
}

}  // namespace agentp2p::p2pd
