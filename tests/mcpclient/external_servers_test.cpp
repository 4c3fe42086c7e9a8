// External MCP servers as local tools: real child processes (our stdio test
// server, and shell one-liners that misbehave) managed by external_servers.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/agent/mcp/client.hpp"
#include "agentp2p/agent/mcp/external_servers.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/mcp/transport.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/base/task_group.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace agentp2p::mcp;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

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

// `expose` reaches the registry's policy, so the tools appear in what a peer
// is shown (its card, its MCP tools/list) — not only in the call check.
TEST(ExternalServersProcess, ExposedToolsAreListedForPeersAndPrivateOnesAreNot) {
  asio::io_context io;
  test::run_void(io, [](executor ex) -> awaitable<void> {
    auto reg = std::make_shared<tools::registry>();
    std::vector<external_server_config> cfgs;
    cfgs.push_back(test_server("open"));
    cfgs.back().expose = "all";
    cfgs.push_back(test_server("shut"));
    auto started = external_servers::start(ex, reg, cfgs);
    EXPECT_TRUE(started);
    bool ready = co_await eventually([&] { return reg->find("open.echo") && reg->find("shut.echo"); });
    EXPECT_TRUE(ready);
    auto names = [&](std::string_view caller) {
      std::vector<std::string> out;
      for (const auto& d : reg->list_for(caller)) out.push_back(d.name);
      return out;
    };
    auto peer_sees = names("12D3KooWPeer");
    EXPECT_NE(std::find(peer_sees.begin(), peer_sees.end(), "open.echo"), peer_sees.end());
    EXPECT_EQ(std::find(peer_sees.begin(), peer_sees.end(), "shut.echo"), peer_sees.end());
    auto local_sees = names("");
    EXPECT_NE(std::find(local_sees.begin(), local_sees.end(), "shut.echo"), local_sees.end());
    tools::call_options from_peer;
    from_peer.caller = "12D3KooWPeer";
    auto called = co_await reg->call("open.echo", json::parse(R"({"x":1})").as_object(), from_peer);
    EXPECT_TRUE(called) << (called ? "" : called.error().what());
    co_await (*started)->close();
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

// A fresh path for the test server's cancellation mark.
std::string mark_path(std::string_view what, int round) {
  auto p = std::filesystem::temp_directory_path() /
           ("agentp2p-mark-" + std::to_string(::getpid()) + "-" + std::string(what) + "-" + std::to_string(round));
  std::filesystem::remove(p);
  return p.string();
}

json::object slow_args(const std::string& mark) {
  json::object a;
  a["mark"] = mark;
  return a;
}

awaitable<result<json::value>> call_then_give_up(tools::registry& reg, json::object args) {
  using namespace asio::experimental::awaitable_operators;
  tools::call_options opts;
  opts.deadline = 30s;  // far away: only our giving up can end the call in time
  auto raced = co_await (reg.call("t.slow", std::move(args), opts) || sleep_for(200ms));
  if (raced.index() == 0) co_return std::get<0>(std::move(raced));
  co_return make_error(errc::cancelled, "gave up");
}

awaitable<void> registry_caller_gives_up(executor ex) {
  auto reg = std::make_shared<tools::registry>();
  std::vector<external_server_config> cfgs;
  cfgs.push_back(test_server("t"));
  auto ext = *external_servers::start(ex, reg, cfgs);
  bool ready = co_await eventually([&] { return reg->find("t.slow").has_value(); });
  EXPECT_TRUE(ready);
  for (int round = 0; round < 5 && ready; ++round) {
    const auto mark = mark_path("registry", round);
    auto r = co_await call_then_give_up(*reg, slow_args(mark));
    EXPECT_FALSE(r);
    // The registry cancels the handler, the manager's client sends
    // notifications/cancelled, the server's tool sees it — long before any
    // deadline (30 s call, 60 s server call timeout).
    bool seen = co_await eventually([&] { return std::filesystem::exists(mark); });
    EXPECT_TRUE(seen) << "round " << round << ": the external server never saw the cancellation";
    std::filesystem::remove(mark);
    if (!seen) break;
    bool idle = co_await eventually([&] { return reg->active_calls() == 0; });
    EXPECT_TRUE(idle);
  }
  auto still = co_await reg->call("t.echo", json::object());
  EXPECT_TRUE(still);
  co_await ext->close();
}

// Through our MCP server: an MCP client's notifications/cancelled for a tool
// that is an external server's reaches that server.
awaitable<void> mcp_client_cancels(executor ex) {
  auto reg = std::make_shared<tools::registry>();
  std::vector<external_server_config> cfgs;
  cfgs.push_back(test_server("t"));
  // Our MCP server calls registry tools with its session's name as the caller,
  // which the external tools' policy counts as remote: expose them.
  cfgs.back().expose = "all";
  auto ext = *external_servers::start(ex, reg, cfgs);
  bool ready = co_await eventually([&] { return reg->find("t.slow").has_value(); });
  EXPECT_TRUE(ready);
  auto srv = mcp::server::create(mcp::server_config(), reg);
  auto [ours, theirs] = mcp::make_memory_pair(ex);
  task_group serving(ex);
  serving.spawn(srv->serve(std::move(theirs)), "mcp server");
  auto c = mcp::client::create(std::move(ours), mcp::client_config());
  auto connected = co_await c->connect();
  EXPECT_TRUE(connected);
  for (int round = 0; round < 5 && ready && connected; ++round) {
    const auto mark = mark_path("mcp", round);
    mcp::call_options impatient;
    impatient.timeout = 200ms;  // then the client sends notifications/cancelled
    auto r = co_await c->call_tool("t.slow", slow_args(mark), impatient);
    EXPECT_TRUE(!r && r.error().is(errc::timeout)) << (r ? "answered" : r.error().what());
    bool seen = co_await eventually([&] { return std::filesystem::exists(mark); });
    EXPECT_TRUE(seen) << "round " << round << ": the external server never saw the cancellation";
    std::filesystem::remove(mark);
    if (!seen) break;
  }
  co_await c->close();
  co_await serving.join();
  co_await ext->close();
}

}  // namespace

// The caller of an external tool gives up (its coroutine is cancelled, as when
// a peer resets its stream): the external server gets notifications/cancelled.
TEST(ExternalServersProcess, ACallerGivingUpCancelsTheCallOnTheServer) {
  asio::io_context io;
  test::run_void(io, [](executor ex) { return registry_caller_gives_up(ex); }, 60s);
}

TEST(ExternalServersProcess, AnMcpClientsCancellationReachesTheExternalServer) {
  asio::io_context io;
  test::run_void(io, [](executor ex) { return mcp_client_cancels(ex); }, 60s);
}
