#include "agentp2p/protocols/identify/wire.hpp"

#include "identify.pb.h"

namespace agentp2p::identify {

bytes encode(const message& m) {
  pb::Identify msg;
  if (m.protocol_version) msg.set_protocolversion(*m.protocol_version);
  if (m.agent_version) msg.set_agentversion(*m.agent_version);
  if (m.public_key) {
    auto key = m.public_key->to_protobuf();
    msg.set_publickey(key.data(), key.size());
  }
  for (const auto& a : m.listen_addrs) msg.add_listenaddrs(a.to_bytes().data(), a.to_bytes().size());
  if (m.observed_addr) msg.set_observedaddr(m.observed_addr->to_bytes().data(), m.observed_addr->to_bytes().size());
  for (const auto& p : m.protocols) msg.add_protocols(p);
  std::string out;
  msg.SerializeToString(&out);
  return to_bytes(out);
}

result<message> decode(byte_span data) {
  pb::Identify msg;
  if (!msg.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return make_error(errc::decode_error, "identify: malformed message");
  message m;
  if (msg.has_protocolversion()) m.protocol_version = msg.protocolversion();
  if (msg.has_agentversion()) m.agent_version = msg.agentversion();
  if (msg.has_publickey()) {
    AP_TRY(auto key, crypto::public_key::from_protobuf(as_bytes(msg.publickey())));
    m.public_key = std::move(key);
  }
  m.has_listen_addrs = msg.listenaddrs_size() > 0;
  for (const auto& a : msg.listenaddrs())
    if (auto parsed = multiformats::multiaddr::from_bytes(as_bytes(a))) m.listen_addrs.push_back(std::move(*parsed));
  if (msg.has_observedaddr())
    if (auto parsed = multiformats::multiaddr::from_bytes(as_bytes(msg.observedaddr())))
      m.observed_addr = std::move(*parsed);
  m.has_protocols = msg.protocols_size() > 0;
  for (const auto& p : msg.protocols()) m.protocols.push_back(p);
  return m;
}

void merge(message& into, message&& from) {
  if (from.protocol_version) into.protocol_version = std::move(from.protocol_version);
  if (from.agent_version) into.agent_version = std::move(from.agent_version);
  if (from.public_key) into.public_key = std::move(from.public_key);
  if (from.observed_addr) into.observed_addr = std::move(from.observed_addr);
  for (auto& a : from.listen_addrs) into.listen_addrs.push_back(std::move(a));
  for (auto& p : from.protocols) into.protocols.push_back(std::move(p));
  into.has_listen_addrs = into.has_listen_addrs || from.has_listen_addrs;
  into.has_protocols = into.has_protocols || from.has_protocols;
}

}  // namespace agentp2p::identify
