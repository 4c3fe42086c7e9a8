// agentp2p-perf: the libp2p perf test app (/perf/1.0.0) for agentp2p.
//
//   agentp2p-perf --server-address /ip4/127.0.0.1/tcp/4001/p2p/12D3... --transport tcp \
//                 --upload-bytes 1073741824 --download-bytes 1073741824
//   agentp2p-perf --run-server --server-address /ip4/127.0.0.1/tcp/4001
//
// Client: JSON lines on stdout, {"type":"intermediary"|"final","timeSeconds",
// "uploadBytes","downloadBytes"}, as the libp2p test-plans perf apps print.
// Server: one JSON line {"peerId","addrs"} once listening, then serves until
// SIGINT/SIGTERM. --server-address also takes host:port (test-plans style).
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "agentp2p/base/log.hpp"
#include "agentp2p/crypto/identity_file.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/perf/perf.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// "/ip4/..." as is; "1.2.3.4:5" → /ip4/1.2.3.4/tcp/5.
result<multiaddr> parse_address(const std::string& text) {
  if (text.starts_with("/")) return multiaddr::parse(text);
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return make_error(errc::invalid_argument, "address needs host:port: " + text);
  auto host = text.substr(0, colon);
  bool v6 = host.find(':') != std::string::npos;
  if (v6 && host.starts_with("[")) host = host.substr(1, host.size() - 2);
  return multiaddr::parse((v6 ? "/ip6/" : "/ip4/") + host + "/tcp/" + text.substr(colon + 1));
}

int run_server(const multiaddr& listen, const std::string& identity) {
  asio::io_context ctx;
  host::builder b;
  if (!identity.empty()) {
    auto key = crypto::load_or_create_identity(identity);
    if (!key) {
      std::cerr << "agentp2p-perf: " << key.error().what() << "\n";
      return exit_failure;
    }
    b.identity(std::move(*key));
  }
  auto h = b.build(ctx.get_executor());
  auto id = identify::service::start(h);
  auto pg = ping::service::start(h);
  auto pf = perf::service::start(h);
  auto bound = h->listen(listen);
  if (!bound) {
    std::cerr << "agentp2p-perf: " << bound.error().what() << "\n";
    return exit_failure;
  }
  std::cout << R"({"peerId":")" << h->id().to_string() << R"(","addrs":[")" << bound->to_string() << "/p2p/"
            << h->id().to_string() << R"("]})" << std::endl;
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) {
    asio::co_spawn(ctx, [](std::shared_ptr<host::host> h) -> awaitable<void> { co_await h->close(); }(h),
                   [&](std::exception_ptr) { ctx.stop(); });
  });
  ctx.run();
  return 0;
}

int run_client(const multiaddr& server, std::uint64_t up, std::uint64_t down) {
  asio::io_context ctx;
  auto h = host::builder{}.build(ctx.get_executor());
  int rc = exit_failure;
  asio::co_spawn(
      ctx,
      [](std::shared_ptr<host::host> h, multiaddr server, std::uint64_t up, std::uint64_t down,
         int& rc) -> awaitable<void> {
        auto conn = co_await h->connect(server);
        if (!conn) {
          std::cerr << "agentp2p-perf: " << conn.error().what() << "\n";
        } else {
          auto print = [](const perf::report& r) { std::cout << perf::to_json(r) << std::endl; };
          auto r = co_await perf::measure(*h, *conn, up, down, print, perf::config{});
          if (r) {
            print(*r);
            rc = 0;
          } else {
            std::cerr << "agentp2p-perf: " << r.error().what() << "\n";
          }
        }
        co_await h->close();
      }(h, server, up, down, rc),
      [&](std::exception_ptr) { ctx.stop(); });
  ctx.run();
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"agentp2p-perf: libp2p perf protocol (/perf/1.0.0) client and server"};
  std::string address, transport = "tcp", identity, log_level = "warn";
  std::uint64_t up = 0, down = 0;
  bool server = false;
  app.add_option("--server-address", address, "Server multiaddr (or host:port); the listen address with --run-server")
      ->required();
  app.add_option("--transport", transport, "Transport (tcp)")->check(CLI::IsMember({"tcp"}));
  app.add_option("--upload-bytes", up, "Bytes to upload");
  app.add_option("--download-bytes", down, "Bytes to download");
  app.add_flag("--run-server", server, "Serve /perf/1.0.0 instead of measuring");
  app.add_option("--identity", identity, "Server identity key file (created when missing; default: a new key)");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off");
  // The test-plans apps also pass --secret-key-seed; accepted and ignored.
  std::string seed;
  app.add_option("--secret-key-seed", seed, "Ignored (test-plans compatibility)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  log::level lvl;
  if (!log::parse_level(log_level, lvl)) {
    std::cerr << "agentp2p-perf: unknown log level '" << log_level << "'\n";
    return exit_usage;
  }
  log::set_level(lvl);
  auto addr = parse_address(address);
  if (!addr) {
    std::cerr << "agentp2p-perf: " << addr.error().what() << "\n";
    return exit_usage;
  }
  return server ? run_server(*addr, identity) : run_client(*addr, up, down);
}
