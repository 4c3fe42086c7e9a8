// The tool policy seen from a remote peer: the card, the praxis tool and MCP
// protocols all show and allow the same tools.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/praxis/mcp_protocol.hpp"
#include "agentp2p/agent/praxis/test_support.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace std::chrono_literals;
using namespace praxis::testing;
namespace json = boost::json;

namespace {

tools::tool_definition external_tool(std::string name) {
  auto d = tool(std::move(name), "proxied from an external MCP server", R"({"type":"object"})");
  d.origin = tools::tool_origin::external;
  return d;
}

bool card_lists(praxis::agent_services& s, const crypto::peer_id& p, std::string_view tool_name) {
  auto e = s.peers().get(p);
  if (!e || !e->card) return false;
  for (const auto& t : e->card->tools)
    if (t.name == tool_name) return true;
  return false;
}

std::vector<std::string> names_in(const json::value& list) {
  std::vector<std::string> out;
  const auto& arr = list.is_array() ? list.get_array() : list.at("tools").get_array();
  for (const auto& t : arr) out.emplace_back(t.at("name").get_string());
  return out;
}

json::object one_and_two() { return json::parse(R"({"a":1,"b":2})").as_object(); }

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST(tool_policy_remote, external_tools_are_neither_listed_nor_callable_until_exposed) {
  asio::io_context ctx;
  agents ag(ctx);
  ASSERT_TRUE(ag.b->tools().add(external_tool("read_file"), add_tool));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    { auto ok = co_await ag.connect(); EXPECT_TRUE(ok); }
    { auto ok = co_await eventually([&] { return card_lists(*ag.a, ag.peer_b(), "add"); }); EXPECT_TRUE(ok); }
    EXPECT_FALSE(card_lists(*ag.a, ag.peer_b(), "read_file"));
    // The card a receives is signed by b.
    auto e = ag.a->peers().get(ag.peer_b());
    EXPECT_TRUE(e && e->card && e->card->verified == card::signature_state::valid);

    // praxis tool protocol
    auto denied = co_await ag.a->remote().call(ag.peer_b(), "read_file", one_and_two());
    EXPECT_FALSE(denied);
    if (!denied) {
      EXPECT_TRUE(denied.error().is(errc::permission_denied)) << denied.error().what();
      EXPECT_NE(denied.error().message.find("not exposed"), std::string::npos);
    }
    // praxis MCP protocol: listings and calls
    auto client = co_await praxis::mcp_client::open(*ag.hosts.a, ag.peer_b(), praxis::client_config());
    EXPECT_TRUE(client);
    if (client) {
      auto& c = **client;
      auto listed = co_await c.request("tools.list", nullptr);
      EXPECT_TRUE(listed && contains(names_in(*listed), "add") && !contains(names_in(*listed), "read_file"));
      auto mcp_list = co_await c.request("mcp.execute", json::parse(R"({"method":"tools/list"})"));
      EXPECT_TRUE(mcp_list && contains(names_in(*mcp_list), "add") && !contains(names_in(*mcp_list), "read_file"));
      auto invoked = co_await c.request("tool.invoke", json::parse(R"({"name":"read_file","arguments":{"a":1,"b":2}})"));
      EXPECT_TRUE(!invoked && invoked.error().is(errc::permission_denied));
    }

    // Exposed to a (by the operator, at run time): listed after the next exchange, and callable.
    tools::policy_config open;
    open.tools["read_file"] = tools::exposure::only({ag.peer_a().to_string()});
    ag.b->tools().set_policy(open);
    auto refreshed = co_await ag.a->peers().refresh_card(ag.peer_b());
    EXPECT_TRUE(refreshed);
    EXPECT_TRUE(card_lists(*ag.a, ag.peer_b(), "read_file"));
    auto allowed = co_await ag.a->remote().call(ag.peer_b(), "read_file", one_and_two());
    EXPECT_TRUE(allowed) << (allowed ? "" : allowed.error().what());
    co_await ag.close();
  });
}
