#include "agentp2p/daemon/p2pd/daemon.hpp"

#include <fstream>
#include <iterator>
#include <set>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/multiformats/cid.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/kad/kad.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

namespace agentp2p::p2pd {

using multiformats::multiaddr;

namespace {

constexpr std::size_t max_key_file_size = 64 * 1024;

result<crypto::private_key> read_key_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::not_found, "cannot read identity file " + path.string());
  bytes data;
  data.resize(max_key_file_size + 1);
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (data.size() > max_key_file_size)
    return make_error(errc::too_large, "identity file " + path.string() + " is larger than 64 KiB");
  auto key = crypto::private_key::from_protobuf(data);
  if (!key) return make_error(errc::decode_error, "identity file " + path.string() + ": " + key.error().message);
  return key;
}

std::shared_ptr<host::host> build_host(executor ex, crypto::private_key key, const options& opts) {
  host::builder b;
  b.identity(std::move(key));
  bool noise = false, plaintext = false;
  for (auto s : opts.security) (s == security::noise ? noise : plaintext) = true;
  if (plaintext && !noise) b.plaintext_only();
  else if (plaintext) b.plaintext();  // after Noise, so Noise is preferred
  return b.build(std::move(ex));
}

awaitable<result<void>> send(core::byte_stream& s, const bytes& payload) {
  co_return co_await core::write_length_prefixed(s, payload);
}

// Decrements the count of served control connections when a serve() ends.
struct connection_slot {
  std::size_t& count;
  explicit connection_slot(std::size_t& c) : count(c) { ++count; }
  ~connection_slot() { --count; }
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
};

agentp2p::error missing(std::string_view what, dht_request_type t) {
  return make_error(errc::invalid_argument,
                    std::string(to_string(t)) + " needs " + std::string(what));
}

// Plain functions that build values (GCC 12: no braced temporaries across a co_await).
stream_info info_of(const host::stream& s) { return {s.remote_peer(), s.connection().remote_addr, s.protocol()}; }
peer_entry entry_of(const kad::peer_info& p) { return {p.id, p.addrs}; }

result<bytes> peerstore_answer(const host::peer_store& store, const peerstore_request& ps) {
  if (!ps.peer) return make_error(errc::invalid_argument, "PEERSTORE needs a peer id");
  auto rec = store.get(*ps.peer);
  if (ps.type == peerstore_request_type::get_protocols)
    return encode_peerstore_protocols(rec ? rec->protocols : std::vector<std::string>());
  if (ps.type == peerstore_request_type::get_peer_info) {
    if (!rec) return make_error(errc::not_found, "peer " + ps.peer->to_string() + " is not in the peer store");
    return encode_peerstore_peer(peer_entry{*ps.peer, rec->addrs});
  }
  return make_error(errc::invalid_argument, "PEERSTORE request without a type");
}

// The multihash a CID is keyed by in the DHT.
result<bytes> cid_key(const bytes& cid_bytes) {
  auto c = multiformats::cid::from_bytes(cid_bytes);
  if (!c) return make_error(errc::invalid_argument, "not a CID: " + c.error().message);
  return c->hash.to_bytes();
}

}  // namespace

daemon::daemon(executor ex, options opts, daemon_config cfg)
    : executor_(ex), options_(std::move(opts)), config_(cfg), tasks_(ex) {}

daemon::~daemon() {
  if (listener_) listener_->close();
  if (dht_) dht_->stop();
}

awaitable<result<std::shared_ptr<daemon>>> daemon::start(executor ex, options opts) {
  co_return co_await start(std::move(ex), std::move(opts), daemon_config{});
}

awaitable<result<std::shared_ptr<daemon>>> daemon::start(executor ex, options opts, daemon_config cfg) {
  crypto::private_key key = crypto::private_key::generate_ed25519();
  if (opts.identity) {
    auto loaded = read_key_file(*opts.identity);
    if (!loaded) co_return std::move(loaded).error();
    key = std::move(*loaded);
  }
  // The control endpoint first: the likeliest failure (in use, bad path), and
  // nothing to undo when it fails.
  auto l = control_listener::listen(ex, opts.control);
  if (!l) co_return std::move(l).error();
  std::shared_ptr<daemon> d(new daemon(ex, opts, cfg));
  d->listener_ = std::move(*l);
  d->host_ = build_host(ex, std::move(key), opts);
  for (const auto& a : opts.host_addrs) {
    auto bound = d->host_->listen(a);
    if (!bound) {
      auto failure = agentp2p::error(bound.error().code, "listen " + a.to_string() + ": " + bound.error().message);
      d->listener_->close();
      co_await d->host_->close();
      co_return failure;
    }
  }
  d->identify_ = identify::service::start(d->host_);
  d->ping_ = ping::service::start(d->host_);
  if (opts.dht != dht_mode::off) {
    kad::config kc;
    // p2pd's -dht is full (server) mode whatever the addresses; tests run on loopback.
    kc.mode = opts.dht == dht_mode::server ? kad::mode::server : kad::mode::client;
    d->dht_ = kad::service::start(d->host_, kc);
    std::weak_ptr<kad::service> weak = d->dht_;
    d->identify_->on_identified([weak](const identify::peer_info& p) {
      if (auto dht = weak.lock()) dht->peer_identified(p.peer);
    });
  }
  d->tasks_.spawn(accept_loop(d), "p2pd accept");
  if (opts.bootstrap && !opts.bootstrap_peers.empty()) d->tasks_.spawn(bootstrap(d), "p2pd bootstrap");
  co_return d;
}

multiaddr daemon::control_address() const { return listener_ ? listener_->address() : options_.control; }

std::vector<multiaddr> daemon::addresses() const {
  if (!options_.announce_addrs.empty()) return options_.announce_addrs;
  return host_->listen_addresses();
}

awaitable<void> daemon::close() {
  if (closed_) co_return;
  closed_ = true;
  if (listener_) listener_->close();
  tasks_.cancel();
  co_await tasks_.join();
  if (dht_) dht_->stop();
  co_await host_->close();
}

std::chrono::milliseconds daemon::timeout_for(const std::optional<std::int64_t>& seconds) const {
  if (!seconds || *seconds <= 0) return config_.default_timeout;
  auto capped = std::min<std::int64_t>(*seconds, config_.max_timeout.count() / 1000);
  return std::chrono::seconds(capped);
}

std::vector<peer_entry> daemon::connected_peers() const {
  std::vector<peer_entry> out;
  std::set<crypto::peer_id> seen;
  for (const auto& c : host_->connections()) {
    if (c->is_closed() || !seen.insert(c->remote_peer()).second) continue;
    out.push_back(peer_entry{c->remote_peer(), {c->info().remote_addr}});
  }
  return out;
}

awaitable<void> daemon::accept_loop(std::shared_ptr<daemon> self) {
  for (;;) {
    auto c = co_await self->listener_->accept();
    if (!c) {
      if (!self->closed_) log::warn("p2pd: control socket: " + c.error().what());
      co_return;
    }
    if (self->active_connections_ >= self->config_.max_control_connections) {
      log::warn("p2pd: " + std::to_string(self->active_connections_) +
                " control connections open; refusing another");
      continue;  // dropping it closes it
    }
    std::shared_ptr<core::byte_stream> conn = std::move(*c);
    self->tasks_.spawn(serve(self, std::move(conn)), "p2pd control connection");
  }
}

awaitable<void> daemon::serve(std::shared_ptr<daemon> self, std::shared_ptr<core::byte_stream> conn) {
  connection_slot slot(self->active_connections_);
  auto raw = co_await with_deadline(core::read_length_prefixed(*conn, self->config_.wire.max_request_size),
                                    self->config_.request_timeout, "p2pd request");
  if (!raw) {
    log::debug("p2pd: control connection without a request: " + raw.error().what());
    conn->reset();
    co_return;
  }
  auto req = decode_request(*raw, self->config_.wire);
  if (!req) {
    log::info("p2pd: bad request: " + req.error().message);
    auto sent = co_await send(*conn, encode_error(req.error().message));
    (void)sent;
    co_await core::finish(*conn, self->config_.linger);
    co_return;
  }
  log::debug(std::string("p2pd: request ") + std::string(to_string(req->type)));
  auto done = co_await dispatch(self, *conn, std::move(*req));
  if (!done) {
    log::debug("p2pd: request failed: " + done.error().message);
    auto sent = co_await send(*conn, encode_error(done.error().message));
    (void)sent;
  }
  co_await core::finish(*conn, self->config_.linger);
}

awaitable<result<void>> daemon::dispatch(std::shared_ptr<daemon> self, core::byte_stream& conn, request req) {
  auto& h = *self->host_;
  switch (req.type) {
    case request_type::identify:
      co_return co_await send(conn, encode_identify(h.id(), self->addresses()));
    case request_type::list_peers:
      co_return co_await send(conn, encode_peers(self->connected_peers()));
    case request_type::connect: {
      AP_CO_TRYV(co_await do_connect(self, std::move(*req.connect)));
      co_return co_await send(conn, encode_ok());
    }
    case request_type::disconnect:
      co_await h.disconnect(*req.disconnect_peer);
      co_return co_await send(conn, encode_ok());
    case request_type::stream_open:
      co_return co_await do_stream_open(self, conn, std::move(*req.stream_open));
    case request_type::stream_handler:
      self->register_handler(*req.stream_handler);
      co_return co_await send(conn, encode_ok());
    case request_type::dht:
      co_return co_await do_dht(self, conn, std::move(*req.dht));
    case request_type::peerstore: {
      const auto& ps = *req.peerstore;
      if (!ps.peer) co_return make_error(errc::invalid_argument, "PEERSTORE needs a peer id");
      auto answer = peerstore_answer(h.peers(), ps);
      if (!answer) co_return std::move(answer).error();
      co_return co_await send(conn, *answer);
    }
    case request_type::connmanager:
      co_return make_error(errc::unsupported, "the connection manager is not supported by agentp2p-p2pd");
    case request_type::pubsub:
      co_return make_error(errc::unsupported, "pubsub is not supported by agentp2p-p2pd");
  }
  co_return make_error(errc::invalid_argument, "unknown request type");
}

awaitable<result<void>> daemon::do_connect(std::shared_ptr<daemon> self, connect_request req) {
  auto& h = *self->host_;
  if (req.peer == h.id()) co_return make_error(errc::invalid_argument, "cannot connect to ourselves");
  h.peers().add_addrs(req.peer, req.addrs);
  auto limit = self->timeout_for(req.timeout_seconds);
  auto what = "connect to " + req.peer.to_string();
  auto c = co_await with_deadline(h.connect(req.peer), limit, what);
  if (!c) co_return std::move(c).error();
  // As go-libp2p's host.Connect: answer once the peer is identified, so its
  // protocols (and the DHT routing table) are known when the client goes on.
  auto identified = co_await self->identify_->wait_identified(req.peer, self->config_.identify_wait);
  if (!identified) log::debug("p2pd: connected, but " + identified.error().message);
  co_return ok();
}

awaitable<result<void>> daemon::do_stream_open(std::shared_ptr<daemon> self, core::byte_stream& conn,
                                               stream_open_request req) {
  auto limit = self->timeout_for(req.timeout_seconds);
  auto what = "open stream to " + req.peer.to_string();
  auto opened = co_await with_deadline(self->host_->new_stream(req.peer, std::move(req.protocols)), limit, what);
  if (!opened) co_return std::move(opened).error();
  auto stream = std::move(*opened);
  auto response = encode_stream_open(info_of(*stream));
  auto sent = co_await send(conn, response);
  if (!sent) {
    stream->reset();
    co_return ok();  // the client is gone; nobody to tell
  }
  co_await splice(conn, *stream);
  co_return ok();
}

void daemon::register_handler(const stream_handler_request& req) {
  std::weak_ptr<daemon> weak = weak_from_this();
  for (const auto& proto : req.protocols) {
    log::debug("p2pd: handler for " + proto + " at " + req.addr.to_string());
    multiaddr target = req.addr;
    host_->set_stream_handler(proto, [weak, target](std::shared_ptr<host::stream> s) {
      return handle_inbound(weak, target, std::move(s));
    });
  }
}

awaitable<void> daemon::handle_inbound(std::weak_ptr<daemon> weak, multiaddr target, std::shared_ptr<host::stream> s) {
  auto self = weak.lock();
  if (!self || self->closed_) {
    s->reset();
    co_return;
  }
  auto limit = self->config_.handler_dial_timeout;
  self.reset();  // the host owns this task; do not keep the daemon alive from it
  auto conn = co_await dial_endpoint(target, limit);
  if (!conn) {
    log::info("p2pd: stream handler at " + target.to_string() + " unreachable: " + conn.error().message);
    s->reset();
    co_return;
  }
  auto header = encode_stream_info(info_of(*s));
  auto sent = co_await send(**conn, header);
  if (!sent) {
    s->reset();
    co_return;
  }
  co_await splice(**conn, *s);
}

awaitable<result<bytes>> daemon::public_key_of(std::shared_ptr<daemon> self, crypto::peer_id peer,
                                               std::chrono::milliseconds limit) {
  if (peer == self->host_->id()) co_return self->host_->public_key().to_protobuf();
  if (auto inlined = peer.extract_public_key()) co_return inlined->to_protobuf();
  if (auto rec = self->host_->peers().get(peer); rec && rec->public_key) co_return rec->public_key->to_protobuf();
  if (!self->dht_) co_return make_error(errc::not_found, "public key of " + peer.to_string() + " unknown");
  auto found = co_await with_deadline(self->dht_->get_value(kad::public_key_record_key(peer)), limit,
                                      "GET_PUBLIC_KEY");
  if (!found) co_return std::move(found).error();
  co_return found->rec.value;  // the /pk/ validator checked it hashes to the peer id
}

awaitable<result<void>> daemon::do_dht(std::shared_ptr<daemon> self, core::byte_stream& conn, dht_request req) {
  if (!self->dht_) co_return make_error(errc::unsupported, "the DHT is not enabled (start with -dht or -dhtClient)");
  auto dht = self->dht_;
  auto limit = self->timeout_for(req.timeout_seconds);
  switch (req.type) {
    case dht_request_type::find_peer: {
      if (!req.peer) co_return missing("a peer", req.type);
      auto found = co_await with_deadline(dht->find_peer(*req.peer), limit, "FIND_PEER");
      if (!found) co_return agentp2p::error(found.error().code, "peer not found: " + found.error().message);
      if (found->peer.addrs.empty()) co_return make_error(errc::not_found, "peer not found: no addresses known");
      auto answer = encode_dht_peer(entry_of(found->peer));
      co_return co_await send(conn, answer);
    }
    case dht_request_type::get_public_key: {
      if (!req.peer) co_return missing("a peer", req.type);
      auto key = co_await public_key_of(self, *req.peer, limit);
      if (!key) co_return std::move(key).error();
      co_return co_await send(conn, encode_dht_value(*key));
    }
    case dht_request_type::get_value: {
      if (!req.key) co_return missing("a key", req.type);
      auto found = co_await with_deadline(dht->get_value(*req.key), limit, "GET_VALUE");
      if (!found) co_return std::move(found).error();
      co_return co_await send(conn, encode_dht_value(found->rec.value));
    }
    case dht_request_type::put_value: {
      if (!req.key || !req.value) co_return missing("a key and a value", req.type);
      auto put = co_await with_deadline(dht->put_value(*req.key, *req.value), limit, "PUT_VALUE");
      if (!put) co_return std::move(put).error();
      co_return co_await send(conn, encode_ok());
    }
    case dht_request_type::provide: {
      if (!req.cid) co_return missing("a cid", req.type);
      auto key = cid_key(*req.cid);
      if (!key) co_return std::move(key).error();
      auto put = co_await with_deadline(dht->provide(*key), limit, "PROVIDE");
      if (!put) co_return std::move(put).error();
      co_return co_await send(conn, encode_ok());
    }
    case dht_request_type::get_closest_peers: {
      if (!req.key) co_return missing("a key", req.type);
      auto closest = co_await with_deadline(dht->get_closest_peers(*req.key), limit, "GET_CLOSEST_PEERS");
      if (!closest) co_return std::move(closest).error();
      AP_CO_TRYV(co_await send(conn, encode_dht_begin()));
      for (const auto& p : closest->closest) AP_CO_TRYV(co_await send(conn, encode_dht_stream_value(p.id.to_bytes())));
      co_return co_await send(conn, encode_dht_end());
    }
    case dht_request_type::find_providers: {
      if (!req.cid) co_return missing("a cid", req.type);
      auto key = cid_key(*req.cid);
      if (!key) co_return std::move(key).error();
      std::size_t count = self->config_.default_providers;
      if (req.count && *req.count > 0) count = std::min<std::size_t>(*req.count, self->config_.max_providers);
      auto found = co_await with_deadline(dht->find_providers(*key, count), limit, "FIND_PROVIDERS");
      if (!found) co_return std::move(found).error();
      AP_CO_TRYV(co_await send(conn, encode_dht_begin()));
      std::size_t n = 0;
      for (const auto& p : found->providers) {
        if (n++ == count) break;
        auto item = encode_dht_stream_peer(entry_of(p));
        AP_CO_TRYV(co_await send(conn, item));
      }
      co_return co_await send(conn, encode_dht_end());
    }
    case dht_request_type::search_value: {
      if (!req.key) co_return missing("a key", req.type);
      auto found = co_await with_deadline(dht->get_value(*req.key), limit, "SEARCH_VALUE");
      if (!found) co_return std::move(found).error();
      AP_CO_TRYV(co_await send(conn, encode_dht_begin()));
      AP_CO_TRYV(co_await send(conn, encode_dht_stream_value(found->rec.value)));
      co_return co_await send(conn, encode_dht_end());
    }
    case dht_request_type::find_peers_connected_to_peer:
      co_return make_error(errc::unsupported, "FIND_PEERS_CONNECTED_TO_PEER is not supported by agentp2p-p2pd");
  }
  co_return make_error(errc::invalid_argument, "unknown DHT request type");
}

awaitable<void> daemon::bootstrap(std::shared_ptr<daemon> self) {
  for (const auto& addr : self->options_.bootstrap_peers) {
    auto what = "bootstrap " + addr.to_string();
    auto c = co_await with_deadline(self->host_->connect(addr), self->config_.default_timeout, what);
    if (!c) log::warn("p2pd: bootstrap peer " + addr.to_string() + ": " + c.error().message);
  }
  if (self->dht_) {
    auto b = co_await self->dht_->bootstrap();
    if (!b) log::info("p2pd: DHT bootstrap: " + b.error().message);
  }
}

}  // namespace agentp2p::p2pd
