#include "agentp2p/daemon/p2pd/wire.hpp"

#include "control.pb.h"

namespace agentp2p::p2pd {

std::string_view to_string(request_type t) noexcept {
  switch (t) {
    case request_type::identify: return "IDENTIFY";
    case request_type::connect: return "CONNECT";
    case request_type::stream_open: return "STREAM_OPEN";
    case request_type::stream_handler: return "STREAM_HANDLER";
    case request_type::dht: return "DHT";
    case request_type::list_peers: return "LIST_PEERS";
    case request_type::connmanager: return "CONNMANAGER";
    case request_type::disconnect: return "DISCONNECT";
    case request_type::pubsub: return "PUBSUB";
    case request_type::peerstore: return "PEERSTORE";
  }
  return "UNKNOWN";
}

std::string_view to_string(dht_request_type t) noexcept {
  switch (t) {
    case dht_request_type::find_peer: return "FIND_PEER";
    case dht_request_type::find_peers_connected_to_peer: return "FIND_PEERS_CONNECTED_TO_PEER";
    case dht_request_type::find_providers: return "FIND_PROVIDERS";
    case dht_request_type::get_closest_peers: return "GET_CLOSEST_PEERS";
    case dht_request_type::get_public_key: return "GET_PUBLIC_KEY";
    case dht_request_type::get_value: return "GET_VALUE";
    case dht_request_type::search_value: return "SEARCH_VALUE";
    case dht_request_type::put_value: return "PUT_VALUE";
    case dht_request_type::provide: return "PROVIDE";
  }
  return "UNKNOWN";
}

namespace {

agentp2p::error bad(std::string what) { return make_error(errc::decode_error, "p2pd request: " + what); }

result<crypto::peer_id> read_peer(const std::string& raw, std::string_view field) {
  if (raw.empty()) return bad(std::string(field) + " is missing");
  auto id = crypto::peer_id::from_bytes(as_bytes(raw));
  if (!id) return bad(std::string(field) + " is not a peer id: " + id.error().message);
  return id;
}

result<multiformats::multiaddr> read_addr(const std::string& raw, std::string_view field) {
  auto a = multiformats::multiaddr::from_bytes(as_bytes(raw));
  if (!a) return bad(std::string(field) + " is not a multiaddr: " + a.error().message);
  return a;
}

result<std::vector<multiformats::multiaddr>> read_addrs(const google::protobuf::RepeatedPtrField<std::string>& in,
                                                        const wire_limits& limits) {
  if (static_cast<std::size_t>(in.size()) > limits.max_addrs)
    return make_error(errc::too_large, "p2pd request: more than " + std::to_string(limits.max_addrs) + " addresses");
  std::vector<multiformats::multiaddr> out;
  for (const auto& raw : in) {
    AP_TRY(auto a, read_addr(raw, "address"));
    out.push_back(std::move(a));
  }
  return out;
}

result<std::vector<std::string>> read_protocols(const google::protobuf::RepeatedPtrField<std::string>& in,
                                                const wire_limits& limits, bool required) {
  if (required && in.empty()) return bad("no protocol given");
  if (static_cast<std::size_t>(in.size()) > limits.max_protocols)
    return make_error(errc::too_large,
                      "p2pd request: more than " + std::to_string(limits.max_protocols) + " protocols");
  std::vector<std::string> out;
  for (const auto& p : in) {
    if (p.empty()) return bad("empty protocol id");
    if (p.size() > limits.max_protocol_length) return make_error(errc::too_large, "p2pd request: protocol id too long");
    out.push_back(p);
  }
  return out;
}

result<dht_request> read_dht(const pb::DHTRequest& in, const wire_limits& limits) {
  if (!in.has_type()) return bad("DHT request without a type");
  if (in.type() < 0 || in.type() > static_cast<int>(dht_request_type::provide))
    return bad("unknown DHT request type " + std::to_string(in.type()));
  dht_request r;
  r.type = static_cast<dht_request_type>(in.type());
  if (in.has_peer()) {
    AP_TRY(auto p, read_peer(in.peer(), "dht.peer"));
    r.peer = std::move(p);
  }
  if (in.has_cid()) {
    if (in.cid().size() > limits.max_dht_key_size) return make_error(errc::too_large, "p2pd request: cid too long");
    r.cid = to_bytes(in.cid());
  }
  if (in.has_key()) {
    if (in.key().size() > limits.max_dht_key_size) return make_error(errc::too_large, "p2pd request: DHT key too long");
    r.key = to_bytes(in.key());
  }
  if (in.has_value()) {
    if (in.value().size() > limits.max_dht_value_size)
      return make_error(errc::too_large, "p2pd request: DHT value too large");
    r.value = to_bytes(in.value());
  }
  if (in.has_count()) r.count = in.count();
  if (in.has_timeout()) r.timeout_seconds = in.timeout();
  return r;
}

template <class M>
bytes serialize(const M& m) {
  bytes out(m.ByteSizeLong());
  m.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

void fill_peer(pb::PeerInfo& out, const peer_entry& p) {
  out.set_id(p.id.to_bytes().data(), p.id.to_bytes().size());
  for (const auto& a : p.addrs) out.add_addrs(a.to_bytes().data(), a.to_bytes().size());
}

void fill_stream_info(pb::StreamInfo& out, const stream_info& s) {
  out.set_peer(s.peer.to_bytes().data(), s.peer.to_bytes().size());
  out.set_addr(s.addr.to_bytes().data(), s.addr.to_bytes().size());
  out.set_proto(s.protocol);
}

pb::Response ok_response() {
  pb::Response r;
  r.set_type(pb::Response::OK);
  return r;
}

std::optional<peer_entry> read_peer_entry(const pb::PeerInfo& in) {
  auto id = crypto::peer_id::from_bytes(as_bytes(in.id()));
  if (!id) return std::nullopt;
  peer_entry e{std::move(*id), {}};
  for (const auto& a : in.addrs())
    if (auto m = multiformats::multiaddr::from_bytes(as_bytes(a))) e.addrs.push_back(std::move(*m));
  return e;
}

}  // namespace

result<request> decode_request(byte_span data, const wire_limits& limits) {
  if (data.size() > limits.max_request_size) return make_error(errc::too_large, "p2pd request: too large");
  pb::Request in;
  if (!in.ParseFromArray(data.data(), static_cast<int>(data.size()))) return bad("not a Request protobuf");
  if (!in.has_type()) return bad("no request type");
  if (in.type() < 0 || in.type() > static_cast<int>(request_type::peerstore))
    return bad("unknown request type " + std::to_string(in.type()));
  request r;
  r.type = static_cast<request_type>(in.type());
  switch (r.type) {
    case request_type::connect: {
      if (!in.has_connect()) return bad("CONNECT without connect");
      AP_TRY(auto peer, read_peer(in.connect().peer(), "connect.peer"));
      AP_TRY(auto addrs, read_addrs(in.connect().addrs(), limits));
      connect_request c{std::move(peer), std::move(addrs), std::nullopt};
      if (in.connect().has_timeout()) c.timeout_seconds = in.connect().timeout();
      r.connect = std::move(c);
      break;
    }
    case request_type::stream_open: {
      if (!in.has_streamopen()) return bad("STREAM_OPEN without streamOpen");
      AP_TRY(auto peer, read_peer(in.streamopen().peer(), "streamOpen.peer"));
      AP_TRY(auto protos, read_protocols(in.streamopen().proto(), limits, true));
      stream_open_request s{std::move(peer), std::move(protos), std::nullopt};
      if (in.streamopen().has_timeout()) s.timeout_seconds = in.streamopen().timeout();
      r.stream_open = std::move(s);
      break;
    }
    case request_type::stream_handler: {
      if (!in.has_streamhandler()) return bad("STREAM_HANDLER without streamHandler");
      if (in.streamhandler().addr().empty()) return bad("streamHandler.addr is missing");
      AP_TRY(auto addr, read_addr(in.streamhandler().addr(), "streamHandler.addr"));
      AP_TRY(auto protos, read_protocols(in.streamhandler().proto(), limits, true));
      r.stream_handler = stream_handler_request{std::move(addr), std::move(protos)};
      break;
    }
    case request_type::dht: {
      if (!in.has_dht()) return bad("DHT without dht");
      AP_TRY(auto d, read_dht(in.dht(), limits));
      r.dht = std::move(d);
      break;
    }
    case request_type::disconnect: {
      if (!in.has_disconnect()) return bad("DISCONNECT without disconnect");
      AP_TRY(auto peer, read_peer(in.disconnect().peer(), "disconnect.peer"));
      r.disconnect_peer = std::move(peer);
      break;
    }
    case request_type::peerstore: {
      if (!in.has_peerstore()) return bad("PEERSTORE without peerStore");
      const auto& ps = in.peerstore();
      if (ps.type() < 0 || ps.type() > static_cast<int>(peerstore_request_type::get_peer_info))
        return bad("unknown PEERSTORE request type " + std::to_string(ps.type()));
      peerstore_request p;
      p.type = static_cast<peerstore_request_type>(ps.type());
      if (ps.has_id()) {
        AP_TRY(auto peer, read_peer(ps.id(), "peerStore.id"));
        p.peer = std::move(peer);
      }
      AP_TRY(auto protos, read_protocols(ps.protos(), limits, false));
      p.protocols = std::move(protos);
      r.peerstore = std::move(p);
      break;
    }
    default:
      break;  // no payload (IDENTIFY, LIST_PEERS) or one we do not read (CONNMANAGER, PUBSUB)
  }
  return r;
}

bytes encode_ok() { return serialize(ok_response()); }

bytes encode_error(std::string_view message) {
  pb::Response r;
  r.set_type(pb::Response::ERROR);
  r.mutable_error()->set_msg(std::string(message));
  return serialize(r);
}

bytes encode_identify(const crypto::peer_id& self, const std::vector<multiformats::multiaddr>& addrs) {
  auto r = ok_response();
  auto* id = r.mutable_identify();
  id->set_id(self.to_bytes().data(), self.to_bytes().size());
  for (const auto& a : addrs) id->add_addrs(a.to_bytes().data(), a.to_bytes().size());
  return serialize(r);
}

bytes encode_peers(const std::vector<peer_entry>& peers) {
  auto r = ok_response();
  for (const auto& p : peers) fill_peer(*r.add_peers(), p);
  return serialize(r);
}

bytes encode_stream_open(const stream_info& info) {
  auto r = ok_response();
  fill_stream_info(*r.mutable_streaminfo(), info);
  return serialize(r);
}

bytes encode_stream_info(const stream_info& info) {
  pb::StreamInfo s;
  fill_stream_info(s, info);
  return serialize(s);
}

bytes encode_peerstore_protocols(const std::vector<std::string>& protocols) {
  auto r = ok_response();
  for (const auto& p : protocols) r.mutable_peerstore()->add_protos(p);
  return serialize(r);
}

bytes encode_peerstore_peer(const peer_entry& peer) {
  auto r = ok_response();
  fill_peer(*r.mutable_peerstore()->mutable_peer(), peer);
  return serialize(r);
}

bytes encode_dht_value(byte_span value) {
  auto r = ok_response();
  r.mutable_dht()->set_type(pb::DHTResponse::VALUE);
  r.mutable_dht()->set_value(value.data(), value.size());
  return serialize(r);
}

bytes encode_dht_peer(const peer_entry& peer) {
  auto r = ok_response();
  r.mutable_dht()->set_type(pb::DHTResponse::VALUE);
  fill_peer(*r.mutable_dht()->mutable_peer(), peer);
  return serialize(r);
}

bytes encode_dht_begin() {
  auto r = ok_response();
  r.mutable_dht()->set_type(pb::DHTResponse::BEGIN);
  return serialize(r);
}

bytes encode_dht_stream_value(byte_span value) {
  pb::DHTResponse d;
  d.set_type(pb::DHTResponse::VALUE);
  d.set_value(value.data(), value.size());
  return serialize(d);
}

bytes encode_dht_stream_peer(const peer_entry& peer) {
  pb::DHTResponse d;
  d.set_type(pb::DHTResponse::VALUE);
  fill_peer(*d.mutable_peer(), peer);
  return serialize(d);
}

bytes encode_dht_end() {
  pb::DHTResponse d;
  d.set_type(pb::DHTResponse::END);
  return serialize(d);
}

result<response> decode_response(byte_span data) {
  pb::Response in;
  if (!in.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return make_error(errc::decode_error, "p2pd response: not a Response protobuf");
  response r;
  r.ok = in.has_type() && in.type() == pb::Response::OK;
  if (in.has_error()) r.error = in.error().msg();
  if (in.has_streaminfo()) {
    auto id = crypto::peer_id::from_bytes(as_bytes(in.streaminfo().peer()));
    auto addr = multiformats::multiaddr::from_bytes(as_bytes(in.streaminfo().addr()));
    if (id && addr) r.stream = stream_info{std::move(*id), std::move(*addr), in.streaminfo().proto()};
  }
  if (in.has_identify()) {
    pb::PeerInfo p;
    p.set_id(in.identify().id());
    for (const auto& a : in.identify().addrs()) p.add_addrs(a);
    r.identify = read_peer_entry(p);
  }
  for (const auto& p : in.peers())
    if (auto e = read_peer_entry(p)) r.peers.push_back(std::move(*e));
  if (in.has_dht()) {
    r.dht_type = in.dht().type();
    if (in.dht().has_peer()) r.dht_peer = read_peer_entry(in.dht().peer());
    if (in.dht().has_value()) r.dht_value = to_bytes(in.dht().value());
  }
  if (in.has_peerstore())
    for (const auto& p : in.peerstore().protos()) r.peerstore_protocols.push_back(p);
  return r;
}

result<dht_stream_item> decode_dht_stream_item(byte_span data) {
  pb::DHTResponse in;
  if (!in.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return make_error(errc::decode_error, "p2pd response: not a DHTResponse protobuf");
  dht_stream_item item;
  item.type = in.type();
  if (in.has_peer()) item.peer = read_peer_entry(in.peer());
  if (in.has_value()) item.value = to_bytes(in.value());
  return item;
}

result<stream_info> decode_stream_info(byte_span data) {
  pb::StreamInfo in;
  if (!in.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return make_error(errc::decode_error, "p2pd: not a StreamInfo protobuf");
  auto id = crypto::peer_id::from_bytes(as_bytes(in.peer()));
  if (!id) return id.error();
  auto addr = multiformats::multiaddr::from_bytes(as_bytes(in.addr()));
  if (!addr) return addr.error();
  return stream_info{std::move(*id), std::move(*addr), in.proto()};
}

bytes encode_request_identify() {
  pb::Request r;
  r.set_type(static_cast<int>(request_type::identify));
  return serialize(r);
}

bytes encode_request_list_peers() {
  pb::Request r;
  r.set_type(static_cast<int>(request_type::list_peers));
  return serialize(r);
}

bytes encode_request_connect(const crypto::peer_id& peer, const std::vector<multiformats::multiaddr>& addrs) {
  pb::Request r;
  r.set_type(static_cast<int>(request_type::connect));
  r.mutable_connect()->set_peer(peer.to_bytes().data(), peer.to_bytes().size());
  for (const auto& a : addrs) r.mutable_connect()->add_addrs(a.to_bytes().data(), a.to_bytes().size());
  return serialize(r);
}

bytes encode_request_disconnect(const crypto::peer_id& peer) {
  pb::Request r;
  r.set_type(static_cast<int>(request_type::disconnect));
  r.mutable_disconnect()->set_peer(peer.to_bytes().data(), peer.to_bytes().size());
  return serialize(r);
}

bytes encode_request_stream_open(const crypto::peer_id& peer, const std::string& protocol) {
  pb::Request r;
  r.set_type(static_cast<int>(request_type::stream_open));
  r.mutable_streamopen()->set_peer(peer.to_bytes().data(), peer.to_bytes().size());
  r.mutable_streamopen()->add_proto(protocol);
  return serialize(r);
}

bytes encode_request_stream_handler(const multiformats::multiaddr& addr, const std::string& protocol) {
  pb::Request r;
  r.set_type(static_cast<int>(request_type::stream_handler));
  r.mutable_streamhandler()->set_addr(addr.to_bytes().data(), addr.to_bytes().size());
  r.mutable_streamhandler()->add_proto(protocol);
  return serialize(r);
}

bytes encode_request_dht(const dht_request& d) {
  pb::Request r;
  r.set_type(static_cast<int>(request_type::dht));
  auto* out = r.mutable_dht();
  out->set_type(static_cast<int>(d.type));
  if (d.peer) out->set_peer(d.peer->to_bytes().data(), d.peer->to_bytes().size());
  if (d.cid) out->set_cid(d.cid->data(), d.cid->size());
  if (d.key) out->set_key(d.key->data(), d.key->size());
  if (d.value) out->set_value(d.value->data(), d.value->size());
  if (d.count) out->set_count(*d.count);
  if (d.timeout_seconds) out->set_timeout(*d.timeout_seconds);
  return serialize(r);
}

}  // namespace agentp2p::p2pd
