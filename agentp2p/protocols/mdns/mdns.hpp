// libp2p mDNS discovery (https://github.com/libp2p/specs/blob/master/discovery/mdns.md)
// on the interfaces named in the config: multicast queries for each service
// name every query_interval, answers to others' queries with our addresses
// reachable on that interface, and for every peer announced to us: its
// addresses go into the host's peer store, listeners hear of it, and the
// host dials it (shared with any other dial to that peer).
//
//   mdns::config cfg;
//   cfg.interfaces = {"eth0"};
//   auto found = mdns::service::start(host, cfg);   // result<shared_ptr<service>>
//   (*found)->on_peer_found([](const mdns::peer_found& p) { ... });
//
// One UDP socket per interface and address family, bound to port 5353 with
// SO_REUSEADDR + SO_REUSEPORT (several nodes on one machine share the port)
// and IP_MULTICAST_ALL off, so a socket hears only the interface it joined:
// what we answer there are the addresses reachable there (no loopback
// addresses on a LAN, no relay addresses).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agentp2p/host/host.hpp"
#include "agentp2p/protocols/mdns/config.hpp"
#include "agentp2p/protocols/mdns/engine.hpp"

namespace agentp2p::mdns {

inline constexpr std::string_view multicast_ipv4 = "224.0.0.251";
inline constexpr std::string_view multicast_ipv6 = "ff02::fb";

// A peer announced on the network (after the rate limits), already in the
// peer store with these addresses.
struct peer_found {
  crypto::peer_id peer;
  std::vector<multiformats::multiaddr> addrs;
  std::string service;  // the full service name it was announced under
};

class service : public std::enable_shared_from_this<service> {
 public:
  // Opens the sockets; an interface that does not exist or cannot join the
  // group is logged and skipped; errc::not_found when none of the configured
  // interfaces could be used (no interfaces configured: a service that does nothing).
  static result<std::shared_ptr<service>> start(std::shared_ptr<host::host> h, config cfg);
  ~service();
  // Closes the sockets and ends the service's tasks. Idempotent.
  void stop();

  using listener = std::function<void(const peer_found&)>;
  std::uint64_t on_peer_found(listener l);
  void remove_listener(std::uint64_t token);

  const std::string& peer_name() const noexcept { return engine_.peer_name(); }
  const std::vector<std::string>& service_names() const noexcept { return engine_.services(); }
  // Interfaces (and families) with an open socket, e.g. "lo/ipv4".
  std::vector<std::string> links() const;
  const counters& stats() const noexcept { return engine_.stats(); }
  const config& settings() const noexcept { return config_; }

  // Sends our queries on every interface now (also done every query_interval).
  void query_now();

  // The addresses we would announce on interface `name` now.
  interface_view view_of(const std::string& name) const;

 private:
  struct link;
  struct wakeup;
  service(std::shared_ptr<host::host> h, config cfg);
  result<void> open_links();
  interface_view make_view(const link& l) const;
  void handle(link& l, byte_span packet, const std::string& source, bool legacy, std::vector<engine::reply>& out);
  void act(const found_peer& f);
  void on_host_event(const host::event& e);
  static awaitable<void> receive_loop(std::weak_ptr<service> weak, std::shared_ptr<link> l);
  static awaitable<void> query_loop(std::weak_ptr<service> weak, std::shared_ptr<wakeup> w);
  static awaitable<void> discovery_loop(std::weak_ptr<service> weak, std::shared_ptr<wakeup> w);
  static awaitable<void> send_queries(std::shared_ptr<link> l, std::vector<bytes> packets);
  static awaitable<void> dial(std::weak_ptr<host::host> h, crypto::peer_id peer);

  std::weak_ptr<host::host> host_;
  config config_;
  engine engine_;
  std::vector<std::shared_ptr<link>> links_;
  std::shared_ptr<wakeup> query_wakeup_;
  std::shared_ptr<wakeup> discovery_wakeup_;
  std::map<std::uint64_t, listener> listeners_;
  std::uint64_t next_listener_ = 1;
  std::uint64_t host_token_ = 0;
  bool stopped_ = false;
};

}  // namespace agentp2p::mdns
