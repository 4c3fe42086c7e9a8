// mDNS settings for in-process tests: loopback only, IPv4, a random port and a
// service name of this process alone, so parallel tests never hear each other
// and nothing reaches a real network interface.
#pragma once

#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <string_view>

#include "agentp2p/protocols/mdns/mdns.hpp"

namespace agentp2p::test {

inline mdns::config loopback_mdns_config(std::string_view label) {
  using namespace std::chrono_literals;
  static std::mt19937 gen(std::random_device{}());
  mdns::config cfg;
  cfg.interfaces = {"lo"};
  cfg.port = static_cast<std::uint16_t>(20000 + gen() % 30000);
  cfg.service_names = {"_" + std::string(label) + "-" + std::to_string(::getpid()) + "-" +
                       std::to_string(gen() % 100000) + "._udp"};
  cfg.query_interval = 200ms;
  cfg.min_answer_interval = 50ms;
  cfg.ipv6 = false;
  return cfg;
}

}  // namespace agentp2p::test
