// External MCP servers as local tools: real child processes (our stdio test
// server, and shell one-liners that misbehave) managed by external_servers.
#include <signal.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>

#include "agentp2p/agent/mcp/external_servers.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace agentp2p::mcp;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

external_server_config test_server(std::string name) {
  external_server_config c;
  c.name = std::move(name);
  c.command = AGENTP2P_STDIO_TEST_SERVER;
  c.connect_timeout = 10s;
  c.initial_backoff = 50ms;
  return c;
}

external_server_config shell(std::string name, std::string script) {
  external_server_config c;
  c.name = std::move(name);
  c.command = "/bin/sh";
  c.args = {"-c", std::move(script)};
  c.connect_timeout = 500ms;
  c.initial_backoff = 50ms;
  c.max_backoff = 200ms;
  return c;
}

const external_status* find(const std::vector<external_status>& all, std::string_view name, std::vector<external_status>& keep) {
  keep = all;
  for (const auto& s : keep)
    if (s.name == name) return &s;
  return nullptr;
}

// Waits (bounded) until `pred()` holds.
template <class Pred>
awaitable<bool> eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) co_return true;
    co_await sleep_for(10ms);
  }
  co_return pred();
}

TEST(ExternalServersConfig, NamesAndConfigChecks) {
  EXPECT_EQ(external_tool_name("fs", "read_file"), "fs.read_file");
  EXPECT_EQ(external_tool_name("fs", "read file/x"), "fs.read_file_x");
  EXPECT_EQ(external_tool_name("s", std::string(200, 'a')).size(), 128u);
  external_server_config c;
  c.name = "fs";
  EXPECT_NE(check_external_server(c), "");  // neither command nor url
  c.command = "true";
  EXPECT_EQ(check_external_server(c), "");
  c.url = "http://127.0.0.1:1/mcp";
  EXPECT_NE(check_external_server(c), "");  // both
  c.command.clear();
  EXPECT_EQ(check_external_server(c), "");
  c.name = "bad name";
  EXPECT_NE(check_external_server(c), "");
}


bool alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

TEST(ExternalServersProcess, ToolsAppearAreCallableAndComeBackAfterACrash) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    auto reg = std::make_shared<tools::registry>();
    std::vector<external_server_config> cfgs;
    cfgs.push_back(test_server("t"));
    auto started = external_servers::start(ex, reg, cfgs);
    EXPECT_TRUE(started);
    auto ext = *started;
    bool ready = co_await eventually([&] { return reg->find("t.echo").has_value(); });
    EXPECT_TRUE(ready);
    EXPECT_TRUE(reg->find("t.slow").has_value());
    auto echoed = co_await reg->call("t.echo", json::parse(R"({"x":42})").as_object());
    EXPECT_TRUE(echoed) << (echoed ? "" : echoed.error().what());
    if (echoed) {
      EXPECT_EQ(echoed->at("structuredContent").at("x"), 42);
    }
    // Private by default: a peer cannot call it.
    tools::call_options from_peer;
    from_peer.caller = "12D3KooWPeer";
    auto refused = co_await reg->call("t.echo", json::object(), from_peer);
    EXPECT_FALSE(refused);

    // A tool added at run time arrives through list_changed.
    auto added = co_await reg->call("t.add_tool", json::parse(R"({"name":"late"})").as_object());
    EXPECT_TRUE(added);
    bool late = co_await eventually([&] { return reg->find("t.late").has_value(); });
    EXPECT_TRUE(late);

    // It crashes: the tools go, the server is restarted, they come back.
    std::vector<external_status> keep;
    const int first_pid = find(ext->status(), "t", keep)->pid;
    auto crashed = co_await reg->call("t.crash", json::object());
    EXPECT_FALSE(crashed);
    bool restarted = co_await eventually([&] {
      std::vector<external_status> k;
      const auto* s = find(ext->status(), "t", k);
      return s->restarts >= 1 && s->state == external_state::ready && s->pid != first_pid;
    });
    EXPECT_TRUE(restarted);
    auto again = co_await reg->call("t.echo", json::parse(R"({"y":1})").as_object());
    EXPECT_TRUE(again) << (again ? "" : again.error().what());
    EXPECT_FALSE(reg->find("t.late").has_value());  // the new process never added it

    const int pid = find(ext->status(), "t", keep)->pid;
    co_await ext->close();
    EXPECT_FALSE(reg->find("t.echo").has_value());
    EXPECT_FALSE(alive(pid));
  }, 60s);
}

TEST(ExternalServersProcess, GarbageHangsAndExitsAreClearErrorsAndOthersKeepWorking) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    auto reg = std::make_shared<tools::registry>();
    std::vector<external_server_config> cfgs;
    auto noisy = test_server("noisy");
    noisy.args = {"--garbage"};  // prints non-JSON lines, then serves properly
    cfgs.push_back(noisy);
    cfgs.push_back(shell("garbage", "while true; do echo 'this is not json'; sleep 0.05; done"));
    cfgs.push_back(shell("hang", "exec sleep 30"));
    cfgs.push_back(shell("exits", "echo bye >&2; exit 3"));
    auto big = shell("big", "head -c 3000000 /dev/zero | tr '\\0' a; echo; exec sleep 30");
    big.max_line = 1024 * 1024;
    cfgs.push_back(big);
    auto started = external_servers::start(ex, reg, cfgs);
    EXPECT_TRUE(started);
    auto ext = *started;
    bool settled = co_await eventually([&] {
      std::vector<external_status> k;
      return find(ext->status(), "noisy", k)->state == external_state::ready &&
             find(ext->status(), "garbage", k)->starts >= 2 && find(ext->status(), "hang", k)->starts >= 2 &&
             find(ext->status(), "exits", k)->starts >= 2 && find(ext->status(), "big", k)->starts >= 2;
    });
    EXPECT_TRUE(settled);
    std::vector<external_status> k;
    EXPECT_NE(find(ext->status(), "garbage", k)->last_error.find("non-JSON"), std::string::npos)
        << find(ext->status(), "garbage", k)->last_error;
    EXPECT_NE(find(ext->status(), "hang", k)->last_error.find("initialize"), std::string::npos)
        << find(ext->status(), "hang", k)->last_error;
    EXPECT_NE(find(ext->status(), "exits", k)->last_error.find("status 3"), std::string::npos)
        << find(ext->status(), "exits", k)->last_error;
    EXPECT_NE(find(ext->status(), "big", k)->last_error.find("non-JSON"), std::string::npos)
        << find(ext->status(), "big", k)->last_error;
    // The good one serves all along.
    auto echoed = co_await reg->call("noisy.echo", json::parse(R"({"ok":true})").as_object());
    EXPECT_TRUE(echoed) << (echoed ? "" : echoed.error().what());
    const int hang_pid = find(ext->status(), "hang", k)->pid;
    co_await ext->close();
    EXPECT_FALSE(alive(hang_pid));
    EXPECT_EQ(reg->size(), 0u);
  }, 60s);
}

TEST(ExternalServersProcess, ACallThatOutlivesItsDeadlineIsCancelled) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    auto reg = std::make_shared<tools::registry>();
    std::vector<external_server_config> cfgs;
    cfgs.push_back(test_server("t"));
    auto ext = *external_servers::start(ex, reg, cfgs);
    bool ready = co_await eventually([&] { return reg->find("t.slow").has_value(); });
    EXPECT_TRUE(ready);
    tools::call_options opts;
    opts.deadline = 200ms;
    auto r = co_await reg->call("t.slow", json::object(), opts);
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_TRUE(r.error().is(errc::timeout)) << r.error().what();
    }
    auto still = co_await reg->call("t.echo", json::object());
    EXPECT_TRUE(still);
    co_await ext->close();
  }, 60s);
}

}  // namespace
