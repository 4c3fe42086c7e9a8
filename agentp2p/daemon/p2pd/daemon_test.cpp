// Two daemons in one process, driven over their unix control sockets the way
// @libp2p/daemon-client drives p2pd: identify, connect, list peers, a stream
// to a registered handler, the DHT requests, disconnect, and bad requests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/uvarint.hpp"
#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/daemon/p2pd/daemon.hpp"
#include "agentp2p/multiformats/cid.hpp"
#include "agentp2p/protocols/kad/validator.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace agentp2p;
using namespace agentp2p::p2pd;
using namespace std::chrono_literals;
using multiformats::multiaddr;

// ASSERT_* cannot return from a coroutine; this can.
#define CO_ASSERT(cond, msg)                          \
  do {                                                \
    if (!(cond)) {                                    \
      ADD_FAILURE() << #cond << " " << msg;           \
      co_return;                                      \
    }                                                 \
  } while (0)

namespace {

using agentp2p::test::temp_dir;

multiaddr unix_socket(const temp_dir& dir, const std::string& name) {
  return *multiaddr::parse("/unix" + (dir.path / name).string());
}

options daemon_options(const temp_dir& dir, const std::string& name, bool dht) {
  options o;
  o.control = unix_socket(dir, name + ".sock");
  o.host_addrs = {*multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
  o.security = {security::noise};
  o.dht = dht ? dht_mode::server : dht_mode::off;
  return o;
}

// Runs a daemon's start-up to completion; the daemon's own work keeps running
// on `ctx` afterwards (so test::run, which waits for `ctx` to run dry, does not fit).
result<std::shared_ptr<p2pd::daemon>> start_daemon(asio::io_context& ctx,
                                                   awaitable<result<std::shared_ptr<p2pd::daemon>>> starting) {
  std::optional<result<std::shared_ptr<p2pd::daemon>>> out;
  asio::co_spawn(ctx, std::move(starting), [&](std::exception_ptr e, result<std::shared_ptr<p2pd::daemon>> r) {
    if (!e) out.emplace(std::move(r));
    ctx.stop();
  });
  ctx.restart();
  ctx.run_for(30s);
  if (!out) throw std::runtime_error("daemon start-up did not finish");
  return std::move(*out);
}

std::shared_ptr<p2pd::daemon> start(asio::io_context& ctx, const options& o) {
  daemon_config cfg;
  cfg.request_timeout = 500ms;  // for the silent-client case
  auto d = start_daemon(ctx, p2pd::daemon::start(ctx.get_executor(), o, cfg));
  if (!d) throw std::runtime_error(d.error().what());
  return *d;
}

// One request, one response.
awaitable<result<response>> call(multiaddr control, bytes req) {
  AP_CO_TRY(auto conn, co_await dial_endpoint(control, 5s));
  AP_CO_TRYV(co_await core::write_length_prefixed(*conn, req));
  AP_CO_TRY(auto raw, co_await core::read_length_prefixed(*conn, 1 << 20));
  co_return decode_response(raw);
}

// A DHT request answered with BEGIN, VALUE..., END.
awaitable<result<std::vector<dht_stream_item>>> call_stream(multiaddr control, bytes req) {
  AP_CO_TRY(auto conn, co_await dial_endpoint(control, 5s));
  AP_CO_TRYV(co_await core::write_length_prefixed(*conn, req));
  AP_CO_TRY(auto first, co_await core::read_length_prefixed(*conn, 1 << 20));
  AP_CO_TRY(auto begin, decode_response(first));
  if (!begin.ok) co_return make_error(errc::protocol_error, begin.error);
  std::vector<dht_stream_item> items;
  for (int i = 0; i < 100; ++i) {
    AP_CO_TRY(auto raw, co_await core::read_length_prefixed(*conn, 1 << 20));
    AP_CO_TRY(auto item, decode_dht_stream_item(raw));
    if (item.type == 2) co_return items;
    items.push_back(std::move(item));
  }
  co_return make_error(errc::limit_exceeded, "no END");
}

dht_request dht_req(dht_request_type t) {
  dht_request r;
  r.type = t;
  return r;
}

bytes some_cid() {
  multiformats::cid c;
  c.hash = multiformats::multihash::from_digest(multiformats::hash_code::sha2_256, crypto::sha256(as_bytes("x")));
  return c.to_bytes();
}

// The client side of a stream handler: accept the daemon's dial, read the
// StreamInfo, echo everything back.
awaitable<result<stream_info>> echo_handler(control_listener& l) {
  AP_CO_TRY(auto conn, co_await l.accept());
  AP_CO_TRY(auto header, co_await core::read_length_prefixed(*conn, 4096));
  AP_CO_TRY(auto info, decode_stream_info(header));
  AP_CO_TRY(auto data, co_await core::read_to_end(*conn, 4096));
  AP_CO_TRYV(co_await conn->write(data));
  AP_CO_TRYV(co_await conn->close_write());
  co_return info;
}

awaitable<result<bytes>> open_and_echo(multiaddr control, crypto::peer_id to, std::string text) {
  AP_CO_TRY(auto conn, co_await dial_endpoint(control, 5s));
  AP_CO_TRYV(co_await core::write_length_prefixed(*conn, encode_request_stream_open(to, "/echo/1.0.0")));
  AP_CO_TRY(auto raw, co_await core::read_length_prefixed(*conn, 4096));
  AP_CO_TRY(auto resp, decode_response(raw));
  if (!resp.ok || !resp.stream || resp.stream->protocol != "/echo/1.0.0")
    co_return make_error(errc::protocol_error, "STREAM_OPEN: " + resp.error);
  AP_CO_TRYV(co_await conn->write(as_bytes(text)));
  AP_CO_TRYV(co_await conn->close_write());
  co_return co_await core::read_to_end(*conn, 4096);
}

}  // namespace

TEST(p2pd_daemon, identify_connect_streams_dht_and_disconnect) {
  asio::io_context ctx;
  temp_dir dir;
  auto a = start(ctx, daemon_options(dir, "a", true));
  auto b = start(ctx, daemon_options(dir, "b", true));
  auto handler = control_listener::listen(ctx.get_executor(), unix_socket(dir, "handler.sock")).value();
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto ca = a->control_address();
    auto cb = b->control_address();
    auto ida = co_await call(ca, encode_request_identify());
    CO_ASSERT(ida, ida.error().what());
    CO_ASSERT(ida->ok && ida->identify, "");
    EXPECT_EQ(ida->identify->id, a->node().id());
    EXPECT_FALSE(ida->identify->addrs.empty());
    auto idb = co_await call(cb, encode_request_identify());
    CO_ASSERT(idb && idb->identify, "");
    auto pb = idb->identify->id;

    auto none = co_await call(ca, encode_request_list_peers());
    CO_ASSERT(none, "");
    EXPECT_TRUE(none->peers.empty());

    auto connected = co_await call(ca, encode_request_connect(pb, idb->identify->addrs));
    CO_ASSERT(connected, "");
    EXPECT_TRUE(connected->ok) << connected->error;
    auto pa = co_await call(ca, encode_request_list_peers());
    CO_ASSERT(pa, "");
    CO_ASSERT((pa->peers.size()) == (1u), "");
    EXPECT_EQ(pa->peers[0].id, pb);
    auto pbs = co_await call(cb, encode_request_list_peers());
    CO_ASSERT(pbs, "");
    CO_ASSERT((pbs->peers.size()) == (1u), "");
    EXPECT_EQ(pbs->peers[0].id, a->node().id());

    // A stream from A to the handler registered on B.
    auto reg = co_await call(cb, encode_request_stream_handler(handler->address(), "/echo/1.0.0"));
    CO_ASSERT(reg, "");
    EXPECT_TRUE(reg->ok) << reg->error;
    using namespace asio::experimental::awaitable_operators;
    auto [echoed, seen] = co_await (open_and_echo(ca, pb, "hello over p2pd") && echo_handler(*handler));
    CO_ASSERT(echoed, echoed.error().what());
    EXPECT_EQ(as_string_view(*echoed), "hello over p2pd");
    CO_ASSERT(seen, seen.error().what());
    EXPECT_EQ(seen->peer, a->node().id());
    EXPECT_EQ(seen->protocol, "/echo/1.0.0");

    // DHT: a /pk/ record, a provider record, peer routing, public keys.
    auto put = dht_req(dht_request_type::put_value);
    put.key = kad::public_key_record_key(a->node().id());
    put.value = a->node().public_key().to_protobuf();
    auto stored = co_await call(ca, encode_request_dht(put));
    CO_ASSERT(stored, "");
    EXPECT_TRUE(stored->ok) << stored->error;
    auto get = dht_req(dht_request_type::get_value);
    get.key = put.key;
    auto got = co_await call(cb, encode_request_dht(get));
    CO_ASSERT(got, "");
    CO_ASSERT(got->ok, got->error);
    EXPECT_EQ(*got->dht_value, *put.value);

    auto provide = dht_req(dht_request_type::provide);
    provide.cid = some_cid();
    auto provided = co_await call(ca, encode_request_dht(provide));
    CO_ASSERT(provided, "");
    EXPECT_TRUE(provided->ok) << provided->error;
    auto find = dht_req(dht_request_type::find_providers);
    find.cid = some_cid();
    find.count = 1;
    auto providers = co_await call_stream(cb, encode_request_dht(find));
    CO_ASSERT(providers, providers.error().what());
    CO_ASSERT((providers->size()) == (1u), "");
    CO_ASSERT((*providers)[0].peer, "");
    EXPECT_EQ((*providers)[0].peer->id, a->node().id());

    auto find_peer = dht_req(dht_request_type::find_peer);
    find_peer.peer = a->node().id();
    auto found = co_await call(cb, encode_request_dht(find_peer));
    CO_ASSERT(found, "");
    CO_ASSERT(found->ok && found->dht_peer, found->error);
    EXPECT_FALSE(found->dht_peer->addrs.empty());

    auto pk = dht_req(dht_request_type::get_public_key);
    pk.peer = a->node().id();
    auto key = co_await call(cb, encode_request_dht(pk));
    CO_ASSERT(key, "");
    CO_ASSERT(key->ok, key->error);
    EXPECT_EQ(*key->dht_value, a->node().public_key().to_protobuf());

    auto closest = dht_req(dht_request_type::get_closest_peers);
    closest.key = to_bytes("anything");
    auto near = co_await call_stream(ca, encode_request_dht(closest));
    CO_ASSERT(near, near.error().what());
    CO_ASSERT(!(near->empty()), "");
    EXPECT_EQ(crypto::peer_id::from_bytes(*(*near)[0].value).value(), pb);

    auto gone = co_await call(ca, encode_request_disconnect(pb));
    CO_ASSERT(gone, "");
    EXPECT_TRUE(gone->ok);
    auto after = co_await call(ca, encode_request_list_peers());
    CO_ASSERT(after, "");
    EXPECT_TRUE(after->peers.empty());

    handler->close();
    co_await a->close();
    co_await b->close();
  });
  EXPECT_FALSE(std::filesystem::exists(dir.path / "a.sock"));  // removed on close
}

TEST(p2pd_daemon, bad_requests_get_errors_and_nothing_breaks) {
  asio::io_context ctx;
  temp_dir dir;
  auto a = start(ctx, daemon_options(dir, "a", false));
  test::run_void(ctx, [&](executor) -> awaitable<void> {
    auto ca = a->control_address();
    auto garbage = co_await call(ca, to_bytes("\x08\x63"));  // request type 99
    CO_ASSERT(garbage, "");
    EXPECT_FALSE(garbage->ok);
    EXPECT_NE(garbage->error.find("unknown request type"), std::string::npos) << garbage->error;

    auto no_dht = co_await call(ca, encode_request_dht(dht_req(dht_request_type::get_value)));
    CO_ASSERT(no_dht, "");
    EXPECT_FALSE(no_dht->ok);
    EXPECT_NE(no_dht->error.find("DHT is not enabled"), std::string::npos) << no_dht->error;

    auto stranger = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
    auto open = co_await call(ca, encode_request_stream_open(stranger, "/echo/1.0.0"));
    CO_ASSERT(open, "");
    EXPECT_FALSE(open->ok);
    EXPECT_FALSE(open->error.empty());

    auto cm = co_await call(ca, to_bytes("\x08\x06"));  // CONNMANAGER
    CO_ASSERT(cm, "");
    EXPECT_FALSE(cm->ok);

    {
      // A length prefix over the request cap: the connection is closed unanswered.
      auto conn = (co_await dial_endpoint(ca, 5s)).value();
      bytes prefix;
      uvarint::append(prefix, 64u << 20);
      auto w = co_await conn->write(prefix);
      EXPECT_TRUE(w);
      auto r = co_await core::read_to_end(*conn, 4096);
      EXPECT_TRUE(!r || r->empty());
    }
    {
      // A client that never sends its request is dropped after request_timeout.
      auto conn = (co_await dial_endpoint(ca, 5s)).value();
      auto r = co_await core::read_to_end(*conn, 4096);
      EXPECT_TRUE(!r || r->empty());
    }
    // Still serving.
    auto id = co_await call(ca, encode_request_identify());
    CO_ASSERT(id, "");
    EXPECT_TRUE(id->ok);
    co_await a->close();
  });
}

TEST(p2pd_daemon, a_control_socket_in_use_is_refused_and_a_stale_one_replaced) {
  asio::io_context ctx;
  temp_dir dir;
  auto o = daemon_options(dir, "a", false);
  auto a = start(ctx, o);
  auto twice = start_daemon(ctx, p2pd::daemon::start(ctx.get_executor(), o));
  ASSERT_FALSE(twice);
  EXPECT_TRUE(twice.error().is(errc::already_exists)) << twice.error().what();
  test::run_void(ctx, [&](executor) -> awaitable<void> { co_await a->close(); });

  // A socket file nobody listens on (a daemon that was killed) is replaced.
  asio::io_context other;
  {
    asio::local::stream_protocol::acceptor dead(other);
    dead.open(asio::local::stream_protocol());
    dead.bind(asio::local::stream_protocol::endpoint((dir.path / "a.sock").string()));
  }  // closed, file left behind
  ASSERT_TRUE(std::filesystem::exists(dir.path / "a.sock"));
  auto again = start(ctx, o);
  test::run_void(ctx, [&](executor) -> awaitable<void> { co_await again->close(); });
}
