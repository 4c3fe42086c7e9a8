#include "agentp2p/protocols/mdns/mdns.hpp"

#include <algorithm>

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/log.hpp"
#include "agentp2p/protocols/mdns/network_interfaces.hpp"

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

namespace agentp2p::mdns {

using multiformats::multiaddr;
using multiformats::protocol_code;
using udp = asio::ip::udp;

// One socket on one interface and address family.
struct service::link {
  link(executor ex, network_interface i, bool six) : socket(std::move(ex)), iface(std::move(i)), v6(six) {}
  udp::socket socket;
  network_interface iface;
  bool v6;
  udp::endpoint group;
  interface_view view;
  clock::time_point view_at{};
  std::string label() const { return iface.name + (v6 ? "/ipv6" : "/ipv4"); }
};

// A timer a loop sleeps on, which the service pokes (cancel) to wake it early.
struct service::wakeup {
  explicit wakeup(executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  bool stopped = false;
};

namespace {

// The socket options of one mDNS link; returns a message for the log on failure.
result<void> setup_socket(udp::socket& s, const network_interface& iface, bool v6, std::uint16_t port,
                          udp::endpoint& group) {
  boost::system::error_code ec;
  const int one = 1;
  const int zero = 0;
  auto fail = [&](std::string what) {
    return make_error(errc::io_error, "mdns: " + what + " on " + iface.name + ": " + ec.message());
  };
  s.open(v6 ? udp::v6() : udp::v4(), ec);
  if (ec) return fail("open");
  s.set_option(udp::socket::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR");
  if (::setsockopt(s.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    ec.assign(errno, boost::system::system_category());
    return fail("SO_REUSEPORT");
  }
  if (v6) {
    s.set_option(asio::ip::v6_only(true), ec);
    // Only the groups this socket joined (on its interface) reach it.
    (void)::setsockopt(s.native_handle(), IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof zero);
    auto addr = asio::ip::make_address_v6(std::string(multicast_ipv6));
    group = udp::endpoint(asio::ip::address_v6(addr.to_bytes(), iface.index), port);
    s.bind(udp::endpoint(asio::ip::address_v6::any(), port), ec);
    if (ec) return fail("bind");
    ipv6_mreq mreq{};
    auto b = addr.to_bytes();
    std::copy(b.begin(), b.end(), reinterpret_cast<std::uint8_t*>(&mreq.ipv6mr_multiaddr));
    mreq.ipv6mr_interface = iface.index;
    if (::setsockopt(s.native_handle(), IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) != 0) {
      ec.assign(errno, boost::system::system_category());
      return fail("joining ff02::fb");
    }
    const unsigned index = iface.index;
    if (::setsockopt(s.native_handle(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0) {
      ec.assign(errno, boost::system::system_category());
      return fail("IPV6_MULTICAST_IF");
    }
  } else {
    (void)::setsockopt(s.native_handle(), IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero);
    auto addr = asio::ip::make_address_v4(std::string(multicast_ipv4));
    group = udp::endpoint(addr, port);
    // Bound to the group address: unicast traffic to the port is not ours.
    s.bind(group, ec);
    if (ec) return fail("bind");
    ip_mreqn mreq{};
    mreq.imr_multiaddr.s_addr = htonl(addr.to_uint());
    mreq.imr_ifindex = static_cast<int>(iface.index);
    if (::setsockopt(s.native_handle(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
      ec.assign(errno, boost::system::system_category());
      return fail("joining 224.0.0.251");
    }
    if (::setsockopt(s.native_handle(), IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq) != 0) {
      ec.assign(errno, boost::system::system_category());
      return fail("IP_MULTICAST_IF");
    }
  }
  // Other nodes on this machine must hear us too.
  s.set_option(asio::ip::multicast::enable_loopback(true), ec);
  if (ec) return fail("multicast loopback");
  s.set_option(asio::ip::multicast::hops(255), ec);
  if (ec) return fail("multicast hops");
  return ok();
}

}  // namespace

service::service(std::shared_ptr<host::host> h, config cfg)
    : host_(h), config_(cfg), engine_(cfg, h->id(), cfg.peer_name) {}

result<std::shared_ptr<service>> service::start(std::shared_ptr<host::host> h, config cfg) {
  std::shared_ptr<service> self(new service(h, std::move(cfg)));
  AP_TRYV(self->open_links());
  std::weak_ptr<service> weak = self;
  self->host_token_ = h->subscribe([weak](const host::event& e) {
    if (auto s = weak.lock()) s->on_host_event(e);
  });
  self->query_wakeup_ = std::make_shared<wakeup>(h->get_executor());
  self->discovery_wakeup_ = std::make_shared<wakeup>(h->get_executor());
  for (auto& l : self->links_) h->spawn(receive_loop(weak, l), "mdns receive " + l->label());
  if (!self->links_.empty()) {
    h->spawn(query_loop(weak, self->query_wakeup_), "mdns queries");
    h->spawn(discovery_loop(weak, self->discovery_wakeup_), "mdns discoveries");
    std::string names;
    for (const auto& n : self->links()) names += (names.empty() ? "" : ", ") + n;
    log::info("mdns: peer name " + self->peer_name() + " on " + names);
  }
  return self;
}

result<void> service::open_links() {
  auto h = host_.lock();
  std::vector<std::string> problems;
  for (const auto& name : config_.interfaces) {
    auto iface = find_interface(name);
    if (!iface || iface->index == 0) {
      problems.push_back("no interface named \"" + name + "\"");
      continue;
    }
    for (bool v6 : {false, true}) {
      if (v6 && (!config_.ipv6 || !iface->has_ipv6)) continue;
      auto l = std::make_shared<link>(h->get_executor(), *iface, v6);
      auto r = setup_socket(l->socket, l->iface, v6, config_.port, l->group);
      if (!r) {
        problems.push_back(r.error().message);
        continue;
      }
      links_.push_back(std::move(l));
    }
  }
  for (const auto& p : problems) log::warn(p);
  if (!config_.interfaces.empty() && links_.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return make_error(errc::not_found, "mdns: no usable interface (" + all + ")");
  }
  return ok();
}

service::~service() { stop(); }

void service::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (auto h = host_.lock()) h->unsubscribe(host_token_);
  for (auto& l : links_) {
    boost::system::error_code ec;
    l->socket.close(ec);
  }
  for (auto* w : {&query_wakeup_, &discovery_wakeup_}) {
    if (!*w) continue;
    (*w)->stopped = true;
    (*w)->timer.cancel();
  }
}

std::vector<std::string> service::links() const {
  std::vector<std::string> out;
  for (const auto& l : links_) out.push_back(l->label());
  return out;
}

std::uint64_t service::on_peer_found(listener l) {
  auto token = next_listener_++;
  listeners_.emplace(token, std::move(l));
  return token;
}

void service::remove_listener(std::uint64_t token) { listeners_.erase(token); }

// ---- what we announce ---------------------------------------------------------

interface_view service::make_view(const link& l) const {
  interface_view v;
  v.name = l.iface.name;
  v.index = l.iface.index;
  auto h = host_.lock();
  if (!h) return v;
  // The interface's current addresses (they may change while we run).
  auto now = find_interface(l.iface.name);
  const network_interface& iface = now ? *now : l.iface;
  const auto p2p = multiaddr::parse("/p2p/" + h->id().to_string());
  bool have_port = false;
  for (const auto& addr : h->listen_addresses()) {
    if (addr.has(protocol_code::p2p_circuit)) continue;
    auto parts = addr.components();
    if (parts.empty()) continue;
    const auto& ip = parts[0].value;
    const std::vector<bytes>* own = parts[0].code == protocol_code::ip4   ? &iface.ipv4
                                    : parts[0].code == protocol_code::ip6 ? &iface.ipv6
                                                                          : nullptr;
    if (!own || std::find(own->begin(), own->end(), ip) == own->end()) continue;
    if (v.addrs.size() >= config_.max_addrs) break;
    v.addrs.push_back(p2p ? addr.encapsulate(*p2p) : addr);
    if (std::find(v.ips.begin(), v.ips.end(), ip) == v.ips.end()) v.ips.push_back(ip);
    if (!have_port && parts.size() > 1 && parts[1].code == protocol_code::tcp && parts[1].value.size() == 2) {
      v.port = static_cast<std::uint16_t>((parts[1].value[0] << 8) | parts[1].value[1]);
      have_port = true;
    }
  }
  return v;
}

interface_view service::view_of(const std::string& name) const {
  for (const auto& l : links_)
    if (l->iface.name == name) return make_view(*l);
  return {};
}

// ---- the loops ------------------------------------------------------------------

void service::handle(link& l, byte_span packet, const std::string& source, bool legacy,
                     std::vector<engine::reply>& out) {
  const auto now = clock::now();
  // Interface addresses are looked up again at most once a second.
  if (l.view_at == clock::time_point{} || now - l.view_at >= std::chrono::seconds(1)) {
    l.view = make_view(l);
    l.view_at = now;
  }
  const auto waiting = engine_.pending();
  out = engine_.on_packet(packet, l.view, source, legacy, now);
  if (engine_.pending() > waiting && discovery_wakeup_) discovery_wakeup_->timer.cancel();
}

awaitable<void> service::receive_loop(std::weak_ptr<service> weak, std::shared_ptr<link> l) {
  // One byte more than the largest packet we accept, to notice bigger ones.
  std::vector<std::uint8_t> buf(9001);
  for (;;) {
    udp::endpoint from;
    auto [ec, n] = co_await l->socket.async_receive_from(asio::buffer(buf), from, asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !l->socket.is_open()) co_return;
    if (ec) {
      log::debug("mdns: receive on " + l->label() + " failed: " + ec.message());
      asio::steady_timer pause(l->socket.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    std::vector<engine::reply> replies;
    {
      auto self = weak.lock();
      if (!self || self->stopped_) co_return;
      const bool legacy = from.port() != self->config_.port;
      self->handle(*l, byte_span(buf.data(), n), from.address().to_string(), legacy, replies);
    }
    for (auto& r : replies) {
      const udp::endpoint to = r.unicast ? from : l->group;
      auto [sec, sent] = co_await l->socket.async_send_to(asio::buffer(r.packet), to,
                                                           asio::as_tuple(asio::use_awaitable));
      if (sec) log::debug("mdns: answer on " + l->label() + " failed: " + sec.message());
    }
  }
}

awaitable<void> service::send_queries(std::shared_ptr<link> l, std::vector<bytes> packets) {
  for (auto& p : packets) {
    auto [ec, n] = co_await l->socket.async_send_to(asio::buffer(p), l->group, asio::as_tuple(asio::use_awaitable));
    if (ec && l->socket.is_open()) log::debug("mdns: query on " + l->label() + " failed: " + ec.message());
  }
}

void service::query_now() {
  auto h = host_.lock();
  if (!h || stopped_) return;
  const auto packets = engine_.queries();
  for (auto& l : links_) {
    l->view = make_view(*l);
    l->view_at = clock::now();
    h->spawn(send_queries(l, packets), "mdns query " + l->label());
  }
}

awaitable<void> service::query_loop(std::weak_ptr<service> weak, std::shared_ptr<wakeup> w) {
  for (;;) {
    std::chrono::milliseconds interval;
    {
      auto self = weak.lock();
      if (!self || w->stopped) co_return;
      self->query_now();
      interval = std::max(self->config_.query_interval, std::chrono::milliseconds(10));
    }
    w->timer.expires_after(interval);
    (void)co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

awaitable<void> service::discovery_loop(std::weak_ptr<service> weak, std::shared_ptr<wakeup> w) {
  for (;;) {
    clock::time_point when;
    {
      auto self = weak.lock();
      if (!self || w->stopped) co_return;
      const auto now = clock::now();
      while (auto f = self->engine_.next(now)) self->act(*f);
      when = self->engine_.next_ready(now);
      if (when == clock::time_point::max()) when = now + std::chrono::hours(1);
    }
    w->timer.expires_at(when);
    (void)co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

// ---- discovered peers -----------------------------------------------------------

void service::act(const found_peer& f) {
  auto h = host_.lock();
  if (!h || f.peer == h->id()) return;
  h->peers().add_addrs(f.peer, f.addrs);
  log::debug("mdns: found " + f.peer.to_string() + " (" + std::to_string(f.addrs.size()) + " addresses, " +
             f.service + ")");
  const peer_found event{f.peer, f.addrs, f.service};
  auto snapshot = listeners_;
  for (auto& [_, l] : snapshot) l(event);
  if (config_.dial && !h->is_connected(f.peer)) h->spawn(dial(host_, f.peer), "mdns dial " + f.peer.short_string());
}

awaitable<void> service::dial(std::weak_ptr<host::host> weak, crypto::peer_id peer) {
  auto h = weak.lock();
  if (!h) co_return;
  auto r = co_await h->connect(peer);
  if (!r) log::debug("mdns: could not connect to " + peer.to_string() + ": " + r.error().what());
}

void service::on_host_event(const host::event& e) {
  if (const auto* d = std::get_if<host::peer_disconnected>(&e)) engine_.forget(d->peer);
}

}  // namespace agentp2p::mdns
