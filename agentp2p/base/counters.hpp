// Named process-wide counters: what the node refused, dropped or limited.
// A module declares each counter once, as a function-local static:
//
//   static auto& refused = counters::get("host", "gater_refused", "connections refused by the gater");
//   refused.add();
//
// Incrementing is one relaxed atomic add (no lock); registration takes a
// mutex once. A counter of a limit (declared with counters::limit) counts
// the refusals of one configured limit; the daemon exports those as
// agentp2p_limits_hit_total{limit="<module>.<name>"} and every other counter
// as agentp2p_<module>_<name>_total. Counters never go down and are never
// removed; several hosts in one process share them (tests compare deltas).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentp2p::counters {

// What a counter counts: refusals by a configured limit, or other events
// (invalid input, policy refusals, ...).
enum class kind { event, limit };

class counter {
 public:
  counter(std::string module, std::string name, std::string help, counters::kind k = kind::event)
      : module_(std::move(module)), name_(std::move(name)), help_(std::move(help)), kind_(k) {}
  counter(const counter&) = delete;
  counter& operator=(const counter&) = delete;

  void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }
  const std::string& module() const noexcept { return module_; }
  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  counters::kind kind() const noexcept { return kind_; }

 private:
  friend void limited_log(counter&, std::string_view);
  std::string module_, name_, help_;
  counters::kind kind_;
  std::atomic<std::uint64_t> value_{0};
  // limited_log bookkeeping: when the last line was written, how many were held back.
  std::atomic<std::int64_t> last_log_ms_{-1000000};
  std::atomic<std::uint64_t> held_back_{0};
};

// The counter named module/name, created on first use (help from the first
// call). The reference stays valid for the life of the process.
counter& get(std::string_view module, std::string_view name, std::string_view help = {});
// The same for a counter of refusals by a limit (kind::limit).
counter& limit(std::string_view module, std::string_view name, std::string_view help = {});

// Looks a counter up without creating it (nullptr if nobody declared it).
const counter* find(std::string_view module, std::string_view name);

struct sample {
  std::string module, name, help;
  std::uint64_t value = 0;
  counters::kind kind = kind::event;
};
// Every counter, sorted by module then name.
std::vector<sample> snapshot();

// Counts one event on `c` and writes `message` as a warning, at most once a
// second per counter (an attack must not turn into a log flood); the next
// line written says how many were held back in between.
void count_and_log(counter& c, std::string_view message);

}  // namespace agentp2p::counters
