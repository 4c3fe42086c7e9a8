// Counters and histograms of the daemon, rendered in the Prometheus text
// format (GET /metrics). Families are declared once (name, type, help);
// samples are keyed by their label set. Thread-safe (one mutex: updates are
// a map lookup and an add).
//
//   metrics m;
//   m.add("agentp2p_tool_calls_total", {{"tool", "echo"}, {"outcome", "ok"}});
//   m.observe("agentp2p_tool_call_duration_seconds", {{"caller", "remote"}}, 0.012);
//   m.set("agentp2p_peers", {}, 3);
//   std::string text = m.render();
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentp2p::daemon {

using labels = std::vector<std::pair<std::string, std::string>>;

class metrics {
 public:
  metrics();

  void add(std::string_view name, const labels& l, double v = 1);
  void set(std::string_view name, const labels& l, double v);
  // Sets a counter without labels, declaring its family on first use (for
  // counters named at run time, such as the library's base/counters).
  void set_counter(const std::string& name, const std::string& help, double v);
  void observe(std::string_view name, const labels& l, double seconds);
  // The current value of a counter or gauge sample (0 when absent; tests).
  double value(std::string_view name, const labels& l) const;

  std::string render() const;

 private:
  enum class kind { counter, gauge, histogram };
  struct family {
    kind k;
    std::string help;
    std::map<std::string, double> samples;  // label text -> value
    struct histo {
      std::vector<std::uint64_t> buckets;
      double sum = 0;
      std::uint64_t count = 0;
    };
    std::map<std::string, histo> histograms;
  };
  void declare(std::string name, kind k, std::string help);
  family* find(std::string_view name);

  mutable std::mutex mutex_;
  std::map<std::string, family, std::less<>> families_;
};

}  // namespace agentp2p::daemon
