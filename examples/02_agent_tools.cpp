// 02: two agents; one offers a tool, the other finds it on the card it
// received and calls it over the network.
//
//   ./02_agent_tools
#include <filesystem>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/praxis/agent_services.hpp"

using namespace agentp2p;
namespace json = boost::json;

// JSON values are built in plain functions: GCC 12 cannot keep a braced list
// alive across a co_await inside a coroutine (see docs/architecture.md).
json::object text_argument(std::string text) { return json::object{{"text", std::move(text)}}; }

awaitable<void> demo(std::shared_ptr<host::host> alice, std::shared_ptr<host::host> bob,
                     praxis::agent_services& alice_agent) {
  auto bound = bob->listen(*multiformats::multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  auto conn = co_await alice->connect(bound->encapsulate(*multiformats::multiaddr::parse("/p2p/" + bob->id().to_string())));
  if (!conn) {
    std::cerr << conn.error().what() << "\n";
    co_return;
  }
  // Cards are exchanged automatically once identify shows the card protocol.
  for (int i = 0; i < 100; ++i) {
    auto entry = alice_agent.peers().get(bob->id());
    if (entry && entry->card) break;
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(10));
    co_await t.async_wait(asio::use_awaitable);
  }
  if (auto entry = alice_agent.peers().get(bob->id()); entry && entry->card) {
    std::cout << "bob's card: " << json::serialize(card::to_json(*entry->card)) << "\n";
  }
  auto result = co_await alice_agent.remote().call(bob->id(), "shout", text_argument("hello"));
  if (result) std::cout << "shout -> " << json::serialize(*result) << "\n";
  else std::cerr << "call failed: " << result.error().what() << "\n";
  co_await alice->close();
  co_await bob->close();
}

int main() {
  asio::io_context ctx;
  auto alice = host::builder{}.build(ctx.get_executor());
  auto bob = host::builder{}.build(ctx.get_executor());
  auto alice_agent = praxis::agent_services::start(alice, identify::service::start(alice), {});
  auto bob_agent = praxis::agent_services::start(bob, identify::service::start(bob), {});

  // A tool: a name, a JSON Schema for its arguments, and an async handler
  // (it runs on the registry's worker threads, never on the network thread).
  json::object schema{{"type", "object"},
                      {"properties", {{"text", {{"type", "string"}, {"description", "what to shout"}}}}},
                      {"required", json::array{"text"}}};
  auto added = bob_agent->tools().add(
      {.name = "shout", .description = "Upper-cases text", .input_schema = schema},
      [](json::object args, tools::call_context&) -> awaitable<result<json::value>> {
        std::string text(args.at("text").as_string());
        for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        co_return json::value(text_argument(std::move(text)));
      });
  if (!added) std::cerr << added.error().what() << "\n";

  asio::co_spawn(ctx, demo(alice, bob, *alice_agent), [](std::exception_ptr e) {
    if (e) std::cerr << "unexpected exception\n";
  });
  ctx.run();
  alice_agent->stop();
  bob_agent->stop();
}
