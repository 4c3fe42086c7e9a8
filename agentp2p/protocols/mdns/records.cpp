#include "agentp2p/protocols/mdns/records.hpp"

#include <algorithm>
#include <map>
#include <random>

namespace agentp2p::mdns {

using multiformats::multiaddr;
using multiformats::protocol_code;

std::string full_service_name(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  const std::string_view local = ".local";
  if (out.size() < local.size() || !same_name(std::string_view(out).substr(out.size() - local.size()), local))
    out += local;
  return out;
}

std::string random_peer_name() {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::mt19937 gen(rd());
  std::uniform_int_distribution<std::size_t> len(32, 63);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out(len(gen), 'a');
  for (auto& c : out) c = alphabet[pick(gen)];
  return out;
}

message make_query(std::string_view service) {
  message m;
  question q;
  q.name = std::string(service);
  q.type = rr_type::ptr;
  m.questions.push_back(std::move(q));
  return m;
}

namespace {

record make_record(std::string name, std::uint16_t type, std::uint32_t ttl) {
  record r;
  r.name = std::move(name);
  r.type = type;
  r.ttl = ttl;
  return r;
}

}  // namespace

message make_response(const announcement& a) {
  message m;
  m.flags = message::flag_response | message::flag_authoritative;
  const std::string instance = a.peer_name + "." + a.service;
  const std::string host = a.peer_name + ".local";

  auto ptr = make_record(a.service, rr_type::ptr, a.ttl);
  ptr.ptr = instance;
  m.answers.push_back(std::move(ptr));

  auto srv = make_record(instance, rr_type::srv, a.ttl);
  srv.cache_flush = true;
  srv.srv.port = a.port;
  srv.srv.target = host;
  m.additionals.push_back(std::move(srv));

  auto txt = make_record(instance, rr_type::txt, a.ttl);
  txt.cache_flush = true;
  for (const auto& addr : a.addrs) {
    std::string s = std::string(dnsaddr_prefix) + addr.to_string();
    if (s.size() <= 255) txt.txt.push_back(std::move(s));
  }
  m.additionals.push_back(std::move(txt));

  for (const auto& ip : a.ips) {
    if (ip.size() != 4 && ip.size() != 16) continue;
    auto rec = make_record(host, ip.size() == 4 ? rr_type::a : rr_type::aaaa, a.ttl);
    rec.cache_flush = true;
    rec.address = ip;
    m.additionals.push_back(std::move(rec));
  }
  return m;
}

bool asks_for(const message& query, std::string_view service, std::string_view our_instance, std::uint32_t ttl) {
  if (query.is_response() || query.opcode() != 0) return false;
  bool asked = false;
  for (const auto& q : query.questions)
    if ((q.type == rr_type::ptr || q.type == rr_type::any) && same_name(q.name, service)) asked = true;
  if (!asked) return false;
  for (const auto& known : query.answers)
    if (known.type == rr_type::ptr && same_name(known.name, service) && same_name(known.ptr, our_instance) &&
        known.ttl >= ttl / 2)
      return false;
  return true;
}

std::vector<found_peer> read_response(const message& m, const std::vector<std::string>& services,
                                      std::string_view own_peer_name, const read_limits& limits) {
  std::vector<found_peer> out;
  if (!m.is_response()) return out;
  const std::vector<const std::vector<record>*> sections{&m.answers, &m.authorities, &m.additionals};
  // Work per packet is bounded by these budgets, whatever the packet holds.
  std::size_t instances = 0;
  std::size_t strings = 0;

  for (const auto* sec : sections) {
    for (const auto& ptr : *sec) {
      if (ptr.type != rr_type::ptr) continue;
      auto service = std::find_if(services.begin(), services.end(),
                                  [&](const std::string& s) { return same_name(ptr.name, s); });
      if (service == services.end()) continue;
      if (!own_peer_name.empty() && same_name(first_label(ptr.ptr), own_peer_name)) continue;
      if (ptr.ttl == 0) continue;  // a goodbye (RFC 6762 §10.1): the peer is leaving
      if (++instances > limits.max_peers_per_packet) return out;

      // Every dnsaddr string of this instance, grouped by the peer it names.
      std::map<crypto::peer_id, std::vector<multiaddr>> by_peer;
      for (const auto* s2 : sections) {
        for (const auto& txt : *s2) {
          if (txt.type != rr_type::txt || !same_name(txt.name, ptr.ptr)) continue;
          for (const auto& s : txt.txt) {
            if (++strings > limits.max_strings_per_packet) break;
            if (s.size() <= dnsaddr_prefix.size() || s.compare(0, dnsaddr_prefix.size(), dnsaddr_prefix) != 0)
              continue;
            auto addr = multiaddr::parse(std::string_view(s).substr(dnsaddr_prefix.size()));
            if (!addr || addr->has(protocol_code::p2p_circuit)) continue;
            auto p2p = addr->find(protocol_code::p2p);
            if (!p2p) continue;
            auto id = crypto::peer_id::from_bytes(p2p->value);
            if (!id) continue;
            auto bare = addr->decapsulate(protocol_code::p2p);
            if (bare.empty()) continue;
            auto it = by_peer.find(*id);
            if (it == by_peer.end()) {
              if (by_peer.size() >= limits.max_peers_per_packet) continue;
              it = by_peer.emplace(std::move(*id), std::vector<multiaddr>{}).first;
            }
            auto& list = it->second;
            if (list.size() < limits.max_addrs_per_peer && std::find(list.begin(), list.end(), bare) == list.end())
              list.push_back(std::move(bare));
          }
        }
      }
      for (auto& entry : by_peer) {
        const auto& peer = entry.first;
        auto known = std::find_if(out.begin(), out.end(), [&](const found_peer& f) { return f.peer == peer; });
        if (known != out.end()) continue;
        if (out.size() >= limits.max_peers_per_packet) return out;
        out.push_back(found_peer{peer, std::move(entry.second), *service, ptr.ttl});
      }
    }
  }
  return out;
}

}  // namespace agentp2p::mdns
