#include "agentp2p/daemon/p2pd/control_socket.hpp"

#include <sys/stat.h>

#include <array>
#include <filesystem>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/transport/tcp/socket_stream.hpp"
#include "agentp2p/transport/tcp/tcp_transport.hpp"

namespace agentp2p::p2pd {

namespace {

using multiformats::multiaddr;
using multiformats::protocol_code;
using local_socket = asio::local::stream_protocol::socket;

// A byte_stream over a connected unix domain socket.
class unix_stream final : public core::byte_stream {
 public:
  explicit unix_stream(local_socket s) : socket_(std::move(s)) {}
  ~unix_stream() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  executor get_executor() const override { return const_cast<local_socket&>(socket_).get_executor(); }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "unix read: socket closed");
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf.data(), buf.size()),
                                                     asio::as_tuple(asio::use_awaitable));
    if (n > 0) co_return n;
    if (ec) co_return tcp::socket_error(ec, "unix read");
    co_return make_error(errc::end_of_stream, "unix read: closed by peer");
  }

  awaitable<result<void>> write(byte_span data) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "unix write: socket closed");
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec) co_return tcp::socket_error(ec, "unix write");
    co_return ok();
  }

  awaitable<result<void>> close_write() override {
    boost::system::error_code ec;
    socket_.shutdown(local_socket::shutdown_send, ec);
    if (ec && ec != asio::error::not_connected) co_return tcp::socket_error(ec, "unix shutdown");
    co_return ok();
  }

  void reset() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  local_socket socket_;
};

std::optional<std::string> unix_path(const multiaddr& addr) {
  auto parts = addr.components();
  if (parts.size() != 1 || parts[0].code != protocol_code::unix_path) return std::nullopt;
  return parts[0].value_string();
}

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

class unix_listener final : public control_listener {
 public:
  unix_listener(asio::local::stream_protocol::acceptor a, std::string path, multiaddr addr)
      : acceptor_(std::move(a)), path_(std::move(path)), addr_(std::move(addr)) {}
  ~unix_listener() override { close(); }

  awaitable<result<std::unique_ptr<core::byte_stream>>> accept() override {
    for (;;) {
      if (!acceptor_.is_open()) co_return make_error(errc::cancelled, "control socket closed");
      auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (!ec) co_return std::unique_ptr<core::byte_stream>(std::make_unique<unix_stream>(std::move(s)));
      if (ec == asio::error::connection_aborted) continue;
      co_return tcp::socket_error(ec, "control socket accept");
    }
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::error_code fs_ignored;
    std::filesystem::remove(path_, fs_ignored);
  }

  multiaddr address() const override { return addr_; }

 private:
  asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  multiaddr addr_;
  bool closed_ = false;
};

class tcp_control_listener final : public control_listener {
 public:
  tcp_control_listener(std::unique_ptr<tcp::tcp_transport> t, std::unique_ptr<core::listener> l)
      : transport_(std::move(t)), listener_(std::move(l)) {}
  ~tcp_control_listener() override { close(); }

  awaitable<result<std::unique_ptr<core::byte_stream>>> accept() override {
    auto c = co_await listener_->accept();
    if (!c) co_return std::move(c).error();
    co_return std::move(c->stream);
  }
  void close() override { listener_->close(); }
  multiaddr address() const override { return listener_->local_address(); }

 private:
  std::unique_ptr<tcp::tcp_transport> transport_;
  std::unique_ptr<core::listener> listener_;
};

result<std::unique_ptr<control_listener>> listen_unix(executor ex, const multiaddr& addr, const std::string& path) {
  if (is_socket(path)) {
    // A socket file left by a daemon that died; one that still answers is in use.
    local_socket probe(ex);
    boost::system::error_code ec;
    probe.connect(asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) return make_error(errc::already_exists, "control socket " + path + " is in use by another process");
    std::error_code fs_ec;
    std::filesystem::remove(path, fs_ec);
    log::info("p2pd: replaced stale control socket " + path);
  }
  asio::local::stream_protocol::acceptor acceptor(ex);
  boost::system::error_code ec;
  acceptor.open(asio::local::stream_protocol(), ec);
  if (!ec) acceptor.bind(asio::local::stream_protocol::endpoint(path), ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(errc::io_error, "control socket " + path + ": " + ec.message());
  // Only our user may talk to the daemon.
  ::chmod(path.c_str(), 0600);
  return std::unique_ptr<control_listener>(std::make_unique<unix_listener>(std::move(acceptor), path, addr));
}

awaitable<void> pump(core::byte_stream& from, core::byte_stream& to) {
  std::vector<std::uint8_t> buf(64 * 1024);
  for (;;) {
    auto n = co_await from.read_some(buf);
    if (!n) {
      if (n.error().is(errc::end_of_stream)) {
        auto closed = co_await to.close_write();
        (void)closed;
      } else {
        from.reset();
        to.reset();
      }
      co_return;
    }
    auto w = co_await to.write(byte_span(buf.data(), *n));
    if (!w) {
      from.reset();
      to.reset();
      co_return;
    }
  }
}

awaitable<result<std::unique_ptr<core::byte_stream>>> dial_unix(std::string path) {
  local_socket s(co_await asio::this_coro::executor);
  auto [ec] = co_await s.async_connect(asio::local::stream_protocol::endpoint(path),
                                       asio::as_tuple(asio::use_awaitable));
  if (ec) co_return tcp::socket_error(ec, "dial " + path);
  co_return std::unique_ptr<core::byte_stream>(std::make_unique<unix_stream>(std::move(s)));
}

awaitable<result<std::unique_ptr<core::byte_stream>>> dial_tcp(multiaddr addr) {
  tcp::tcp_transport t(co_await asio::this_coro::executor);
  auto c = co_await t.dial(addr);
  if (!c) co_return std::move(c).error();
  co_return std::move(c->stream);
}

}  // namespace

result<std::unique_ptr<control_listener>> control_listener::listen(executor ex, const multiaddr& addr) {
  if (auto path = unix_path(addr)) return listen_unix(ex, addr, *path);
  auto t = std::make_unique<tcp::tcp_transport>(ex);
  if (!t->can_listen(addr) || addr.has(protocol_code::p2p))
    return make_error(errc::invalid_argument, "control endpoint must be /unix/<path> or an ip/tcp address, not " +
                                                  addr.to_string());
  AP_TRY(auto l, t->listen(addr));
  return std::unique_ptr<control_listener>(std::make_unique<tcp_control_listener>(std::move(t), std::move(l)));
}

awaitable<result<std::unique_ptr<core::byte_stream>>> dial_endpoint(multiaddr addr, std::chrono::milliseconds limit) {
  if (auto path = unix_path(addr)) {
    auto what = "dial " + *path;
    co_return co_await with_deadline(dial_unix(*path), limit, what);
  }
  tcp::tcp_transport probe(co_await asio::this_coro::executor);
  if (!probe.can_dial(addr) || addr.has(protocol_code::p2p))
    co_return make_error(errc::invalid_argument, "handler address must be /unix/<path> or an ip/tcp address, not " +
                                                     addr.to_string());
  auto what = "dial " + addr.to_string();
  co_return co_await with_deadline(dial_tcp(std::move(addr)), limit, what);
}

awaitable<void> splice(core::byte_stream& a, core::byte_stream& b) {
  using namespace asio::experimental::awaitable_operators;
  co_await (pump(a, b) && pump(b, a));
}

}  // namespace agentp2p::p2pd
