#include "agentp2p/protocols/kad/wire.hpp"

#include "kad.pb.h"

namespace agentp2p::kad {

std::string_view to_string(message_type t) noexcept {
  switch (t) {
    case message_type::put_value: return "PUT_VALUE";
    case message_type::get_value: return "GET_VALUE";
    case message_type::add_provider: return "ADD_PROVIDER";
    case message_type::get_providers: return "GET_PROVIDERS";
    case message_type::find_node: return "FIND_NODE";
    case message_type::ping: return "PING";
  }
  return "UNKNOWN";
}

namespace {

void fill_record(pb::Record& out, const record& r) {
  out.set_key(r.key.data(), r.key.size());
  out.set_value(r.value.data(), r.value.size());
  if (!r.time_received.empty()) out.set_timereceived(r.time_received);
}

void fill_peer(pb::Message::Peer& out, const peer_info& p) {
  out.set_id(p.id.to_bytes().data(), p.id.to_bytes().size());
  for (const auto& a : p.addrs) out.add_addrs(a.to_bytes().data(), a.to_bytes().size());
  if (p.connection != connection_type::not_connected) out.set_connection(static_cast<int>(p.connection));
}

void read_peers(const google::protobuf::RepeatedPtrField<pb::Message::Peer>& in, std::vector<peer_info>& out,
                const wire_limits& limits, decode_report& report) {
  for (const auto& p : in) {
    if (out.size() >= limits.max_peers_per_list) {
      ++report.dropped_peers;
      continue;
    }
    auto id = crypto::peer_id::from_bytes(as_bytes(p.id()));
    if (!id) {
      ++report.dropped_peers;
      continue;
    }
    peer_info info{std::move(*id), {}, connection_type::not_connected};
    if (p.connection() >= 0 && p.connection() <= 3) info.connection = static_cast<connection_type>(p.connection());
    for (const auto& a : p.addrs()) {
      if (info.addrs.size() >= limits.max_addrs_per_peer) {
        ++report.dropped_addrs;
        continue;
      }
      auto addr = multiformats::multiaddr::from_bytes(as_bytes(a));
      if (addr) info.addrs.push_back(std::move(*addr));
      else ++report.dropped_addrs;
    }
    out.push_back(std::move(info));
  }
}

}  // namespace

bytes encode_record(const record& r) {
  pb::Record rec;
  fill_record(rec, r);
  std::string out;
  rec.SerializeToString(&out);
  return to_bytes(out);
}

bytes encode(const message& m) {
  pb::Message msg;
  msg.set_type(static_cast<int>(m.type));
  if (!m.key.empty()) msg.set_key(m.key.data(), m.key.size());
  if (m.rec) fill_record(*msg.mutable_record(), *m.rec);
  for (const auto& p : m.closer_peers) fill_peer(*msg.add_closerpeers(), p);
  for (const auto& p : m.provider_peers) fill_peer(*msg.add_providerpeers(), p);
  std::string out;
  msg.SerializeToString(&out);
  return to_bytes(out);
}

result<message> decode(byte_span data, const wire_limits& limits, decode_report* report) {
  if (data.size() > limits.max_message_size)
    return make_error(errc::too_large, "kad: message of " + std::to_string(data.size()) + " bytes is over the limit");
  pb::Message msg;
  if (!msg.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return make_error(errc::decode_error, "kad: malformed message");
  if (msg.type() < 0 || msg.type() > 5)
    return make_error(errc::decode_error, "kad: unknown message type " + std::to_string(msg.type()));
  if (msg.key().size() > limits.max_key_size)
    return make_error(errc::too_large, "kad: key of " + std::to_string(msg.key().size()) + " bytes is over the limit");
  message m;
  m.type = static_cast<message_type>(msg.type());
  m.key = to_bytes(msg.key());
  if (msg.has_record()) {
    const auto& r = msg.record();
    if (r.key().size() > limits.max_key_size)
      return make_error(errc::too_large, "kad: record key over the limit");
    if (r.value().size() > limits.max_value_size)
      return make_error(errc::too_large,
                        "kad: record value of " + std::to_string(r.value().size()) + " bytes is over the limit");
    m.rec = record{to_bytes(r.key()), to_bytes(r.value()), r.timereceived().substr(0, 64)};
  }
  decode_report local;
  decode_report& rep = report ? *report : local;
  read_peers(msg.closerpeers(), m.closer_peers, limits, rep);
  read_peers(msg.providerpeers(), m.provider_peers, limits, rep);
  return m;
}

}  // namespace agentp2p::kad
