#include "agentp2p/host/host.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/deadline_queue.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/host/interface_addrs.hpp"
#include "agentp2p/host/upgrader.hpp"
#include "agentp2p/multistream/multistream.hpp"

namespace agentp2p::host {

using multiformats::multiaddr;
using multiformats::protocol_code;

namespace {

counters::counter& gater_refused_address() {
  static auto& c = counters::get("host", "gater_refused_address", "connections refused by the gater for their IP address");
  return c;
}
counters::counter& inbound_rate_refused() {
  static auto& c = counters::limit("host", "inbound_per_ip_refused",
                                 "inbound connections refused by the per-IP rate or handshake limit");
  return c;
}
counters::counter& inbound_limit_refused() {
  static auto& c = counters::limit("host", "inbound_limit_refused",
                                 "inbound connections refused: too many handshakes or connections");
  return c;
}
counters::counter& stream_limit_refused() {
  static auto& c = counters::limit("host", "protocol_stream_limit_refused",
                                 "inbound streams reset: too many open streams of their protocol");
  return c;
}
counters::counter& per_peer_refused() {
  static auto& c = counters::limit("host", "connections_per_peer_refused",
                                   "inbound connections closed: the peer already had max_connections_per_peer");
  return c;
}
counters::counter& outbound_limit_refused() {
  static auto& c = counters::limit("host", "outbound_limit_refused", "dials refused: max_connections reached");
  return c;
}
counters::counter& negotiating_refused() {
  static auto& c = counters::limit("host", "negotiating_streams_refused",
                                   "inbound streams reset: too many still negotiating on their connection");
  return c;
}
counters::counter& dials_queued() {
  static auto& c = counters::limit("host", "dials_queued", "dials that waited for a slot: max_concurrent_dials in progress");
  return c;
}
counters::counter& gater_refused_peer() {
  static auto& c = counters::get("host", "gater_refused_peer", "connections refused by the gater for their peer id");
  return c;
}

}  // namespace

std::string_view to_string(direction d) noexcept { return d == direction::inbound ? "inbound" : "outbound"; }

struct host::pending_dial {
  explicit pending_dial(executor ex) : done(std::move(ex), asio::steady_timer::time_point::max()) {}
  asio::steady_timer done;
  std::optional<result<std::shared_ptr<connection>>> outcome;
};

host::host(executor ex, parts p)
    : executor_(ex),
      identity_(std::move(p.identity)),
      id_(crypto::peer_id::from_public_key(identity_.public_key())),
      config_(std::move(p.cfg)),
      transports_(std::move(p.transports)),
      security_(std::move(p.security)),
      muxers_(std::move(p.muxers)),
      gater_(config_.gater),
      inbound_limiter_(config_.inbound),
      peers_(config_.peer_store),
      deadlines_(deadline_queue::create(ex)),
      tasks_(ex) {}

host::~host() = default;

void host::spawn(awaitable<void> task, std::string name) {
  // The task holds the host alive for as long as it runs.
  auto keep_alive = [](std::shared_ptr<host>, awaitable<void> t) -> awaitable<void> { co_await std::move(t); };
  tasks_.spawn(keep_alive(shared_from_this(), std::move(task)), std::move(name));
}

// ---- listening ----------------------------------------------------------

result<multiaddr> host::listen(const multiaddr& addr) {
  if (closed_) return make_error(errc::closed, "host is closed");
  for (auto& t : transports_) {
    if (!t->can_listen(addr)) continue;
    AP_TRY(auto l, t->listen(addr));
    std::shared_ptr<core::listener> shared(std::move(l));
    listeners_.push_back(shared);
    spawn(accept_loop(shared), "accept " + addr.to_string());
    return shared->local_address();
  }
  return make_error(errc::unsupported, "no transport can listen on " + addr.to_string());
}

std::vector<multiaddr> host::listen_addresses() const {
  std::vector<multiaddr> out;
  for (const auto& l : listeners_)
    for (auto& a : expand_wildcard(l->local_address())) out.push_back(std::move(a));
  return out;
}

awaitable<void> host::accept_loop(std::shared_ptr<core::listener> l) {
  while (!closed_) {
    auto raw = co_await l->accept();
    if (!raw) {
      if (raw.error().is(errc::closed) || closed_) co_return;
      log::warn("accept on " + l->local_address().to_string() + " failed: " + raw.error().what());
      // Out of descriptors or similar: back off instead of spinning.
      asio::steady_timer pause(executor_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (auto why = gater_.refuse_address(raw->remote_addr)) {
      counters::count_and_log(gater_refused_address(), "gater: refusing inbound connection: " + *why);
      raw->stream->reset();
      continue;
    }
    if (pending_inbound_ >= config_.max_pending_inbound || conn_count_ >= config_.max_connections) {
      counters::count_and_log(inbound_limit_refused(), "refusing inbound connection from " +
                                                           raw->remote_addr.to_string() + ": connection limit reached");
      raw->stream->reset();
      continue;
    }
    auto ip = inbound_limiter::ip_key(raw->remote_addr);
    if (auto why = inbound_limiter_.admit(ip, std::chrono::steady_clock::now())) {
      counters::count_and_log(inbound_rate_refused(),
                              "refusing inbound connection from " + raw->remote_addr.to_string() + ": " + *why);
      raw->stream->reset();
      continue;
    }
    spawn(handle_inbound(std::move(*raw), std::move(ip)), "inbound upgrade");
  }
}

awaitable<void> host::handle_inbound(core::raw_connection raw, std::string ip) {
  // Gives the IP's handshake slot back however this ends (cancellation included).
  struct release_ip {
    inbound_limiter& limiter;
    std::string ip;
    ~release_ip() { limiter.release(ip); }
  } releaser{inbound_limiter_, ip};
  ++pending_inbound_;
  const std::string from = raw.remote_addr.to_string();
  auto stage = upgrade_stage::pnet;
  upgrader up(security_, muxers_, config_.psk, stage);
  auto result = co_await with_deadline(up.inbound(std::move(raw.stream)), config_.upgrade_timeout,
                                       "inbound handshake from " + from);
  --pending_inbound_;
  if (!result) {
    auto e = upgrader::explain(std::move(result).error(), stage, config_.psk.has_value());
    // A private network's refusals are worth seeing at the default level.
    if (config_.psk && stage <= upgrade_stage::security_handshake)
      log::info("inbound connection from " + from + " failed: " + e.what());
    else
      log::debug("inbound connection from " + from + " failed: " + e.what());
    co_return;
  }
  if (auto why = gater_.refuse_peer(result->remote_peer)) {
    counters::count_and_log(gater_refused_peer(), "gater: closing inbound connection from " + from + ": " + *why);
    co_await result->muxed->close();
    co_return;
  }
  if (closed_) {
    co_await result->muxed->close();
    co_return;
  }
  if (conn_count_ >= config_.max_connections) {
    counters::count_and_log(inbound_limit_refused(), "closing inbound connection from " +
                                                         result->remote_peer.to_string() + " at " + from + ": " +
                                                         std::to_string(conn_count_) + " connections open (limit " +
                                                         std::to_string(config_.max_connections) + ")");
    co_await result->muxed->close();
    co_return;
  }
  if (auto n = connections_to(result->remote_peer).size(); n >= config_.max_connections_per_peer) {
    counters::count_and_log(per_peer_refused(), "closing inbound connection from " +
                                                    result->remote_peer.to_string() + " at " + from + ": it has " +
                                                    std::to_string(n) + " connections already (limit " +
                                                    std::to_string(config_.max_connections_per_peer) + ")");
    co_await result->muxed->close();
    co_return;
  }
  connection_info info{next_conn_id_++, result->remote_peer,       result->remote_key,
                       raw.local_addr,  raw.remote_addr,           direction::inbound,
                       result->security, result->muxer,            std::chrono::steady_clock::now()};
  adopt(std::make_shared<connection>(std::move(info), std::move(result->muxed)));
}

// ---- dialing ------------------------------------------------------------

awaitable<result<std::shared_ptr<connection>>> host::connect(const multiaddr& addr) {
  if (auto p = addr.find(protocol_code::p2p)) {
    AP_CO_TRY(auto id, crypto::peer_id::from_bytes(p->value));
    co_return co_await shared_dial(id, addr);
  }
  co_return co_await dial_addr(addr, std::nullopt);
}

awaitable<result<std::shared_ptr<connection>>> host::connect(const crypto::peer_id& peer) {
  return shared_dial(peer, std::nullopt);
}

// One dial per peer at a time: later callers wait for the first one's outcome.
// A caller with an address of its own tries it if the shared dial failed.
awaitable<result<std::shared_ptr<connection>>> host::shared_dial(const crypto::peer_id& peer,
                                                                 std::optional<multiaddr> addr) {
  if (peer == id_) co_return make_error(errc::invalid_argument, "refusing to dial ourselves");
  if (auto existing = find_open(peer)) co_return existing;
  if (auto it = dials_.find(peer); it != dials_.end()) {
    auto pending = it->second;
    while (!pending->outcome) co_await pending->done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (*pending->outcome || !addr) co_return *pending->outcome;
    if (auto existing = find_open(peer)) co_return existing;
    if (dials_.count(peer)) co_return *pending->outcome;  // someone else is trying again already
  }
  auto pending = std::make_shared<pending_dial>(executor_);
  dials_[peer] = pending;
  result<std::shared_ptr<connection>> outcome;
  if (addr) {
    outcome = co_await dial_addr(*addr, peer);
  } else {
    outcome = co_await dial_peer(peer);
  }
  pending->outcome = outcome;
  if (auto it = dials_.find(peer); it != dials_.end() && it->second == pending) dials_.erase(it);
  pending->done.cancel();
  co_return outcome;
}

awaitable<result<std::shared_ptr<connection>>> host::dial_peer(const crypto::peer_id& peer) {
  auto addrs = peers_.addrs(peer);
  if (addrs.empty()) co_return make_error(errc::not_found, "no known addresses for peer " + peer.to_string());
  std::optional<agentp2p::error> last;
  for (const auto& a : addrs) {
    auto r = co_await dial_addr(a, peer);
    if (r) co_return r;
    last = std::move(r).error();
    if (closed_) break;
  }
  // Keep the last error's code (timeout, refused, peer id mismatch...).
  last->message = "could not connect to " + peer.to_string() + " (tried " + std::to_string(addrs.size()) +
                  " addresses; last error: " + last->message + ")";
  co_return std::move(*last);
}

awaitable<result<std::shared_ptr<connection>>> host::dial_addr(const multiaddr& addr,
                                                               std::optional<crypto::peer_id> expected) {
  if (closed_) co_return make_error(errc::closed, "host is closed");
  core::transport* transport = nullptr;
  for (auto& t : transports_)
    if (t->can_dial(addr)) transport = t.get();
  if (!transport) co_return make_error(errc::unsupported, "no transport can dial " + addr.to_string());
  if (conn_count_ >= config_.max_connections) {
    counters::count_and_log(outbound_limit_refused(), "not dialing " + addr.to_string() + ": " +
                                                          std::to_string(conn_count_) + " connections open (limit " +
                                                          std::to_string(config_.max_connections) + ")");
    co_return make_error(errc::limit_exceeded, "connection limit of " + std::to_string(config_.max_connections) +
                                                   " reached; not dialing " + addr.to_string());
  }
  if (auto why = gater_.refuse_address(addr)) {
    counters::count_and_log(gater_refused_address(), "gater: not dialing: " + *why);
    co_return make_error(errc::permission_denied, "gater: not dialing: " + *why);
  }
  if (expected) {
    if (auto why = gater_.refuse_peer(*expected)) {
      counters::count_and_log(gater_refused_peer(), "gater: not dialing: " + *why);
      co_return make_error(errc::permission_denied, "gater: not dialing: " + *why);
    }
  }

  co_await acquire_dial_slot();
  // The slot is given back however this coroutine ends (cancellation included).
  struct slot_guard {
    host* h;
    ~slot_guard() { h->release_dial_slot(); }
  } guard{this};
  if (closed_) co_return make_error(errc::closed, "host is closed");
  AP_CO_TRY(auto raw, co_await with_deadline(transport->dial(addr), config_.dial_timeout, "dial " + addr.to_string()));
  // A DNS name resolves only now: judge the address we actually reached.
  if (auto why = gater_.refuse_address(raw.remote_addr)) {
    counters::count_and_log(gater_refused_address(), "gater: dropping dialed connection: " + *why);
    raw.stream->reset();
    co_return make_error(errc::permission_denied, "gater: dial " + addr.to_string() + ": " + *why);
  }
  auto stage = upgrade_stage::pnet;
  upgrader up(security_, muxers_, config_.psk, stage);
  auto upgraded_conn = co_await with_deadline(up.outbound(std::move(raw.stream), expected), config_.upgrade_timeout,
                                              "handshake with " + addr.to_string());
  if (!upgraded_conn) {
    auto e = upgrader::explain(std::move(upgraded_conn).error(), stage, config_.psk.has_value());
    e.message = "dial " + addr.to_string() + ": " + e.message;
    co_return e;
  }
  auto& u = *upgraded_conn;
  if (auto why = gater_.refuse_peer(u.remote_peer)) {
    counters::count_and_log(gater_refused_peer(), "gater: dropping dialed connection: " + *why);
    co_await u.muxed->close();
    co_return make_error(errc::permission_denied, "gater: dial " + addr.to_string() + ": " + *why);
  }
  auto bare = addr.has(protocol_code::p2p) ? addr.decapsulate(protocol_code::p2p) : addr;
  peers_.add_addrs(u.remote_peer, {bare});
  connection_info info{next_conn_id_++, u.remote_peer, u.remote_key,   raw.local_addr,
                       bare,            direction::outbound, u.security, u.muxer,
                       std::chrono::steady_clock::now()};
  co_return adopt(std::make_shared<connection>(std::move(info), std::move(u.muxed)));
}

// A dial waiting for a slot; `gone` when its coroutine ended while waiting.
struct host::dial_waiter {
  explicit dial_waiter(executor ex) : wake(std::move(ex), asio::steady_timer::time_point::max()) {}
  asio::steady_timer wake;
  bool granted = false;
  bool gone = false;
};

awaitable<void> host::acquire_dial_slot() {
  if (active_dials_ < std::max<std::size_t>(1, config_.max_concurrent_dials) && dial_queue_.empty()) {
    ++active_dials_;
    co_return;
  }
  counters::count_and_log(dials_queued(), "dial waits for a slot: " + std::to_string(active_dials_) +
                                             " dials in progress (limit " + std::to_string(config_.max_concurrent_dials) + ")");
  auto w = std::make_shared<dial_waiter>(executor_);
  dial_queue_.push_back(w);
  struct leave_guard {
    std::shared_ptr<dial_waiter> w;
    host* h;
    // Cancelled while holding a slot handed over to us: pass it on.
    ~leave_guard() {
      if (w->gone) return;
      w->gone = true;
      if (w->granted) {
        h->release_dial_slot();
      } else {
        auto& q = h->dial_queue_;
        q.erase(std::remove(q.begin(), q.end(), w), q.end());
      }
    }
  } leave{w, this};
  while (!w->granted) co_await w->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  w->gone = true;  // the slot is ours now; dial_addr's guard releases it
}

void host::release_dial_slot() {
  while (!dial_queue_.empty()) {
    auto next = dial_queue_.front();
    dial_queue_.pop_front();
    if (next->gone) continue;
    next->granted = true;  // the slot moves to it; active_dials_ stays
    next->wake.cancel();
    return;
  }
  if (active_dials_ > 0) --active_dials_;
}

// ---- connections --------------------------------------------------------

std::shared_ptr<connection> host::adopt(std::shared_ptr<connection> conn) {
  const auto& info = conn->info();
  auto& list = conns_[info.remote_peer];
  const bool first = list.empty();
  list.push_back(conn);
  ++conn_count_;
  peers_.set_public_key(info.remote_peer, info.remote_key);
  peers_.touch(info.remote_peer);

  std::weak_ptr<host> weak = weak_from_this();
  auto shared_info = conn->shared_info();
  // Streams of this connection still negotiating their protocol: bounded, so
  // a peer cannot park unlimited half-open streams on us.
  auto negotiating = std::make_shared<std::size_t>(0);
  conn->muxed().set_inbound_handler([weak, shared_info, negotiating](std::shared_ptr<core::muxed_stream> s) {
    auto self = weak.lock();
    if (!self || self->closed_) {
      s->reset();
      return;
    }
    if (*negotiating >= self->config_.max_negotiating_streams_per_connection) {
      counters::count_and_log(negotiating_refused(), "resetting inbound stream from " +
                                                         shared_info->remote_peer.to_string() + ": " +
                                                         std::to_string(*negotiating) + " streams negotiating (limit " +
                                                         std::to_string(self->config_.max_negotiating_streams_per_connection) + ")");
      s->reset();
      return;
    }
    self->spawn(self->handle_stream(std::move(s), shared_info, negotiating), "inbound stream");
  });
  spawn(run_connection(conn), "connection " + info.remote_peer.short_string());
  log::debug("connection " + std::to_string(info.id) + " " + std::string(to_string(info.direction)) + " to " +
             info.remote_peer.to_string() + " via " + info.remote_addr.to_string());
  emit(connection_opened{conn});
  if (first) emit(peer_connected{info.remote_peer});
  return conn;
}

awaitable<void> host::run_connection(std::shared_ptr<connection> conn) {
  auto muxed = conn->shared_muxed();
  auto ended = co_await muxed->run();
  std::string reason = ended ? std::string("closed") : ended.error().what();
  const auto& peer = conn->remote_peer();
  auto it = conns_.find(peer);
  bool last = false;
  if (it != conns_.end()) {
    auto& list = it->second;
    auto pos = std::find(list.begin(), list.end(), conn);
    if (pos != list.end()) {
      list.erase(pos);
      --conn_count_;
    }
    if (list.empty()) {
      conns_.erase(it);
      last = true;
    }
  }
  log::debug("connection " + std::to_string(conn->info().id) + " to " + peer.to_string() + " ended: " + reason);
  emit(connection_closed{conn->shared_info(), reason});
  if (last) emit(peer_disconnected{peer});
}

awaitable<void> host::handle_stream(std::shared_ptr<core::muxed_stream> s, std::shared_ptr<const connection_info> info,
                                    std::shared_ptr<std::size_t> negotiating) {
  const multistream::support_fn supports = [this](std::string_view id) { return router_.find(id) != nullptr; };
  const multistream::list_fn list = [this] { return router_.protocols(); };
  ++*negotiating;
  // The peer's id goes into messages only on failure (the log line below):
  // encoding it for every stream showed up in profiles.
  // The deadline resets the stream, which ends the negotiation's wait.
  resetting_deadline<core::muxed_stream> negotiation(deadlines_, *s);
  negotiation.arm(config_.stream_negotiation_timeout, "stream negotiation");
  auto chosen = co_await multistream::handle(*s, supports, list);
  negotiation.disarm();
  --*negotiating;
  if (!chosen) {
    auto e = negotiation.expired() ? negotiation.timeout_error() : std::move(chosen).error();
    log::debug("inbound stream from " + info->remote_peer.to_string() + " failed: " + e.what());
    s->reset();
    co_return;
  }
  const auto* found = router_.find(*chosen);
  if (!found) {  // removed while negotiating
    s->reset();
    co_return;
  }
  auto limit = config_.max_inbound_streams_per_protocol;
  if (auto o = config_.max_inbound_streams_by_protocol.find(*chosen); o != config_.max_inbound_streams_by_protocol.end())
    limit = o->second;
  auto open = inbound_streams_.find(*chosen);
  if (open == inbound_streams_.end()) open = inbound_streams_.emplace(*chosen, 0).first;
  if (limit > 0 && open->second >= limit) {
    counters::count_and_log(stream_limit_refused(), "resetting inbound " + *chosen + " stream from " +
                                                        info->remote_peer.to_string() + ": " +
                                                        std::to_string(open->second) + " open (limit " +
                                                        std::to_string(limit) + ")");
    s->reset();
    co_return;
  }
  // Counts the stream while its handler runs (map nodes are stable; entries stay).
  struct open_stream {
    std::size_t& count;
    ~open_stream() { --count; }
  } counted{++open->second};
  auto handler = *found;  // the handler may be removed while it runs
  emit(stream_opened{info, *chosen, direction::inbound});
  co_await handler(std::make_shared<stream>(std::move(s), std::move(*chosen), std::move(info)));
}

std::shared_ptr<connection> host::find_open(const crypto::peer_id& peer) const {
  auto it = conns_.find(peer);
  if (it == conns_.end()) return nullptr;
  for (const auto& c : it->second)
    if (!c->is_closed()) return c;
  return nullptr;
}

std::vector<std::shared_ptr<connection>> host::connections() const {
  std::vector<std::shared_ptr<connection>> out;
  for (const auto& [_, list] : conns_) out.insert(out.end(), list.begin(), list.end());
  return out;
}

std::vector<std::shared_ptr<connection>> host::connections_to(const crypto::peer_id& peer) const {
  auto it = conns_.find(peer);
  return it == conns_.end() ? std::vector<std::shared_ptr<connection>>{} : it->second;
}

bool host::is_connected(const crypto::peer_id& peer) const { return find_open(peer) != nullptr; }

awaitable<void> host::disconnect(const crypto::peer_id& peer) {
  for (auto& c : connections_to(peer)) co_await c->muxed().close();
}

// ---- streams ------------------------------------------------------------

awaitable<result<std::shared_ptr<stream>>> host::new_stream(const crypto::peer_id& peer,
                                                            std::vector<std::string> protocols) {
  AP_CO_TRY(auto conn, co_await connect(peer));
  co_return co_await new_stream(conn, std::move(protocols));
}

awaitable<result<std::shared_ptr<stream>>> host::new_stream(const std::shared_ptr<connection>& conn,
                                                            std::vector<std::string> protocols) {
  if (protocols.empty()) co_return make_error(errc::invalid_argument, "new_stream: no protocols given");
  AP_CO_TRY(auto s, co_await conn->muxed().open_stream());
  // The deadline resets the stream, which ends the negotiation's wait.
  resetting_deadline<core::muxed_stream> negotiation(deadlines_, *s);
  negotiation.arm(config_.stream_negotiation_timeout, "negotiating");
  auto chosen = co_await multistream::select(*s, protocols);
  negotiation.disarm();
  if (!chosen) {
    auto e = negotiation.expired() ? make_error(errc::timeout, "negotiating " + protocols.front() + " timed out after " +
                                                             describe_duration(config_.stream_negotiation_timeout))
                             : std::move(chosen).error();
    e.message += " with " + conn->remote_peer().to_string();  // only on failure: encoding ids costs
    s->reset();
    co_return e;
  }
  emit(stream_opened{conn->shared_info(), *chosen, direction::outbound});
  co_return std::make_shared<stream>(std::move(s), std::move(*chosen), conn->shared_info());
}

awaitable<result<std::shared_ptr<stream>>> host::new_stream_lazy(const std::shared_ptr<connection>& conn,
                                                                 std::string_view protocol) {
  AP_CO_TRY(auto s, co_await conn->muxed().open_stream());
  std::string id(protocol);
  emit(stream_opened{conn->shared_info(), id, direction::outbound});
  co_return std::make_shared<stream>(stream::lazy, std::move(s), std::move(id), conn->shared_info());
}

awaitable<result<std::shared_ptr<stream>>> host::new_stream(const crypto::peer_id& peer, std::string_view protocol) {
  return new_stream(peer, std::vector<std::string>(1, std::string(protocol)));
}

awaitable<result<std::shared_ptr<stream>>> host::new_stream(const std::shared_ptr<connection>& conn,
                                                            std::string_view protocol) {
  return new_stream(conn, std::vector<std::string>(1, std::string(protocol)));
}

void host::set_stream_handler(std::string id, stream_handler handler, protocol_matcher match) {
  router_.add(std::move(id), std::move(handler), std::move(match));
  emit(protocols_changed{});
}

void host::remove_stream_handler(std::string_view id) {
  if (router_.remove(id)) emit(protocols_changed{});
}

// ---- events and shutdown -------------------------------------------------

std::uint64_t host::subscribe(event_handler handler) {
  auto token = next_token_++;
  subscribers_.emplace(token, std::make_shared<event_handler>(std::move(handler)));
  return token;
}

void host::unsubscribe(std::uint64_t token) { subscribers_.erase(token); }

void host::emit(const event& e) {
  if (subscribers_.empty()) return;
  // Snapshot (cheap shared_ptr copies): a subscriber may subscribe or
  // unsubscribe while we iterate.
  std::vector<std::shared_ptr<event_handler>> snapshot;
  snapshot.reserve(subscribers_.size());
  for (const auto& [_, handler] : subscribers_) snapshot.push_back(handler);
  for (const auto& handler : snapshot) (*handler)(e);
}

awaitable<void> host::close() {
  if (closed_) co_return;
  closed_ = true;
  for (auto& l : listeners_) l->close();
  // All connections close at once (a muxer may linger waiting for a peer
  // that never answers) within close_timeout; then every task is cancelled.
  task_group closing(executor_);
  for (auto& c : connections())
    closing.spawn([](std::shared_ptr<connection> c) -> awaitable<void> { co_await c->muxed().close(); }(c),
                  "close connection");
  auto join = [](task_group& g) -> awaitable<result<void>> {
    co_await g.join();
    co_return ok();
  };
  (void)co_await with_deadline(join(closing), config_.close_timeout, "closing connections");
  closing.cancel();
  co_await closing.join();
  tasks_.cancel();
  co_await tasks_.join();
  listeners_.clear();
  subscribers_.clear();
}

}  // namespace agentp2p::host
