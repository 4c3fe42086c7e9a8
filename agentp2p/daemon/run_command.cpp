#include "agentp2p/daemon/run_command.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/daemon/service.hpp"
#include "agentp2p/daemon/node.hpp"

namespace agentp2p::daemon {

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// How long a shutdown waits for in-flight tool calls and task turns before
// closing connections; after `hard_stop` the process ends regardless.
constexpr auto drain_timeout = std::chrono::seconds(5);
constexpr auto hard_stop = std::chrono::seconds(15);

awaitable<void> shutdown(service& d, asio::io_context& ctx) {
  co_await d.shutdown(drain_timeout);
  ctx.stop();
}

awaitable<void> serve_stdio(service& d, asio::io_context& ctx) {
  auto ex = co_await asio::this_coro::executor;
  co_await d.node().shared_mcp()->serve(mcp::make_line_transport(mcp::make_fd_stream(ex, STDIN_FILENO, STDOUT_FILENO)));
  log::info("MCP client closed stdin; shutting down");
  co_await d.shutdown(drain_timeout);
  ctx.stop();
}

}  // namespace

int run_mcp_stdio(const layered_config& layered, const std::string& agent_version) {
  auto cfg = layered.cfg;
  cfg.http.enabled = false;  // stdout is the MCP channel; a running daemon may hold the API port
  for (const auto& w : layered.warnings) log::warn(w);
  asio::io_context ctx(1);
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  auto started = service::start(ctx.get_executor(), cfg, agent_version);
  if (!started) {
    std::cerr << "agentp2p mcp: " << started.error().message << "\n";
    return started.error().is(errc::invalid_argument) ? exit_usage : exit_failure;
  }
  auto d = std::move(*started);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) ctx.stop();
  });
  asio::co_spawn(ctx, serve_stdio(*d, ctx), [&](std::exception_ptr) { ctx.stop(); });
  ctx.run();
  return 0;
}

result<layered_config> build_config(const run_flags& flags, const env_lookup& env) {
  layered_config out;
  out.cfg = default_config();
  out.file = flags.config_file;
  if (out.file.empty()) out.file = env("AGENTP2P_CONFIG").value_or("");
  if (!out.file.empty()) {
    AP_TRY(out.warnings, apply_yaml_file(out.cfg, out.file));
  }
  AP_TRYV(apply_env(out.cfg, env));
  for (const auto& o : flags.overrides) AP_TRYV(apply_setting(out.cfg, o.key, o.values, o.flag));
  auto valid = validate(out.cfg);
  if (!valid) {
    auto e = std::move(valid).error();
    if (!out.file.empty()) e.message = out.file + ": " + e.message;
    return e;
  }
  return out;
}

int run_node(const layered_config& layered, const std::string& agent_version) {
  const auto& cfg = layered.cfg;
  for (const auto& w : layered.warnings) log::warn(w);
  asio::io_context ctx(1);
  // Signals are caught from before the ready line, so a script may stop the
  // node as soon as it has read it.
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  auto started = service::start(ctx.get_executor(), cfg, agent_version);
  if (!started) {
    std::cerr << "agentp2p: " << started.error().message << "\n";
    return started.error().is(errc::invalid_argument) ? exit_usage : exit_failure;
  }
  auto d = std::move(*started);
  std::cout << boost::json::serialize(d->ready_line()) << std::endl;

  // First signal: graceful shutdown; a second one, or the hard deadline, ends at once.
  asio::steady_timer deadline(ctx);
  bool stopping = false;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                              int sig) {
    if (ec) return;
    if (stopping) {
      log::warn("second signal: stopping now");
      ctx.stop();
      return;
    }
    stopping = true;
    log::info(std::string("signal ") + std::to_string(sig) + ": shutting down (in-flight calls get " +
              std::to_string(drain_timeout.count()) + " s)");
    deadline.expires_after(hard_stop);
    deadline.async_wait([&](const boost::system::error_code& e) {
      if (!e) {
        log::warn("shutdown took too long; stopping now");
        ctx.stop();
      }
    });
    asio::co_spawn(ctx, shutdown(*d, ctx), [&](std::exception_ptr) { ctx.stop(); });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  ctx.run();
  d->remove_runtime_files();
  return 0;
}

}  // namespace agentp2p::daemon
