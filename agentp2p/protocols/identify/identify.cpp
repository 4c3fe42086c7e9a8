#include "agentp2p/protocols/identify/identify.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::identify {

std::shared_ptr<service> service::start(std::shared_ptr<host::host> h, config cfg) {
  std::shared_ptr<service> s(new service(h, cfg));
  std::weak_ptr<service> weak = s;
  s->subscription_ = h->subscribe([weak](const host::event& e) {
    if (auto self = weak.lock()) self->on_event(e);
  });
  h->set_stream_handler(std::string(protocol_id), [weak](std::shared_ptr<host::stream> st) -> awaitable<void> {
    if (auto self = weak.lock()) co_await self->serve(std::move(st));
  });
  if (cfg.push)
    h->set_stream_handler(std::string(push_protocol_id), [weak](std::shared_ptr<host::stream> st) -> awaitable<void> {
      if (auto self = weak.lock()) co_await self->serve_push(std::move(st));
    });
  return s;
}

service::service(std::shared_ptr<host::host> h, config cfg) : host_(h), config_(cfg) {}

service::~service() {
  if (auto h = host_.lock()) {
    h->unsubscribe(subscription_);
    h->remove_stream_handler(protocol_id);
    h->remove_stream_handler(push_protocol_id);
  }
}

void service::on_event(const host::event& e) {
  auto h = host_.lock();
  if (!h) return;
  std::weak_ptr<service> weak = weak_from_this();
  if (const auto* opened = std::get_if<host::connection_opened>(&e)) {
    auto conn = opened->conn;
    h->spawn([](std::weak_ptr<service> w, std::shared_ptr<host::connection> c) -> awaitable<void> {
      if (auto self = w.lock()) co_await self->identify_task(std::move(c));
    }(weak, conn), "identify");
  } else if (const auto* gone = std::get_if<host::peer_disconnected>(&e)) {
    identified_.erase(gone->peer);
  } else if (std::holds_alternative<host::protocols_changed>(e) && config_.push) {
    for (auto& conn : h->connections())
      h->spawn([](std::weak_ptr<service> w, std::shared_ptr<host::connection> c) -> awaitable<void> {
        if (auto self = w.lock()) co_await self->push_to(std::move(c));
      }(weak, conn), "identify push");
  }
}

message service::our_message(const host::connection_info& conn) const {
  message m;
  auto h = host_.lock();
  if (!h) return m;
  m.protocol_version = h->settings().protocol_version;
  m.agent_version = h->settings().agent_version;
  m.public_key = h->public_key();
  m.listen_addrs = h->listen_addresses();
  m.has_listen_addrs = true;
  m.observed_addr = conn.remote_addr;
  m.protocols = h->protocols();
  m.has_protocols = true;
  return m;
}

awaitable<void> service::serve(std::shared_ptr<host::stream> s) {
  auto payload = encode(our_message(s->connection()));
  auto sent = co_await with_deadline(core::write_length_prefixed(*s, payload), config_.timeout, "identify reply");
  if (!sent) {
    s->reset();
    co_return;
  }
  // Our own client closes its side at once; js-libp2p waits for our FIN.
  auto remote_done = co_await with_deadline(core::read_to_end(*s, 0), config_.close_grace, "identify close");
  (void)co_await s->close_write();
  // Dropping the stream before the requester has closed would reset it and
  // could discard the reply it has not read yet.
  if (!remote_done) (void)co_await with_deadline(core::read_to_end(*s, 0), config_.timeout, "identify close");
}

awaitable<result<message>> service::read_messages(host::stream& s) {
  // Some implementations split a large identify into several messages; read
  // them all until the peer closes, within one size budget.
  message merged;
  std::size_t budget = config_.max_message_size;
  for (bool first = true;; first = false) {
    auto frame = co_await core::read_length_prefixed(s, budget);
    if (!frame) {
      if (!first && frame.error().is(errc::end_of_stream)) break;
      co_return std::move(frame).error();
    }
    budget -= std::min(budget, frame->size());
    AP_CO_TRY(auto m, decode(*frame));
    merge(merged, std::move(m));
  }
  co_return merged;
}

awaitable<result<peer_info>> service::identify(std::shared_ptr<host::connection> conn) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "identify: host is gone");
  auto exchange = [](std::shared_ptr<service> self, std::shared_ptr<host::host> h,
                     std::shared_ptr<host::connection> conn) -> awaitable<result<peer_info>> {
    AP_CO_TRY(auto s, co_await h->new_stream(conn, protocol_id));
    (void)co_await s->close_write();
    AP_CO_TRY(auto m, co_await self->read_messages(*s));
    if (m.public_key && !conn->remote_peer().matches(*m.public_key))
      co_return make_error(errc::protocol_error, "identify: " + conn->remote_peer().to_string() +
                                                     " sent a public key that is not its own");
    co_return self->apply(conn->remote_peer(), std::move(m));
  };
  co_return co_await with_deadline(exchange(shared_from_this(), h, std::move(conn)), config_.timeout,
                                   "identify");
}

awaitable<void> service::identify_task(std::shared_ptr<host::connection> conn) {
  auto r = co_await identify(conn);
  if (!r) log::debug("identify of " + conn->remote_peer().to_string() + " failed: " + r.error().what());
}

awaitable<void> service::serve_push(std::shared_ptr<host::stream> s) {
  auto m = co_await with_deadline(read_messages(*s), config_.timeout, "identify push");
  if (!m) {
    log::debug("identify push from " + s->remote_peer().to_string() + " failed: " + m.error().what());
    s->reset();
    co_return;
  }
  if (m->public_key && !s->remote_peer().matches(*m->public_key)) {
    s->reset();
    co_return;
  }
  apply(s->remote_peer(), std::move(*m));
  (void)co_await s->close_write();
}

awaitable<void> service::push_to(std::shared_ptr<host::connection> conn) {
  auto h = host_.lock();
  if (!h || conn->is_closed()) co_return;
  // Only peers that told us they accept pushes get one.
  if (!h->peers().supports(conn->remote_peer(), push_protocol_id)) {
    log::debug("not pushing identify to " + conn->remote_peer().to_string() + ": it does not accept pushes");
    co_return;
  }
  auto s = co_await h->new_stream(conn, push_protocol_id);
  if (!s) {
    log::debug("identify push to " + conn->remote_peer().to_string() + " failed: " + s.error().what());
    co_return;
  }
  auto payload = encode(our_message(conn->info()));
  auto sent = co_await with_deadline(core::write_length_prefixed(**s, payload), config_.timeout, "identify push");
  if (!sent) co_return;
  co_await core::finish(**s, config_.timeout);
}

peer_info service::apply(const crypto::peer_id& peer, message&& m) {
  auto h = host_.lock();
  auto& info = identified_.try_emplace(peer, peer_info{peer, {}, {}, {}, {}, {}}).first->second;
  if (m.protocol_version) info.protocol_version = std::move(*m.protocol_version);
  if (m.agent_version) info.agent_version = std::move(*m.agent_version);
  if (m.has_listen_addrs) info.listen_addrs = std::move(m.listen_addrs);
  if (m.has_protocols) info.protocols = std::move(m.protocols);
  if (m.observed_addr) info.observed_addr = std::move(m.observed_addr);
  if (h) {
    auto& store = h->peers();
    if (m.public_key) store.set_public_key(peer, *m.public_key);
    store.set_agent(peer, info.agent_version, info.protocol_version);
    store.add_addrs(peer, info.listen_addrs);
    store.set_protocols(peer, info.protocols);
    if (info.observed_addr) store.set_observed_addr(peer, *info.observed_addr);
  }
  auto snapshot = listeners_;
  for (auto& [_, l] : snapshot) l(info);
  auto [first, last] = waiters_.equal_range(peer);
  std::vector<std::function<void()>> wake;
  for (auto it = first; it != last; ++it) wake.push_back(it->second);
  for (auto& w : wake) w();
  return info;
}

awaitable<result<peer_info>> service::wait_identified(const crypto::peer_id& peer, std::chrono::milliseconds limit) {
  if (auto known = identified(peer)) co_return *known;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  auto it = waiters_.emplace(peer, [&timer] { timer.cancel(); });
  // Woken early (cancelled) by apply(), or by the deadline: either way, look again.
  (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  waiters_.erase(it);
  if (auto known = identified(peer)) co_return *known;
  co_return make_error(errc::timeout, "identify of " + peer.to_string() + " did not complete within " +
                                          describe_duration(limit));
}

std::optional<peer_info> service::identified(const crypto::peer_id& peer) const {
  auto it = identified_.find(peer);
  if (it == identified_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t service::on_identified(listener l) {
  auto token = next_listener_++;
  listeners_.emplace(token, std::move(l));
  return token;
}

}  // namespace agentp2p::identify
