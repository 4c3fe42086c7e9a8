// The daemon: a node configured from daemon::config, plus what makes it
// observable and drivable — the event bus, metrics, the HTTP API (mounted
// on the HTTP server), api.json in the data directory and graceful shutdown.
//
//   auto d = daemon::service::start(ex, cfg, "agentp2p/0.1.0");
//   std::cout << json::serialize(d->ready_line());
//   ... co_await d->shutdown(5s);
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "agentp2p/daemon/config.hpp"
#include "agentp2p/daemon/events.hpp"
#include "agentp2p/daemon/metrics.hpp"
#include "agentp2p/daemon/node.hpp"

namespace agentp2p::http {
class server;
}
namespace agentp2p::host {
class connection_manager;
class bootstrap;
}  // namespace agentp2p::host
namespace agentp2p::mdns {
class service;
}
namespace agentp2p::mcp {
class http_endpoint;
}

namespace agentp2p::daemon {

class api;

class service {
 public:
  static result<std::unique_ptr<service>> start(executor ex, const config& cfg, std::string agent_version);
  ~service();

  // Null when the setting is off.
  std::shared_ptr<mdns::service> mdns() const noexcept { return mdns_; }
  std::shared_ptr<host::bootstrap> bootstrap() const noexcept { return bootstrap_; }

  daemon::node& node() noexcept { return *node_; }
  event_bus& events() noexcept { return events_; }
  daemon::metrics& metrics() noexcept { return metrics_; }
  daemon::api& api() noexcept { return *api_; }
  const config& settings() const noexcept { return config_; }
  const std::filesystem::path& data_dir() const noexcept { return data_dir_; }
  std::chrono::steady_clock::time_point started_at() const noexcept { return started_at_; }

  // "" until the HTTP server listens.
  const std::string& api_url() const noexcept { return api_url_; }
  // "" until MCP is served on the HTTP server (the MCP module mounts /mcp).
  std::string mcp_url() const { return api_url_.empty() || !mcp_mounted_ ? "" : api_url_ + "/mcp"; }

  // The JSON line `agentp2p run` prints when ready.
  boost::json::object ready_line() const;
  // Refreshes gauges (peers, connections, ...) and renders /metrics.
  std::string render_metrics();

  // Stops taking requests, waits up to `drain` for tool calls and task turns
  // in progress, then closes the node (tasks are persisted; unfinished ones
  // are marked failed on the next start).
  awaitable<void> shutdown(std::chrono::milliseconds drain);
  // Removes DATA_DIR/api.json if it is still ours.
  void remove_runtime_files();

 private:
  service() = default;
  void observe();
  result<void> start_http(executor ex);
  result<void> start_discovery();
  void stop_discovery();
  result<void> write_api_file();

  config config_;
  std::filesystem::path data_dir_;
  // Declared before the node: the node's callbacks publish into them until it is gone.
  event_bus events_;
  daemon::metrics metrics_;
  std::unique_ptr<daemon::node> node_;
  std::unique_ptr<daemon::api> api_;
  std::unique_ptr<http::server> http_;
  std::shared_ptr<mcp::http_endpoint> mcp_http_;
  std::shared_ptr<host::connection_manager> connections_;
  std::shared_ptr<host::bootstrap> bootstrap_;
  std::shared_ptr<mdns::service> mdns_;
  std::uint64_t mdns_token_ = 0;
  std::string api_url_;
  std::uint64_t host_token_ = 0, registry_token_ = 0, calls_token_ = 0;
  std::chrono::steady_clock::time_point started_at_;
  bool api_file_written_ = false;
  bool mcp_mounted_ = false;
};

}  // namespace agentp2p::daemon
