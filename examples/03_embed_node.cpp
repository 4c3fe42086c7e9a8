// 03: an agent node embedded in your program. daemon::node is what
// `agentp2p run` runs — libp2p host, identify, ping, praxis cards, tools,
// A2A tasks (DATA_DIR/tasks.db) — without the HTTP API. Here two of them
// share one io_context: alice offers a tool, bob connects, reads her card
// and calls the tool over the network.
//
//   ./03_embed_node        (exit code 0 when the remote call worked)
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "agentp2p/daemon/node.hpp"

using namespace agentp2p;
namespace json = boost::json;
namespace fs = std::filesystem;

// A tool's handler: counts the words of "text". (JSON is built in plain
// functions: GCC 12 cannot keep a braced list alive across a co_await.)
json::object count_words(const json::object& args) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : args.at("text").as_string()) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return json::object{{"words", words}};
}

json::object text_schema() {
  return json::object{{"type", "object"},
                      {"properties", {{"text", {{"type", "string"}, {"description", "text to count"}}}}},
                      {"required", json::array{"text"}}};
}

tools::tool_definition count_words_tool() {
  tools::tool_definition t;
  t.name = "count_words";
  t.description = "Counts the words of a text";
  t.input_schema = text_schema();
  return t;
}

json::object sentence() { return json::object{{"text", "peer to peer agents talk directly"}}; }

daemon::node_options options(std::string name, const fs::path& dir) {
  daemon::node_options o;
  o.name = std::move(name);
  o.data_dir = dir / o.name;
  o.identity_file = o.data_dir / "identity.key";  // created on first start
  o.listen = {"/ip4/127.0.0.1/tcp/0"};
  o.dht.enabled = false;  // two nodes need no DHT
  return o;
}

awaitable<int> talk(daemon::node& alice, daemon::node& bob) {
  auto address = alice.host().listen_addresses().front().to_string() + "/p2p/" + alice.host().id().to_string();
  auto conn = co_await bob.host().connect(*multiformats::multiaddr::parse(address));
  if (!conn) {
    std::cerr << "connect: " << conn.error().what() << "\n";
    co_return 1;
  }
  // Cards are exchanged on connect by themselves; asking makes sure we wait for it.
  auto card = co_await bob.agent().peers().refresh_card(alice.host().id());
  if (!card) {
    std::cerr << "card: " << card.error().what() << "\n";
    co_return 1;
  }
  std::cout << "bob sees " << card->name << " with tools:";
  for (const auto& t : card->tools) std::cout << " " << t.name;
  std::cout << "\n";

  auto r = co_await bob.agent().remote().call(alice.host().id(), "count_words", sentence());
  if (!r) {
    std::cerr << "call: " << r.error().what() << "\n";
    co_return 1;
  }
  std::cout << "count_words on alice -> " << json::serialize(*r) << "\n";
  co_await bob.close();
  co_await alice.close();
  co_return 0;
}

int main() {
  const fs::path dir = fs::temp_directory_path() / ("agentp2p-embed-" + std::to_string(::getpid()));
  asio::io_context ctx;
  auto alice = daemon::node::start(ctx.get_executor(), options("alice", dir));
  auto bob = daemon::node::start(ctx.get_executor(), options("bob", dir));
  if (!alice || !bob) {
    std::cerr << "start: " << (alice ? bob.error() : alice.error()).what() << "\n";
    return 1;
  }
  // A tool: name, description, JSON Schema of its arguments, async handler.
  auto added = (*alice)->agent().tools().add(
      count_words_tool(),
      [](json::object args, tools::call_context&) -> awaitable<result<json::value>> {
        co_return json::value(count_words(args));
      });
  if (!added) {
    std::cerr << "add tool: " << added.error().what() << "\n";
    return 1;
  }
  int code = 1;
  asio::co_spawn(ctx, talk(**alice, **bob), [&](std::exception_ptr e, int c) { code = e ? 1 : c; });
  ctx.run();
  alice->reset();
  bob->reset();
  fs::remove_all(dir);
  return code;
}
