#include "agentp2p/protocols/kad/kad.hpp"

#include <algorithm>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/multiformats/cid.hpp"

namespace agentp2p::kad {

using steady = std::chrono::steady_clock;

std::string_view to_string(mode m) noexcept {
  switch (m) {
    case mode::automatic: return "auto";
    case mode::client: return "client";
    case mode::server: return "server";
  }
  return "auto";
}

result<mode> parse_mode(std::string_view text) {
  if (text == "auto" || text == "automatic") return mode::automatic;
  if (text == "client") return mode::client;
  if (text == "server") return mode::server;
  return make_error(errc::invalid_argument, "dht mode must be auto, client or server, not '" + std::string(text) + "'");
}

struct service::background {
  explicit background(executor ex) : refresh(ex), maintenance(ex) {}
  asio::steady_timer refresh;
  asio::steady_timer maintenance;
  bool stopped = false;
};

namespace {

bool is_loopback(const multiformats::multiaddr& a) {
  if (auto v4 = a.find(multiformats::protocol_code::ip4)) return !v4->value.empty() && v4->value[0] == 127;
  if (auto v6 = a.find(multiformats::protocol_code::ip6)) {
    bytes one(16, 0);
    one[15] = 1;
    return v6->value == one;
  }
  return false;
}


}  // namespace

std::shared_ptr<service> service::start(std::shared_ptr<host::host> h, config cfg) {
  std::shared_ptr<service> s(new service(h, std::move(cfg)));
  std::weak_ptr<service> weak = s;
  s->subscription_ = h->subscribe([weak](const host::event& e) {
    if (auto self = weak.lock()) self->on_host_event(e);
  });
  s->background_ = std::make_shared<background>(h->get_executor());
  s->update_mode();
  h->spawn(refresh_loop(weak), "kad refresh");
  h->spawn(maintenance_loop(weak), "kad maintenance");
  // Peers already connected and identified.
  for (const auto& c : h->connections()) s->consider(c->remote_peer());
  return s;
}

service::service(std::shared_ptr<host::host> h, config cfg)
    : host_(h),
      config_(std::move(cfg)),
      protocol_id_(config_.protocol_prefix + std::string(protocol_suffix)),
      table_(h->id(), config_.lookup.k),
      records_(config_.records),
      providers_(config_.providers),
      rng_(std::random_device{}()) {}

service::~service() { stop(); }

void service::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (background_) {
    background_->stopped = true;
    background_->refresh.cancel();
    background_->maintenance.cancel();
  }
  if (auto h = host_.lock()) {
    h->unsubscribe(subscription_);
    if (serving_) h->remove_stream_handler(protocol_id_);
  }
  serving_ = false;
}

bool service::has_reachable_listen_address() const {
  auto h = host_.lock();
  if (!h) return false;
  for (const auto& a : h->listen_addresses())
    if (!is_loopback(a)) return true;
  return false;
}

void service::set_mode(kad::mode m) {
  config_.mode = m;
  update_mode();
}

void service::update_mode() {
  auto h = host_.lock();
  if (!h || stopped_) return;
  bool serve_now = config_.mode == mode::server ||
                   (config_.mode == mode::automatic && has_reachable_listen_address());
  if (serve_now == serving_) return;
  serving_ = serve_now;
  if (serving_) {
    std::weak_ptr<service> weak = weak_from_this();
    h->set_stream_handler(protocol_id_, [weak](std::shared_ptr<host::stream> st) -> awaitable<void> {
      co_await serve(weak, std::move(st));
    });
  } else {
    h->remove_stream_handler(protocol_id_);
  }
  log::debug("kad: " + std::string(serving_ ? "server" : "client") + " mode on " + protocol_id_);
}

// --- routing table feed -----------------------------------------------------

void service::on_host_event(const host::event& e) {
  if (const auto* c = std::get_if<host::peer_connected>(&e)) consider(c->peer);
}

void service::peer_identified(const crypto::peer_id& peer) { consider(peer); }

void service::consider(const crypto::peer_id& peer) {
  auto h = host_.lock();
  if (!h || stopped_ || !h->peers().supports(peer, protocol_id_)) return;
  bool was_empty = table_.size() == 0;
  table_.add(peer);
  if (was_empty && table_.size() > 0 && config_.bootstrap_on_first_peer && !bootstrapped_) {
    bootstrapped_ = true;
    h->spawn(bootstrap_task(weak_from_this()), "kad bootstrap");
  }
}

void service::add_peer(const crypto::peer_id& peer, const std::vector<multiformats::multiaddr>& addrs) {
  auto h = host_.lock();
  if (!h || stopped_) return;
  h->peers().add_addrs(peer, addrs);
  table_.add(peer);
}

peer_info service::info_of(const crypto::peer_id& peer) const {
  peer_info p{peer, {}, connection_type::not_connected};
  if (auto h = host_.lock()) {
    p.addrs = h->peers().addrs(peer);
    if (p.addrs.size() > config_.wire.max_addrs_per_peer) p.addrs.resize(config_.wire.max_addrs_per_peer);
    if (h->is_connected(peer)) p.connection = connection_type::connected;
  }
  return p;
}

std::vector<peer_info> service::closer_peers(const kad_key& target, const crypto::peer_id& exclude) const {
  std::vector<peer_info> out;
  for (auto& p : table_.closest(target, config_.lookup.k + 1)) {
    if (p == exclude) continue;
    auto info = info_of(p);
    if (info.addrs.empty()) continue;
    out.push_back(std::move(info));
    if (out.size() >= config_.lookup.k) break;
  }
  return out;
}

std::vector<peer_info> service::seeds(const kad_key& target) const {
  std::vector<peer_info> out;
  for (auto& p : table_.closest(target, config_.lookup.k)) out.push_back(info_of(p));
  return out;
}

// --- serving ----------------------------------------------------------------

awaitable<void> service::serve(std::weak_ptr<service> weak, std::shared_ptr<host::stream> s) {
  std::size_t max_size, max_requests;
  std::chrono::milliseconds idle;
  {
    auto self = weak.lock();
    if (!self) co_return;
    max_size = self->config_.wire.max_message_size;
    max_requests = self->config_.max_requests_per_stream;
    idle = self->config_.serve_idle_timeout;
    // It speaks our protocol and opened a stream to us; if it is a server too,
    // identify will say so (only servers enter the table).
  }
  for (std::size_t served = 0; served < max_requests; ++served) {
    auto frame = co_await with_deadline(core::read_length_prefixed(*s, max_size), idle, "kad request");
    if (!frame) {
      if (frame.error().is(errc::end_of_stream)) (void)co_await s->close_write();
      else s->reset();
      co_return;
    }
    auto self = weak.lock();
    if (!self) co_return;
    decode_report report;
    auto m = decode(*frame, self->config_.wire, &report);
    if (!m) {
      ++self->counters_.invalid_messages;
      if (m.error().is(errc::too_large)) {
        // Over a size limit (message, key or record value): counted as a limit hit.
        static auto& c = agentp2p::counters::limit("kad", "message_too_large", "DHT requests refused: message, key or record over its size limit");
        agentp2p::counters::count_and_log(c, "kad: refusing a request from " + s->remote_peer().to_string() + ": " + m.error().message);
        s->reset();
        co_return;
      }
      log::info("kad: invalid request from " + s->remote_peer().to_string() + ": " + m.error().what());
      s->reset();
      co_return;
    }
    ++self->counters_.requests_served;
    auto reply = self->handle(s->remote_peer(), std::move(*m));
    self.reset();
    if (!reply) continue;
    auto payload = encode(*reply);
    auto sent = co_await with_deadline(core::write_length_prefixed(*s, payload), idle, "kad reply");
    if (!sent) {
      s->reset();
      co_return;
    }
  }
  (void)co_await s->close_write();
}

std::optional<message> service::handle(const crypto::peer_id& from, message&& m) {
  auto h = host_.lock();
  if (!h) return std::nullopt;
  auto now = system_clock::now();
  message reply;
  reply.type = m.type;
  reply.key = m.key;
  switch (m.type) {
    case message_type::ping:
      return reply;
    case message_type::find_node: {
      reply.closer_peers = closer_peers(kad_key::of(m.key), from);
      // An exact match we can reach goes first.
      if (auto target = crypto::peer_id::from_bytes(m.key); target && *target != from && *target != h->id()) {
        auto info = info_of(*target);
        if (!info.addrs.empty()) {
          std::erase_if(reply.closer_peers, [&](const peer_info& p) { return p.id == *target; });
          reply.closer_peers.insert(reply.closer_peers.begin(), std::move(info));
        }
      }
      return reply;
    }
    case message_type::get_value: {
      if (auto r = records_.get(m.key, now)) reply.rec = std::move(*r);
      else if (key_namespace(m.key) == "pk" && m.key.size() > 4) {
        // A public key we know (ours, or a peer's from identify).
        if (auto peer = crypto::peer_id::from_bytes(byte_span(m.key).subspan(4))) {
          std::optional<crypto::public_key> pk;
          if (*peer == h->id()) pk = h->public_key();
          else if (auto rec = h->peers().get(*peer)) pk = rec->public_key;
          if (pk) reply.rec = record{m.key, pk->to_protobuf(), {}};
        }
      }
      reply.closer_peers = closer_peers(kad_key::of(m.key), from);
      return reply;
    }
    case message_type::put_value: {
      if (!m.rec || m.rec->key != m.key) {
        ++counters_.invalid_records;
        log::info("kad: PUT_VALUE from " + from.to_string() + " without a record for its key; ignored");
        return std::nullopt;
      }
      if (auto v = validators_.validate(m.rec->key, m.rec->value); !v) {
        ++counters_.invalid_records;
        log::info("kad: rejected PUT_VALUE from " + from.to_string() + ": " + v.error().what());
        return std::nullopt;
      }
      // Keep the better of what we have and what came.
      if (auto existing = records_.get(m.key, now)) {
        std::vector<bytes> both{existing->value, m.rec->value};
        if (validators_.select(m.key, both) == 0 && existing->value != m.rec->value) return m;
      }
      record r{m.rec->key, m.rec->value, {}};
      if (auto stored = records_.put(std::move(r), now); !stored)
        log::info("kad: not storing PUT_VALUE from " + from.to_string() + ": " + stored.error().what());
      return m;
    }
    case message_type::add_provider: {
      if (!multiformats::multihash::from_bytes(m.key) && !multiformats::cid::from_bytes(m.key)) {
        ++counters_.invalid_messages;
        log::info("kad: ADD_PROVIDER from " + from.to_string() + " with a key that is not a multihash or CID");
        return std::nullopt;
      }
      for (auto& p : m.provider_peers) {
        if (p.id != from) continue;  // only the sender may announce itself
        if (auto added = providers_.add(m.key, p.id, now); !added) {
          log::info("kad: " + added.error().what());
          continue;
        }
        ++counters_.provider_records_stored;
        h->peers().add_addrs(p.id, p.addrs);
      }
      return std::nullopt;
    }
    case message_type::get_providers: {
      for (auto& p : providers_.get(m.key, now)) {
        auto info = p == h->id() ? peer_info{p, h->listen_addresses(), connection_type::connected} : info_of(p);
        if (!info.addrs.empty() || p == from) reply.provider_peers.push_back(std::move(info));
      }
      reply.closer_peers = closer_peers(kad_key::of(m.key), from);
      return reply;
    }
  }
  return std::nullopt;
}

// --- requesting -------------------------------------------------------------

awaitable<result<message>> service::request(peer_info to, message req, bool expect_reply) {
  co_return co_await request_task(weak_from_this(), std::move(to), std::move(req), expect_reply);
}

namespace {

awaitable<void> finish_stream(std::shared_ptr<host::stream> s, std::chrono::milliseconds linger) {
  co_await core::finish(*s, linger);
}

}  // namespace

awaitable<result<message>> service::request_task(std::weak_ptr<service> weak, peer_info to, message req,
                                                 bool expect_reply) {
  std::shared_ptr<host::host> h;
  std::string proto;
  wire_limits limits;
  std::chrono::milliseconds linger;
  {
    auto self = weak.lock();
    if (!self) co_return make_error(errc::closed, "kad: service stopped");
    h = self->host_.lock();
    if (!h) co_return make_error(errc::closed, "kad: host is gone");
    proto = self->protocol_id_;
    limits = self->config_.wire;
    linger = self->config_.linger;
    ++self->counters_.requests_sent;
  }
  if (!to.addrs.empty() && !h->is_connected(to.id)) h->peers().add_addrs(to.id, to.addrs);
  auto opened = co_await h->new_stream(to.id, proto);
  if (!opened) {
    if (auto self = weak.lock()) ++self->counters_.requests_failed;
    co_return std::move(opened).error();
  }
  auto s = std::move(*opened);
  auto payload = encode(req);
  auto sent = co_await core::write_length_prefixed(*s, payload);
  if (!sent) {
    s->reset();
    if (auto self = weak.lock()) ++self->counters_.requests_failed;
    co_return std::move(sent).error();
  }
  if (!expect_reply) {
    h->spawn(finish_stream(s, linger), "kad stream finish");
    co_return message{};
  }
  auto frame = co_await core::read_length_prefixed(*s, limits.max_message_size);
  if (!frame) {
    s->reset();
    if (auto self = weak.lock()) ++self->counters_.requests_failed;
    co_return std::move(frame).error();
  }
  decode_report report;
  auto m = decode(*frame, limits, &report);
  auto self = weak.lock();
  if (!m) {
    s->reset();
    if (self) ++self->counters_.invalid_messages;
    log::info("kad: invalid reply from " + to.id.to_string() + ": " + m.error().what());
    co_return std::move(m).error();
  }
  h->spawn(finish_stream(s, linger), "kad stream finish");
  if (report.dropped_peers || report.dropped_addrs) {
    if (self) self->counters_.dropped_peers += report.dropped_peers;
    log::info("kad: reply from " + to.id.to_string() + " had " + std::to_string(report.dropped_peers) +
              " peers and " + std::to_string(report.dropped_addrs) + " addresses over the limits or unreadable; dropped");
  }
  if (m->type != req.type) {
    if (self) ++self->counters_.invalid_messages;
    co_return make_error(errc::protocol_error, "kad: " + to.id.to_string() + " answered " +
                                                   std::string(to_string(req.type)) + " with " +
                                                   std::string(to_string(m->type)));
  }
  // It answered a DHT request: it is a server worth keeping.
  if (self) {
    self->table_.add(to.id);
    self->table_.mark_useful(to.id);
  }
  co_return std::move(*m);
}

awaitable<lookup_result> service::lookup(kad_key target, query_fn q) {
  auto h = host_.lock();
  if (!h) co_return lookup_result{};
  auto seeds_now = seeds(target);
  auto self_id = h->id();
  h.reset();
  co_return co_await run_lookup(target, std::move(seeds_now), std::move(q), config_.lookup, std::move(self_id));
}

// A query that only wants closer peers (FIND_NODE); a peer that fails is
// dropped from the routing table.
awaitable<result<query_reply>> service::closer_query(std::weak_ptr<service> weak, peer_info to, bytes key) {
  message req;
  req.type = message_type::find_node;
  req.key = std::move(key);
  auto id = to.id;
  auto r = co_await request_task(weak, std::move(to), std::move(req), true);
  if (!r) {
    if (auto self = weak.lock()) self->table_.remove(id);
    co_return std::move(r).error();
  }
  co_return query_reply{std::move(r->closer_peers), false};
}

awaitable<result<lookup_result>> service::get_closest_peers(bytes key) {
  std::weak_ptr<service> weak = weak_from_this();
  auto target = kad_key::of(key);
  query_fn q = [weak, key](const peer_info& p, std::size_t) { return closer_query(weak, p, key); };
  co_return co_await lookup(target, std::move(q));
}

awaitable<result<find_peer_result>> service::find_peer(crypto::peer_id peer) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "kad: host is gone");
  if (h->is_connected(peer)) co_return find_peer_result{info_of(peer), {}};
  h.reset();
  co_return co_await lookup_peer(std::move(peer));
}

awaitable<result<find_peer_result>> service::lookup_peer(crypto::peer_id peer) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "kad: host is gone");
  struct found_state {
    std::optional<peer_info> found;
  };
  auto st = std::make_shared<found_state>();
  std::weak_ptr<service> weak = weak_from_this();
  query_fn q = [weak, peer, st](const peer_info& p, std::size_t) -> awaitable<result<query_reply>> {
    return [](std::weak_ptr<service> weak, peer_info p, crypto::peer_id target,
              std::shared_ptr<found_state> st) -> awaitable<result<query_reply>> {
      bool asked_target = p.id == target;
      auto self_addrs = p.addrs;
      AP_CO_TRY(auto reply, co_await closer_query(weak, p, target.to_bytes()));
      if (asked_target) {
        // It answered us itself: we reached it.
        if (auto self = weak.lock()) st->found = self->info_of(target);
        if (st->found && st->found->addrs.empty()) st->found->addrs = self_addrs;
        reply.done = true;
      }
      for (const auto& c : reply.closer)
        if (c.id == target && !c.addrs.empty() && !st->found) {
          st->found = c;
          reply.done = true;
        }
      co_return reply;
    }(weak, p, peer, st);
  };
  auto r = co_await lookup(kad_key::of(peer), std::move(q));
  if (!st->found)
    co_return make_error(errc::not_found, "kad: peer " + peer.to_string() + " not found (" +
                                              std::to_string(r.stats.requests) + " requests)");
  h->peers().add_addrs(peer, st->found->addrs);
  co_return find_peer_result{std::move(*st->found), r.stats};
}

namespace {

struct value_state {
  bytes key;
  std::vector<bytes> values;                 // valid values, in arrival order
  std::vector<std::vector<peer_info>> from;  // who sent each (parallel to values)
  std::size_t quorum = 1;
  std::size_t answers = 0;
};

}  // namespace

awaitable<result<value_result>> service::get_value(bytes key) {
  auto st = std::make_shared<value_state>();
  st->key = key;
  st->quorum = std::max<std::size_t>(1, config_.get_value_quorum);
  auto now = system_clock::now();
  if (auto local = records_.get(key, now)) {
    st->values.push_back(local->value);
    st->from.emplace_back();
    st->answers = 1;
  }
  std::weak_ptr<service> weak = weak_from_this();
  query_fn q = [weak, st](const peer_info& p, std::size_t) -> awaitable<result<query_reply>> {
    return [](std::weak_ptr<service> weak, peer_info p, std::shared_ptr<value_state> st) -> awaitable<result<query_reply>> {
      message req;
      req.type = message_type::get_value;
      req.key = st->key;
      auto id = p.id;
      auto r = co_await request_task(weak, p, std::move(req), true);
      if (!r) {
        if (auto self = weak.lock()) self->table_.remove(id);
        co_return std::move(r).error();
      }
      auto self = weak.lock();
      if (!self) co_return make_error(errc::closed, "kad: service stopped");
      if (r->rec) {
        auto valid = r->rec->key == st->key ? self->validators_.validate(r->rec->key, r->rec->value)
                                            : result<void>(make_error(errc::invalid_argument, "record for another key"));
        if (!valid) {
          ++self->counters_.invalid_records;
          log::info("kad: GET_VALUE reply from " + id.to_string() + " has an invalid record: " + valid.error().what());
        } else {
          ++st->answers;
          auto it = std::find(st->values.begin(), st->values.end(), r->rec->value);
          if (it == st->values.end()) {
            st->values.push_back(r->rec->value);
            st->from.push_back({p});
          } else {
            st->from[static_cast<std::size_t>(it - st->values.begin())].push_back(p);
          }
        }
      }
      co_return query_reply{std::move(r->closer_peers), st->answers >= st->quorum};
    }(weak, p, st);
  };
  lookup_result lr;
  if (st->answers < st->quorum) lr = co_await lookup(kad_key::of(key), std::move(q));
  if (st->values.empty())
    co_return make_error(errc::not_found, "kad: no value for the key (" + std::to_string(lr.stats.requests) + " requests)");
  auto best = validators_.select(key, st->values);
  value_result out{record{key, st->values[best], {}}, st->answers, lr.stats};
  // Entry correction: peers that sent a worse value get the best one.
  std::vector<peer_info> outdated;
  for (std::size_t i = 0; i < st->values.size(); ++i)
    if (i != best) outdated.insert(outdated.end(), st->from[i].begin(), st->from[i].end());
  if (auto h = host_.lock(); h && !outdated.empty()) {
    message put;
    put.type = message_type::put_value;
    put.key = key;
    put.rec = out.rec;
    h->spawn(send_all(weak, std::move(outdated), std::move(put), true, std::make_shared<std::size_t>(0)),
             "kad correction");
  }
  co_return out;
}

awaitable<void> service::send_all(std::weak_ptr<service> weak, std::vector<peer_info> to, message m, bool expect_reply,
                                  std::shared_ptr<std::size_t> ok_count) {
  auto ex = co_await asio::this_coro::executor;
  std::chrono::milliseconds timeout;
  {
    auto self = weak.lock();
    if (!self) co_return;
    timeout = self->config_.lookup.request_timeout;
  }
  task_group group(ex);
  for (auto& p : to) {
    group.spawn([](std::weak_ptr<service> weak, peer_info p, message m, bool expect_reply,
                   std::shared_ptr<std::size_t> ok_count, std::chrono::milliseconds timeout) -> awaitable<void> {
      auto r = co_await with_deadline(request_task(weak, std::move(p), std::move(m), expect_reply), timeout,
                                      "kad request");
      if (r) ++*ok_count;
    }(weak, std::move(p), m, expect_reply, ok_count, timeout), "kad send");
  }
  co_await group.join();
}

awaitable<result<put_result>> service::put_value(bytes key, bytes value) {
  if (auto v = validators_.validate(key, value); !v) co_return std::move(v).error();
  if (value.size() > config_.wire.max_value_size)
    co_return make_error(errc::too_large, "kad: value over the " + std::to_string(config_.wire.max_value_size) + " byte limit");
  record r{key, value, {}};
  if (auto stored = records_.put(r, system_clock::now()); !stored) log::info("kad: " + stored.error().what());
  auto closest = co_await get_closest_peers(key);
  if (!closest) co_return std::move(closest).error();
  message m;
  m.type = message_type::put_value;
  m.key = key;
  m.rec = std::move(r);
  auto ok_count = std::make_shared<std::size_t>(0);
  put_result out{0, closest->closest.size(), closest->stats};
  co_await send_all(weak_from_this(), std::move(closest->closest), std::move(m), true, ok_count);
  out.stored = *ok_count;
  co_return out;
}

awaitable<result<put_result>> service::provide(bytes key) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "kad: host is gone");
  if (!multiformats::multihash::from_bytes(key) && !multiformats::cid::from_bytes(key))
    co_return make_error(errc::invalid_argument, "kad: a provider key must be a multihash or CID");
  (void)providers_.add(key, h->id(), system_clock::now());
  provided_[key] = steady::now();
  auto closest = co_await get_closest_peers(key);
  if (!closest) co_return std::move(closest).error();
  message m;
  m.type = message_type::add_provider;
  m.key = key;
  m.provider_peers.push_back(peer_info{h->id(), h->listen_addresses(), connection_type::connected});
  h.reset();
  auto ok_count = std::make_shared<std::size_t>(0);
  put_result out{0, closest->closest.size(), closest->stats};
  co_await send_all(weak_from_this(), std::move(closest->closest), std::move(m), false, ok_count);
  out.stored = *ok_count;
  co_return out;
}

void service::stop_providing(const bytes& key) { provided_.erase(key); }

std::vector<bytes> service::provided_keys() const {
  std::vector<bytes> out;
  for (const auto& [k, _] : provided_) out.push_back(k);
  return out;
}

namespace {

struct providers_state {
  bytes key;
  std::size_t count = 20;
  std::vector<peer_info> found;
  std::set<crypto::peer_id> seen;
  void add(peer_info p) {
    if (found.size() >= count || !seen.insert(p.id).second) return;
    found.push_back(std::move(p));
  }
};

}  // namespace

awaitable<result<providers_result>> service::find_providers(bytes key, std::size_t count) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "kad: host is gone");
  auto st = std::make_shared<providers_state>();
  st->key = key;
  st->count = std::max<std::size_t>(1, count);
  for (auto& p : providers_.get(key, system_clock::now()))
    st->add(p == h->id() ? peer_info{p, h->listen_addresses(), connection_type::connected} : info_of(p));
  h.reset();
  std::weak_ptr<service> weak = weak_from_this();
  query_fn q = [weak, st](const peer_info& p, std::size_t) -> awaitable<result<query_reply>> {
    return [](std::weak_ptr<service> weak, peer_info p, std::shared_ptr<providers_state> st)
               -> awaitable<result<query_reply>> {
      message req;
      req.type = message_type::get_providers;
      req.key = st->key;
      auto id = p.id;
      auto r = co_await request_task(weak, std::move(p), std::move(req), true);
      if (!r) {
        if (auto self = weak.lock()) self->table_.remove(id);
        co_return std::move(r).error();
      }
      for (auto& prov : r->provider_peers) st->add(std::move(prov));
      co_return query_reply{std::move(r->closer_peers), st->found.size() >= st->count};
    }(weak, p, st);
  };
  lookup_result lr;
  if (st->found.size() < st->count) lr = co_await lookup(kad_key::of(key), std::move(q));
  if (auto h2 = host_.lock())
    for (const auto& p : st->found)
      if (p.id != h2->id() && !p.addrs.empty()) h2->peers().add_addrs(p.id, p.addrs);
  co_return providers_result{std::move(st->found), lr.stats};
}

// --- background -------------------------------------------------------------

awaitable<result<void>> service::bootstrap() {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "kad: host is gone");
  if (table_.size() == 0) co_return make_error(errc::not_found, "kad: bootstrap needs at least one peer in the routing table");
  auto self_bytes = h->id().to_bytes();
  h.reset();
  bootstrapped_ = true;
  auto self_lookup = co_await get_closest_peers(self_bytes);
  (void)self_lookup;
  auto deepest = table_.max_common_prefix().value_or(0);
  auto last = std::min(deepest, config_.max_refresh_cpl);
  for (std::size_t cpl = 0; cpl <= last; ++cpl) {
    if (stopped_) break;
    auto target = random_peer_with_prefix(table_.self_key(), cpl, rng_);
    if (target.empty()) continue;
    auto r = co_await get_closest_peers(std::move(target));
    (void)r;
  }
  co_return ok();
}

awaitable<void> service::bootstrap_task(std::weak_ptr<service> weak) {
  auto self = weak.lock();
  if (!self) co_return;
  auto r = co_await self->bootstrap();
  if (!r) log::debug("kad bootstrap: " + r.error().what());
}

awaitable<void> service::refresh_loop(std::weak_ptr<service> weak) {
  std::shared_ptr<background> bg;
  std::chrono::milliseconds interval;
  {
    auto self = weak.lock();
    if (!self) co_return;
    bg = self->background_;
    interval = self->config_.refresh_interval;
  }
  for (;;) {
    bg->refresh.expires_after(interval);
    (void)co_await bg->refresh.async_wait(asio::as_tuple(asio::use_awaitable));
    if (bg->stopped) co_return;
    auto self = weak.lock();
    if (!self) co_return;
    self->update_mode();
    if (self->table_.size() == 0) continue;
    auto r = co_await self->bootstrap();
    if (!r) log::debug("kad refresh: " + r.error().what());
  }
}

awaitable<void> service::maintenance_loop(std::weak_ptr<service> weak) {
  std::shared_ptr<background> bg;
  std::chrono::milliseconds interval;
  {
    auto self = weak.lock();
    if (!self) co_return;
    bg = self->background_;
    interval = self->config_.maintenance_interval;
  }
  for (;;) {
    bg->maintenance.expires_after(interval);
    (void)co_await bg->maintenance.async_wait(asio::as_tuple(asio::use_awaitable));
    if (bg->stopped) co_return;
    auto self = weak.lock();
    if (!self) co_return;
    self->maintain();
    // Republish our provider records that are due.
    std::vector<bytes> due;
    auto now = steady::now();
    for (const auto& [k, last] : self->provided_)
      if (now - last >= self->config_.provider_republish) due.push_back(k);
    for (auto& k : due) {
      if (bg->stopped) co_return;
      auto r = co_await self->provide(k);
      if (!r) log::debug("kad republish: " + r.error().what());
    }
  }
}

void service::maintain() {
  auto now = system_clock::now();
  auto records = records_.expire(now);
  auto provs = providers_.expire(now);
  if (records || provs)
    log::debug("kad: expired " + std::to_string(records) + " records and " + std::to_string(provs) + " provider records");
}

}  // namespace agentp2p::kad
