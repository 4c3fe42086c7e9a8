#include "agentp2p/daemon/node.hpp"

#include <cstdlib>

#include "agentp2p/base/log.hpp"
#include "agentp2p/crypto/identity_file.hpp"

namespace agentp2p::daemon {

std::filesystem::path default_data_dir() {
  if (const char* d = std::getenv("AGENTP2P_DATA_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::filesystem::path(x) / "agentp2p";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".local/share/agentp2p";
  return std::filesystem::current_path() / ".agentp2p";
}

result<node> start_node(executor ex, const node_options& opts) {
  AP_TRY(auto key, crypto::load_or_create_identity(opts.identity_file));
  host::config cfg;
  cfg.agent_version = opts.agent_version;
  node n;
  n.host = host::builder{}.identity(std::move(key)).settings(cfg).build(ex);
  n.identify = identify::service::start(n.host);
  n.ping = ping::service::start(n.host);
  for (const auto& text : opts.listen) {
    AP_TRY(auto addr, multiformats::multiaddr::parse(text));
    auto bound = n.host->listen(addr);
    if (!bound) {
      if (text.starts_with("/ip6/::/")) {
        log::warn("IPv6 unavailable, not listening on " + text + ": " + bound.error().what());
        continue;
      }
      auto e = std::move(bound).error();
      e.message = "cannot listen on " + text + ": " + e.message;
      return e;
    }
  }
  return n;
}

}  // namespace agentp2p::daemon
