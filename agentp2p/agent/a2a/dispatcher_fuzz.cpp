// libFuzzer entry for the A2A request path behind both bindings: the body of
// a POST to the HTTP endpoint and each line on /a2a/1.0.0 reach
// dispatcher::handle as text. Input: up to 16 newline-separated requests,
// handled in turn against one task manager (in-memory SQLite store, a tool
// executor with instant tools), from a local caller or a remote peer (byte 0),
// so later requests can refer to tasks the earlier ones made. Every request
// must get responses or fail cleanly; none may hang.
// Built as fuzz_a2a_dispatcher by tests/fuzz; seeds in tests/fuzz/corpus/a2a_dispatcher.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/a2a/dispatcher.hpp"
#include "agentp2p/agent/a2a/sqlite_task_store.hpp"
#include "agentp2p/agent/a2a/task_manager.hpp"
#include "agentp2p/agent/a2a/tool_executor.hpp"

namespace {

using namespace agentp2p;
namespace json = boost::json;

struct instant_tools final : a2a::tool_invoker {
  awaitable<result<json::value>> invoke(a2a::request_context, std::optional<crypto::peer_id> peer, std::string tool,
                                        json::object arguments) override {
    if (tool == "echo") co_return json::value(std::move(arguments));
    if (tool == "number") co_return json::value(42);
    if (tool == "whoami") co_return json::value(peer ? peer->to_string() : std::string("local"));
    co_return make_error(errc::not_found, "unknown tool " + tool);
  }
};

struct counting_sink final : a2a::response_sink {
  std::size_t responses = 0;
  awaitable<result<void>> send(json::value v) override {
    if (!v.is_object() || !v.as_object().contains("jsonrpc")) std::abort();  // every response is JSON-RPC
    ++responses;
    co_return ok();
  }
};

a2a::request_context caller_of(std::uint8_t selector) {
  a2a::request_context c;
  if (selector & 1) {
    static const auto remote = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
    c.peer = remote;
  }
  return c;
}

awaitable<void> run(std::shared_ptr<a2a::task_manager> mgr, std::vector<std::string> lines, a2a::request_context caller) {
  a2a::dispatcher_config cfg;
  cfg.blocking_timeout = std::chrono::seconds(5);
  cfg.max_stream_duration = std::chrono::seconds(5);
  a2a::dispatcher rpc(mgr, a2a::card_config{}, cfg);
  for (auto& line : lines) {
    counting_sink sink;
    auto r = co_await rpc.handle(std::move(line), caller, sink);
    if (!r) std::abort();  // handle fails only when the sink does, and this one never does
  }
  co_await mgr->close();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> lines;
  while (!text.empty() && lines.size() < 16) {
    auto nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  asio::io_context ctx;
  auto store = a2a::sqlite_task_store::open(":memory:");
  if (!store) std::abort();
  a2a::manager_config mcfg;
  mcfg.max_tasks_per_peer = 8;
  auto mgr = a2a::task_manager::open(ctx.get_executor(), std::move(*store),
                                     std::make_shared<a2a::tool_executor>(std::make_shared<instant_tools>()), mcfg);
  if (!mgr) std::abort();
  asio::co_spawn(ctx, run(*mgr, std::move(lines), caller_of(data[0])), asio::detached);
  ctx.run();
  return 0;
}
