#include "agentp2p/daemon/metrics.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace agentp2p::daemon {

namespace {

// Seconds: tool calls range from sub-millisecond local ones to long remote ones.
constexpr double bucket_bounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

std::string escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string label_text(const labels& l) {
  std::string out;
  for (const auto& [k, v] : l) out += (out.empty() ? "" : ",") + k + "=\"" + escape(v) + "\"";
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

metrics::metrics() {
  declare("agentp2p_info", kind::gauge, "Build and identity of this node (value 1).");
  declare("agentp2p_uptime_seconds", kind::gauge, "Seconds since the daemon started.");
  declare("agentp2p_peers", kind::gauge, "Agents in the peer registry (connected or recently seen).");
  declare("agentp2p_peers_connected", kind::gauge, "Peers with at least one open connection.");
  declare("agentp2p_connections", kind::gauge, "Open libp2p connections.");
  declare("agentp2p_connections_opened_total", kind::counter, "Connections established, by direction.");
  declare("agentp2p_connections_closed_total", kind::counter, "Connections closed.");
  declare("agentp2p_streams_opened_total", kind::counter, "Streams negotiated, by protocol and direction.");
  declare("agentp2p_bytes_received_total", kind::counter, "Bytes read from TCP connections.");
  declare("agentp2p_bytes_sent_total", kind::counter, "Bytes written to TCP connections.");
  declare("agentp2p_tools", kind::gauge, "Tools in the local registry.");
  declare("agentp2p_tool_calls_total", kind::counter,
          "Calls of local tools, by tool, caller (local or remote) and outcome (ok or error code).");
  declare("agentp2p_tool_call_duration_seconds", kind::histogram, "Duration of local tool calls, by caller.");
  declare("agentp2p_remote_tool_calls_total", kind::counter,
          "Calls this node made to other peers' tools (HTTP API, MCP), by outcome.");
  declare("agentp2p_remote_tool_call_duration_seconds", kind::histogram, "Duration of calls to other peers' tools.");
  declare("agentp2p_tool_calls_in_progress", kind::gauge, "Local tool handlers running now.");
  declare("agentp2p_task_updates_total", kind::counter, "A2A task status changes, by state.");
  declare("agentp2p_tasks_active", kind::gauge, "A2A task turns running now.");
  declare("agentp2p_http_requests_total", kind::counter, "HTTP requests, by area (api, mcp, a2a, metrics) and status.");
  declare("agentp2p_limits_hit_total", kind::counter,
          "Connections, streams, messages and calls refused by a limit, by limit (<module>.<counter>; see "
          "docs/config.md, limits.*). Process-wide.");
  declare("agentp2p_events_dropped_total", kind::counter, "Events an event-stream reader missed (it fell behind).");
  declare("agentp2p_errors_total", kind::counter, "Errors by where they happened.");
}

void metrics::declare(std::string name, kind k, std::string help) {
  family f;
  f.k = k;
  f.help = std::move(help);
  families_.emplace(std::move(name), std::move(f));
}

metrics::family* metrics::find(std::string_view name) {
  auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("metric not declared: " + std::string(name));
  return &it->second;
}

void metrics::add(std::string_view name, const labels& l, double v) {
  std::lock_guard lock(mutex_);
  find(name)->samples[label_text(l)] += v;
}

void metrics::set(std::string_view name, const labels& l, double v) {
  std::lock_guard lock(mutex_);
  find(name)->samples[label_text(l)] = v;
}

void metrics::set_counter(const std::string& name, const std::string& help, double v) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    family f;
    f.k = kind::counter;
    f.help = help;
    it = families_.emplace(name, std::move(f)).first;
  }
  it->second.samples[""] = v;
}

void metrics::observe(std::string_view name, const labels& l, double seconds) {
  std::lock_guard lock(mutex_);
  auto& h = find(name)->histograms[label_text(l)];
  if (h.buckets.empty()) h.buckets.assign(std::size(bucket_bounds), 0);
  for (std::size_t i = 0; i < std::size(bucket_bounds); ++i)
    if (seconds <= bucket_bounds[i]) ++h.buckets[i];
  h.sum += seconds;
  ++h.count;
}

double metrics::value(std::string_view name, const labels& l) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.samples.find(label_text(l));
  return s == it->second.samples.end() ? 0 : s->second;
}

std::string metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    const char* type = f.k == kind::counter ? "counter" : f.k == kind::gauge ? "gauge" : "histogram";
    out << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << type << "\n";
    for (const auto& [l, v] : f.samples) out << name << (l.empty() ? "" : "{" + l + "}") << " " << number(v) << "\n";
    for (const auto& [l, h] : f.histograms) {
      const std::string sep = l.empty() ? "" : l + ",";
      for (std::size_t i = 0; i < h.buckets.size(); ++i)
        out << name << "_bucket{" << sep << "le=\"" << number(bucket_bounds[i]) << "\"} " << h.buckets[i] << "\n";
      out << name << "_bucket{" << sep << "le=\"+Inf\"} " << h.count << "\n";
      out << name << "_sum" << (l.empty() ? "" : "{" + l + "}") << " " << number(h.sum) << "\n";
      out << name << "_count" << (l.empty() ? "" : "{" + l + "}") << " " << h.count << "\n";
    }
  }
  return out.str();
}

}  // namespace agentp2p::daemon
