// 01: a node that serves an echo protocol, and a second node that uses it.
//
//   ./01_echo_service
//
// Shows the library's whole shape in one page: build a host (TCP + Noise +
// Yamux), register a protocol handler, listen, dial by multiaddr, open a
// stream, and handle errors as values.
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/host/host.hpp"

using namespace agentp2p;

// The server side of /example/echo/1.0.0: send back what arrives, until EOF.
awaitable<void> echo(std::shared_ptr<host::stream> s) {
  std::array<std::uint8_t, 4096> buf{};
  for (;;) {
    auto n = co_await s->read_some(buf);
    if (!n) break;  // end_of_stream (or reset): done
    auto written = co_await s->write(byte_span(buf.data(), *n));
    if (!written) co_return;
  }
  (void)co_await s->close_write();
}

awaitable<void> demo(std::shared_ptr<host::host> server, std::shared_ptr<host::host> client) {
  auto bound = server->listen(*multiformats::multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  if (!bound) {
    std::cerr << "listen failed: " << bound.error().what() << "\n";
    co_return;
  }
  auto addr = bound->encapsulate(*multiformats::multiaddr::parse("/p2p/" + server->id().to_string()));
  std::cout << "server listening on " << addr.to_string() << "\n";

  auto conn = co_await client->connect(addr);
  if (!conn) {
    std::cerr << "connect failed: " << conn.error().what() << "\n";
    co_return;
  }
  auto stream = co_await client->new_stream(*conn, "/example/echo/1.0.0");
  if (!stream) {
    std::cerr << "stream failed: " << stream.error().what() << "\n";
    co_return;
  }
  auto sent = co_await (*stream)->write(as_bytes("hello, agent"));
  auto closed = co_await (*stream)->close_write();
  auto reply = co_await core::read_to_end(**stream, 1024);
  if (sent && closed && reply) std::cout << "echoed: " << as_string_view(*reply) << "\n";

  co_await client->close();
  co_await server->close();
}

int main() {
  asio::io_context ctx;
  auto server = host::builder{}.build(ctx.get_executor());  // a fresh Ed25519 identity
  auto client = host::builder{}.build(ctx.get_executor());
  server->set_stream_handler("/example/echo/1.0.0", echo);
  asio::co_spawn(ctx, demo(server, client), [](std::exception_ptr e) {
    if (e) std::cerr << "unexpected exception\n";
  });
  ctx.run();
}
