// A2A over HTTP test server: a task manager with the default tool executor
// (tools echo, sleep, fail) behind agentp2p's HTTP binding, no libp2p host.
// Prints {"url": "http://127.0.0.1:<port>"} when ready; SIGINT/SIGTERM stop it.
//   agentp2p_a2a_http_server [--port N] [--db PATH] [--agent tools|echo-message]
// --db: the task database (default ":memory:"; the benchmark gives a file, as
// a node has, so the durability waits cost what they cost in production).
// --agent echo-message: answer every message directly with a message echoing
// its parts, no task (the benchmark reference's workload); default: the tool
// executor, every message a stored task.
#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/a2a/dispatcher.hpp"
#include "agentp2p/agent/a2a/sqlite_task_store.hpp"
#include "agentp2p/agent/a2a/task_manager.hpp"
#include "agentp2p/agent/a2a/tool_executor.hpp"
#include "agentp2p/agent/a2a_http/http_binding.hpp"
#include "agentp2p/http/server.hpp"
#include "tests/a2a_http/echo_message_agent.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

struct test_tools final : a2a::tool_invoker {
  awaitable<result<json::value>> invoke(a2a::request_context, std::optional<crypto::peer_id>, std::string tool,
                                        json::object arguments) override {
    if (tool == "echo") co_return json::value(std::move(arguments));
    if (tool == "fail") co_return make_error(errc::invalid_argument, "the fail tool always fails");
    if (tool == "sleep") {
      // Long-running work that a cancel interrupts (the turn is cancelled).
      double seconds = 30;
      if (auto it = arguments.find("seconds"); it != arguments.end() && it->value().is_number())
        seconds = std::min(60.0, it->value().to_number<double>());
      asio::steady_timer t(co_await asio::this_coro::executor,
                           std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
      co_await t.async_wait(asio::use_awaitable);
      co_return json::value("slept");
    }
    co_return make_error(errc::not_found, "unknown tool '" + tool + "' (this server has echo, sleep, fail)");
  }
};

a2a::card_config make_card() {
  a2a::card_config card;
  card.name = "agentp2p A2A HTTP test agent";
  card.description = "Runs the tools echo, sleep and fail for interop tests";
  a2a::skill s;
  s.id = "tools";
  s.name = "tools";
  s.description = "Send a data part {tool, arguments}";
  s.tags.push_back("tools");
  card.skills.push_back(s);
  return card;
}

awaitable<void> wait_and_close(asio::signal_set* signals, http::server* srv, std::shared_ptr<a2a::task_manager> mgr) {
  co_await signals->async_wait(asio::use_awaitable);
  co_await srv->close();
  co_await mgr->close();
}

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  std::string db = ":memory:";
  std::string agent = "tools";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--port") port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    if (std::string(argv[i]) == "--db") db = argv[i + 1];
    if (std::string(argv[i]) == "--agent") agent = argv[i + 1];
  }
  std::shared_ptr<a2a::agent_executor> executor;
  if (agent == "tools") {
    executor = std::make_shared<a2a::tool_executor>(std::make_shared<test_tools>());
  } else if (agent == "echo-message") {
    executor = std::make_shared<a2a_http_test::echo_message_agent>();
  } else {
    std::cerr << "--agent: expected tools or echo-message, got '" << agent << "'\n";
    return 2;
  }
  asio::io_context ctx;
  auto store = a2a::sqlite_task_store::open(db);
  if (!store) {
    std::cerr << store.error().what() << "\n";
    return 1;
  }
  auto mgr = a2a::task_manager::open(ctx.get_executor(), std::move(*store), std::move(executor));
  if (!mgr) {
    std::cerr << mgr.error().what() << "\n";
    return 1;
  }
  auto rpc = std::make_shared<a2a::dispatcher>(*mgr, make_card());
  http::config cfg;
  cfg.listen.front().port = port;
  http::server srv(ctx.get_executor(), cfg);
  a2a::mount_http(srv, rpc);
  if (auto started = srv.start(); !started) {
    std::cerr << started.error().what() << "\n";
    return 1;
  }
  json::object ready;
  ready["url"] = srv.url();
  std::cout << json::serialize(ready) << std::endl;
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  asio::co_spawn(ctx, wait_and_close(&signals, &srv, *mgr), asio::detached);
  ctx.run();
  return 0;
}
