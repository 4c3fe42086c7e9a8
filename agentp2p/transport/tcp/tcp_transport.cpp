#include "agentp2p/transport/tcp/tcp_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/transport/tcp/socket_stream.hpp"

namespace agentp2p::tcp {

using multiformats::multiaddr;
using multiformats::protocol_code;
namespace ip = asio::ip;

namespace {

// The host part and port of a TCP multiaddr.
struct tcp_target {
  protocol_code host_kind;  // ip4, ip6, dns, dns4, dns6
  std::string host;
  std::uint16_t port = 0;
};

std::optional<tcp_target> to_target(const multiaddr& addr) {
  auto parts = addr.components();
  if (parts.size() < 2) return std::nullopt;
  const auto& h = parts[0];
  const auto& t = parts[1];
  if (t.code != protocol_code::tcp) return std::nullopt;
  switch (h.code) {
    case protocol_code::ip4:
    case protocol_code::ip6:
    case protocol_code::dns:
    case protocol_code::dns4:
    case protocol_code::dns6:
      break;
    default:
      return std::nullopt;
  }
  // Only /p2p/<id> may follow; anything else (ws, tls, ...) is another transport.
  for (std::size_t i = 2; i < parts.size(); ++i)
    if (parts[i].code != protocol_code::p2p) return std::nullopt;
  if (t.value.size() != 2) return std::nullopt;
  tcp_target target{h.code, h.value_string(), static_cast<std::uint16_t>(t.value[0] << 8 | t.value[1])};
  return target;
}

multiaddr to_multiaddr(const ip::tcp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  std::string text = (a.is_v4() ? "/ip4/" : "/ip6/") + a.to_string() + "/tcp/" + std::to_string(ep.port());
  auto m = multiaddr::parse(text);
  return m ? *m : multiaddr{};
}

class tcp_listener final : public core::listener {
 public:
  tcp_listener(ip::tcp::acceptor acceptor, multiaddr local) : acceptor_(std::move(acceptor)), local_(std::move(local)) {}

  multiaddr local_address() const override { return local_; }

  awaitable<result<core::raw_connection>> accept() override {
    for (;;) {
      if (!acceptor_.is_open()) co_return make_error(errc::closed, "tcp listener closed");
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor_.is_open())
        co_return make_error(errc::closed, "tcp listener closed");
      // Transient per-connection failures (the client gave up, fd limits) must
      // not end the listener; report them and keep accepting.
      if (ec == asio::error::connection_aborted || ec == asio::error::connection_reset) continue;
      if (ec) co_return socket_error(ec, "tcp accept");
      boost::system::error_code e1, e2;
      auto remote = socket.remote_endpoint(e1);
      auto local = socket.local_endpoint(e2);
      if (e1 || e2) continue;  // already disconnected
      core::raw_connection conn{make_socket_stream(std::move(socket)), to_multiaddr(local), to_multiaddr(remote)};
      co_return conn;
    }
  }

  void close() override {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  ip::tcp::acceptor acceptor_;
  multiaddr local_;
};

}  // namespace

tcp_transport::tcp_transport(executor ex, config cfg) : executor_(std::move(ex)), config_(cfg) {}

bool tcp_transport::can_dial(const multiaddr& addr) const { return to_target(addr).has_value(); }

bool tcp_transport::can_listen(const multiaddr& addr) const {
  auto t = to_target(addr);
  return t && (t->host_kind == protocol_code::ip4 || t->host_kind == protocol_code::ip6);
}

awaitable<result<core::raw_connection>> tcp_transport::dial(const multiaddr& addr) {
  auto target = to_target(addr);
  if (!target) co_return make_error(errc::unsupported, "tcp: cannot dial " + addr.to_string());

  std::vector<ip::tcp::endpoint> endpoints;
  if (target->host_kind == protocol_code::ip4 || target->host_kind == protocol_code::ip6) {
    boost::system::error_code ec;
    auto a = ip::make_address(target->host, ec);
    if (ec) co_return make_error(errc::invalid_argument, "tcp: bad address " + target->host);
    endpoints.emplace_back(a, target->port);
  } else {
    ip::tcp::resolver resolver(executor_);
    auto [ec, found] = co_await resolver.async_resolve(target->host, std::to_string(target->port),
                                                       asio::as_tuple(asio::use_awaitable));
    if (ec) co_return make_error(errc::not_found, "tcp: cannot resolve " + target->host + ": " + ec.message());
    for (const auto& entry : found) {
      auto a = entry.endpoint().address();
      if (target->host_kind == protocol_code::dns4 && !a.is_v4()) continue;
      if (target->host_kind == protocol_code::dns6 && !a.is_v6()) continue;
      endpoints.push_back(entry.endpoint());
    }
    if (endpoints.empty()) co_return make_error(errc::not_found, "tcp: no usable address for " + target->host);
  }

  agentp2p::error last = make_error(errc::connection_refused, "tcp: dial failed");
  for (const auto& ep : endpoints) {
    ip::tcp::socket socket(executor_);
    auto [ec] = co_await socket.async_connect(ep, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      last = socket_error(ec, "tcp dial " + addr.to_string());
      continue;
    }
    boost::system::error_code e1;
    auto local = socket.local_endpoint(e1);
    core::raw_connection conn{make_socket_stream(std::move(socket)), to_multiaddr(local), to_multiaddr(ep)};
    co_return conn;
  }
  co_return last;
}

result<std::unique_ptr<core::listener>> tcp_transport::listen(const multiaddr& addr) {
  auto target = to_target(addr);
  if (!target || !can_listen(addr)) return make_error(errc::unsupported, "tcp: cannot listen on " + addr.to_string());
  boost::system::error_code ec;
  auto a = ip::make_address(target->host, ec);
  if (ec) return make_error(errc::invalid_argument, "tcp: bad listen address " + target->host);
  ip::tcp::endpoint ep(a, target->port);
  ip::tcp::acceptor acceptor(executor_);
  acceptor.open(ep.protocol(), ec);
  if (ec) return from_system(ec, "tcp listen " + addr.to_string());
  acceptor.set_option(ip::tcp::acceptor::reuse_address(true), ec);
  // Keep IPv6 listeners IPv6-only so /ip4 and /ip6 can share a port number.
  if (a.is_v6()) acceptor.set_option(ip::v6_only(true), ec);
  acceptor.bind(ep, ec);
  if (ec) return from_system(ec, "tcp listen " + addr.to_string());
  acceptor.listen(config_.listen_backlog, ec);
  if (ec) return from_system(ec, "tcp listen " + addr.to_string());
  auto bound = acceptor.local_endpoint(ec);
  if (ec) return from_system(ec, "tcp listen " + addr.to_string());
  return std::unique_ptr<core::listener>(std::make_unique<tcp_listener>(std::move(acceptor), to_multiaddr(bound)));
}

}  // namespace agentp2p::tcp
