#include "tests/support/stream_pair.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/transport/tcp/socket_stream.hpp"

namespace agentp2p::test {

awaitable<stream_pair> make_stream_pair() {
  namespace ip = asio::ip;
  auto ex = co_await asio::this_coro::executor;
  ip::tcp::acceptor acceptor(ex, ip::tcp::endpoint(ip::make_address("127.0.0.1"), 0));
  ip::tcp::socket client(ex);
  co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
  auto server = co_await acceptor.async_accept(asio::use_awaitable);
  co_return stream_pair{tcp::make_socket_stream(std::move(client)), tcp::make_socket_stream(std::move(server))};
}

}  // namespace agentp2p::test
