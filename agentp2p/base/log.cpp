#include "agentp2p/base/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace agentp2p::log {

namespace {

// Logs go to stderr: stdout is reserved for machine-readable output (the
// ready line of the daemon, JSON results of test peers).
spdlog::logger& logger() {
  static auto instance = [] {
    auto l = spdlog::stderr_color_mt("agentp2p");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    // AGENTP2P_LOG_LEVEL sets the starting level for every program that
    // embeds the library (tests and test peers included).
    auto lvl = spdlog::level::warn;
    if (const char* env = std::getenv("AGENTP2P_LOG_LEVEL")) {
      auto parsed = spdlog::level::from_str(env);
      if (parsed != spdlog::level::off || std::string_view(env) == "off") lvl = parsed;
    }
    l->set_level(lvl);
    return l;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(level l) {
  switch (l) {
    case level::trace: return spdlog::level::trace;
    case level::debug: return spdlog::level::debug;
    case level::info: return spdlog::level::info;
    case level::warn: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
    case level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::atomic<bool> json_lines{false};

std::string json_escape(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

void set_json(bool on) {
  json_lines = on;
  logger().set_pattern(on ? R"({"time":"%Y-%m-%dT%H:%M:%S.%e","level":"%l","msg":%v})"
                          : "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
}

void set_level(level l) { logger().set_level(to_spdlog(l)); }

level get_level() {
  switch (logger().level()) {
    case spdlog::level::trace: return level::trace;
    case spdlog::level::debug: return level::debug;
    case spdlog::level::info: return level::info;
    case spdlog::level::warn: return level::warn;
    case spdlog::level::err: return level::error;
    default: return level::off;
  }
}

bool enabled(level l) { return logger().should_log(to_spdlog(l)); }

bool parse_level(std::string_view text, level& out) {
  static constexpr std::pair<std::string_view, level> names[] = {
      {"trace", level::trace}, {"debug", level::debug}, {"info", level::info},
      {"warn", level::warn},   {"error", level::error}, {"off", level::off}};
  for (auto [name, l] : names)
    if (text == name) {
      out = l;
      return true;
    }
  return false;
}

void write(level l, std::string_view message) {
  // In JSON mode the pattern's %v is the message as a JSON string.
  if (json_lines) logger().log(to_spdlog(l), "{}", json_escape(message));
  else logger().log(to_spdlog(l), "{}", message);
}

}  // namespace agentp2p::log
