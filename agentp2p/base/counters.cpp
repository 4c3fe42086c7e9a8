#include "agentp2p/base/counters.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <tuple>

#include "agentp2p/base/log.hpp"

namespace agentp2p::counters {

namespace {

struct registry {
  std::mutex mutex;
  std::deque<counter> all;  // deque: references stay valid as it grows
};

registry& the_registry() {
  static registry* r = new registry;  // never destroyed: statics elsewhere may outlive us
  return *r;
}

counter* lookup(registry& r, std::string_view module, std::string_view name) {
  for (auto& c : r.all)
    if (c.module() == module && c.name() == name) return &c;
  return nullptr;
}

}  // namespace

namespace {
counter& get_or_create(std::string_view module, std::string_view name, std::string_view help, kind k) {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  if (auto* c = lookup(r, module, name)) return *c;
  return r.all.emplace_back(std::string(module), std::string(name), std::string(help), k);
}
}  // namespace

counter& get(std::string_view module, std::string_view name, std::string_view help) {
  return get_or_create(module, name, help, kind::event);
}

counter& limit(std::string_view module, std::string_view name, std::string_view help) {
  return get_or_create(module, name, help, kind::limit);
}

const counter* find(std::string_view module, std::string_view name) {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  return lookup(r, module, name);
}

std::vector<sample> snapshot() {
  std::vector<sample> out;
  {
    auto& r = the_registry();
    std::lock_guard lock(r.mutex);
    for (const auto& c : r.all) out.push_back({c.module(), c.name(), c.help(), c.value(), c.kind()});
  }
  std::sort(out.begin(), out.end(),
            [](const sample& a, const sample& b) { return std::tie(a.module, a.name) < std::tie(b.module, b.name); });
  return out;
}

void limited_log(counter& c, std::string_view message) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  auto last = c.last_log_ms_.load(std::memory_order_relaxed);
  if (now - last < 1000 || !c.last_log_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    c.held_back_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto held = c.held_back_.exchange(0, std::memory_order_relaxed);
  std::string line(message);
  if (held > 0) line += " (and " + std::to_string(held) + " more like it in the last second(s))";
  log::warn(line);
}

void count_and_log(counter& c, std::string_view message) {
  c.add();
  limited_log(c, message);
}

}  // namespace agentp2p::counters
