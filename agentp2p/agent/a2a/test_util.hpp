// Helpers shared by the a2a tests (header-only, test code only).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/agent/a2a/dispatcher.hpp"
#include "agentp2p/agent/a2a/sqlite_task_store.hpp"
#include "agentp2p/agent/a2a/task_manager.hpp"
#include "agentp2p/agent/a2a/tool_executor.hpp"

namespace a2a_test {

using namespace agentp2p;
namespace json = boost::json;

// Tools for the tests: echo (returns its arguments), fail, slow (10 s),
// number (returns 42), whoami (returns the target peer or "local").
struct test_tools final : a2a::tool_invoker {
  std::vector<std::string> calls;
  awaitable<result<json::value>> invoke(a2a::request_context, std::optional<crypto::peer_id> peer, std::string tool,
                                        json::object arguments) override {
    calls.push_back(tool);
    if (tool == "echo") co_return json::value(std::move(arguments));
    if (tool == "number") co_return json::value(42);
    if (tool == "whoami") co_return json::value(peer ? peer->to_string() : std::string("local"));
    if (tool == "fail") co_return make_error(errc::not_found, "no such file: /nope");
    if (tool == "slow") {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(10));
      co_await t.async_wait(asio::use_awaitable);
      co_return json::value("late");
    }
    co_return make_error(errc::not_found, "unknown tool " + tool);
  }
};

inline a2a::message tool_message(const std::string& tool, json::object args = {},
                                 std::optional<std::string> peer = std::nullopt) {
  json::object d;
  d["tool"] = tool;
  d["arguments"] = std::move(args);
  if (peer) d["peer"] = *peer;
  a2a::message m;
  m.message_id = a2a::new_id();
  m.parts.push_back(a2a::part::data(std::move(d)));
  return m;
}

inline a2a::message text_message(const std::string& text) {
  a2a::message m;
  m.message_id = a2a::new_id();
  m.parts.push_back(a2a::part::text(text));
  return m;
}

inline std::shared_ptr<a2a::task_manager> open_manager(executor ex, std::shared_ptr<a2a::agent_executor> agent,
                                                       a2a::manager_config cfg = {},
                                                       const std::string& path = ":memory:") {
  auto store = a2a::sqlite_task_store::open(path);
  if (!store) throw std::runtime_error(store.error().what());
  auto m = a2a::task_manager::open(std::move(ex), std::move(*store), std::move(agent), cfg);
  if (!m) throw std::runtime_error(m.error().what());
  return *m;
}

// A database file in the temp directory, removed (with its WAL files) at the end.
struct temp_db {
  std::string path;
  temp_db() { path = (std::filesystem::temp_directory_path() / ("agentp2p_a2a_" + a2a::new_id() + ".db")).string(); }
  ~temp_db() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

// Collects responses.
struct vector_sink final : a2a::response_sink {
  std::vector<json::value> out;
  awaitable<result<void>> send(json::value v) override {
    out.push_back(std::move(v));
    co_return ok();
  }
};

inline std::string state_of(const json::value& task) { return std::string(task.at("status").at("state").as_string()); }

}  // namespace a2a_test
