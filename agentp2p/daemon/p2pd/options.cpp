#include "agentp2p/daemon/p2pd/options.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace agentp2p::p2pd {

namespace {

using multiformats::multiaddr;

agentp2p::error usage_error(std::string msg) { return make_error(errc::invalid_argument, std::move(msg)); }

result<bool> parse_bool(std::string_view flag, std::string_view v) {
  // Go's strconv.ParseBool.
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") return false;
  return usage_error("invalid boolean value \"" + std::string(v) + "\" for -" + std::string(flag));
}

result<std::vector<multiaddr>> parse_addr_list(std::string_view flag, std::string_view v) {
  std::vector<multiaddr> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    auto comma = v.find(',', start);
    auto item = v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!item.empty()) {
      auto a = multiaddr::parse(item);
      if (!a) return usage_error("-" + std::string(flag) + ": " + a.error().message);
      out.push_back(std::move(*a));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

void set_security(options& o, security s, bool on) {
  auto it = std::find(o.security.begin(), o.security.end(), s);
  if (on && it == o.security.end()) o.security.push_back(s);
  if (!on && it != o.security.end()) o.security.erase(it);
}

struct flag {
  bool is_bool = false;
  // Applies the value ("true"/"false" for a bare boolean flag).
  std::function<result<void>(options&, std::string_view)> apply;
};

// A boolean flag of p2pd's that needs a feature we lack: refused when turned on.
flag refuse_bool(std::string name, std::string what) {
  return {true, [name, what](options&, std::string_view v) -> result<void> {
            AP_TRY(bool on, parse_bool(name, v));
            if (on) return usage_error("-" + name + ": " + what + " is not supported by agentp2p-p2pd");
            return ok();
          }};
}

// A p2pd flag that only tunes something we do not have; accepted and ignored.
flag ignore_value() {
  return {false, [](options&, std::string_view) -> result<void> { return ok(); }};
}
flag ignore_bool(std::string name) {
  return {true, [name](options&, std::string_view v) -> result<void> {
            AP_TRY(bool on, parse_bool(name, v));
            (void)on;
            return ok();
          }};
}

const std::map<std::string, flag, std::less<>>& flags() {
  static const std::map<std::string, flag, std::less<>> table = [] {
    std::map<std::string, flag, std::less<>> t;
    t["listen"] = {false, [](options& o, std::string_view v) -> result<void> {
                     auto a = multiaddr::parse(v);
                     if (!a) return usage_error("-listen: " + a.error().message);
                     o.control = std::move(*a);
                     return ok();
                   }};
    t["id"] = {false, [](options& o, std::string_view v) -> result<void> {
                 if (v.empty()) o.identity.reset();
                 else o.identity = std::filesystem::path(std::string(v));
                 return ok();
               }};
    t["hostAddrs"] = {false, [](options& o, std::string_view v) -> result<void> {
                        AP_TRY(auto addrs, parse_addr_list("hostAddrs", v));
                        o.host_addrs = std::move(addrs);
                        return ok();
                      }};
    t["announceAddrs"] = {false, [](options& o, std::string_view v) -> result<void> {
                            AP_TRY(auto addrs, parse_addr_list("announceAddrs", v));
                            o.announce_addrs = std::move(addrs);
                            return ok();
                          }};
    t["noListenAddrs"] = {true, [](options& o, std::string_view v) -> result<void> {
                            AP_TRY(o.no_listen, parse_bool("noListenAddrs", v));
                            return ok();
                          }};
    auto dht_flag = [](std::string name, dht_mode m) {
      return flag{true, [name, m](options& o, std::string_view v) -> result<void> {
                    AP_TRY(bool on, parse_bool(name, v));
                    if (on) o.dht = m;
                    else if (o.dht == m) o.dht = dht_mode::off;
                    return ok();
                  }};
    };
    t["dht"] = dht_flag("dht", dht_mode::server);
    t["dhtServer"] = dht_flag("dhtServer", dht_mode::server);
    t["dhtClient"] = dht_flag("dhtClient", dht_mode::client);
    t["noise"] = {true, [](options& o, std::string_view v) -> result<void> {
                    AP_TRY(bool on, parse_bool("noise", v));
                    set_security(o, security::noise, on);
                    return ok();
                  }};
    t["plaintext"] = {true, [](options& o, std::string_view v) -> result<void> {
                        AP_TRY(bool on, parse_bool("plaintext", v));
                        set_security(o, security::plaintext, on);
                        return ok();
                      }};
    t["muxer"] = {false, [](options&, std::string_view v) -> result<void> {
                    if (v == "yamux") return ok();
                    return usage_error("-muxer: \"" + std::string(v) +
                                       "\" is not supported by agentp2p-p2pd (yamux only)");
                  }};
    t["yamux"] = ignore_bool("yamux");
    t["bootstrapPeers"] = {false, [](options& o, std::string_view v) -> result<void> {
                             AP_TRY(auto addrs, parse_addr_list("bootstrapPeers", v));
                             for (const auto& a : addrs)
                               if (!a.has(multiformats::protocol_code::p2p))
                                 return usage_error("-bootstrapPeers: " + a.to_string() + " has no /p2p/<peer id>");
                             o.bootstrap_peers = std::move(addrs);
                             return ok();
                           }};
    t["b"] = {true, [](options& o, std::string_view v) -> result<void> {
                AP_TRY(o.bootstrap, parse_bool("b", v));
                return ok();
              }};
    t["q"] = {true, [](options& o, std::string_view v) -> result<void> {
                AP_TRY(o.quiet, parse_bool("q", v));
                return ok();
              }};
    // p2pd enables its relay client by default, so `-relay` alone asks for
    // nothing beyond what a plain node does; serving as a relay does.
    t["relay"] = ignore_bool("relay");
    t["relayDiscovery"] = ignore_bool("relayDiscovery");
    for (auto name : {"relayHop", "relayActive", "autoRelay"}) t[name] = refuse_bool(name, "circuit relay");
    t["relayHopLimit"] = ignore_value();
    t["tls"] = refuse_bool("tls", "TLS");
    t["secio"] = refuse_bool("secio", "SECIO");
    t["quic"] = refuse_bool("quic", "QUIC");
    t["mplex"] = refuse_bool("mplex", "mplex");
    t["pubsub"] = refuse_bool("pubsub", "pubsub");
    t["natPortMap"] = refuse_bool("natPortMap", "NAT port mapping");
    t["autonat"] = refuse_bool("autonat", "AutoNAT");
    t["pprof"] = refuse_bool("pprof", "pprof");
    t["i"] = refuse_bool("i", "a JSON config on stdin");
    t["f"] = {false, [](options&, std::string_view) -> result<void> {
                return usage_error("-f: a JSON config file is not supported by agentp2p-p2pd; use flags");
              }};
    for (auto name : {"pubsubRouter", "gossipsubHeartbeatInterval", "gossipsubHeartbeatInitialDelay", "connLo",
                      "connHi", "connGrace", "metricsAddr", "pprofPort", "blockProfileRate", "mutexProfileFraction"})
      t[name] = ignore_value();
    for (auto name : {"pubsubSign", "pubsubSignStrict", "connManager", "echo"}) t[name] = ignore_bool(name);
    return t;
  }();
  return table;
}

}  // namespace

result<parsed_options> parse_options(std::span<const std::string_view> args) {
  parsed_options out;
  out.opts.control = *multiaddr::parse("/unix/tmp/p2pd.sock");  // p2pd's default
  out.opts.host_addrs = {*multiaddr::parse("/ip4/0.0.0.0/tcp/0")};
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.size() < 2 || a[0] != '-') break;  // first non-flag argument
    if (a == "--") break;
    a.remove_prefix(a[1] == '-' ? 2 : 1);
    std::string_view name = a;
    std::optional<std::string_view> value;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    }
    if (name == "h" || name == "help") {
      out.help = true;
      return out;
    }
    auto it = flags().find(name);
    if (it == flags().end()) return usage_error("flag provided but not defined: -" + std::string(name));
    const auto& f = it->second;
    if (!value) {
      if (f.is_bool) value = "true";
      else if (i + 1 < args.size()) value = args[++i];
      else return usage_error("flag needs an argument: -" + std::string(name));
    }
    AP_TRYV(f.apply(out.opts, *value));
  }
  if (out.opts.security.empty()) out.opts.security.push_back(security::noise);
  if (out.opts.no_listen) out.opts.host_addrs.clear();
  return out;
}

std::string usage() {
  return R"(Usage: agentp2p-p2pd [flags]

A libp2p daemon speaking go-libp2p-daemon's control protocol (IDENTIFY, CONNECT,
DISCONNECT, LIST_PEERS, STREAM_OPEN, STREAM_HANDLER, DHT, PEERSTORE) over a unix
socket or a loopback TCP port. Flags as p2pd's:

  -listen MADDR        control endpoint (default /unix/tmp/p2pd.sock)
  -id FILE             identity: a protobuf-encoded libp2p private key
                       (Ed25519, secp256k1, ECDSA, RSA); default a fresh Ed25519 key
  -hostAddrs A,B       libp2p listen addresses (default /ip4/0.0.0.0/tcp/0)
  -noListenAddrs       do not listen (dial only)
  -announceAddrs A,B   addresses to announce instead of the listen addresses
  -dht | -dhtServer    Kademlia DHT (/ipfs/kad/1.0.0) in server mode
  -dhtClient           Kademlia DHT in client mode
  -noise[=bool]        Noise security (the default)
  -plaintext[=bool]    plaintext security (testing only)
  -muxer yamux         stream muxer (yamux only)
  -bootstrapPeers A,B  peers (with /p2p/) to connect to with -b
  -b                   connect to the bootstrap peers (and bootstrap the DHT)
  -q                   no start-up banner
Not supported (refused): -tls, -quic, -mplex, -pubsub, -relayHop, -autonat, -natPortMap.
Logs go to stderr (AGENTP2P_LOG_LEVEL=trace|debug|info|warn|error|off; default warn).
)";
}

}  // namespace agentp2p::p2pd
