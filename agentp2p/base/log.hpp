// Logging facade over spdlog; only log.cpp includes spdlog, which keeps the
// heavy fmt/spdlog headers out of every other translation unit.
#pragma once

#include <string_view>

namespace agentp2p::log {

enum class level { trace, debug, info, warn, error, off };

void set_level(level l);
level get_level();
bool enabled(level l);
// Parses "trace|debug|info|warn|error|off"; false on anything else.
bool parse_level(std::string_view text, level& out);

// One JSON object per line ({"time","level","msg"}) instead of text.
void set_json(bool on);

void write(level l, std::string_view message);
inline void trace(std::string_view m) { if (enabled(level::trace)) write(level::trace, m); }
inline void debug(std::string_view m) { if (enabled(level::debug)) write(level::debug, m); }
inline void info(std::string_view m) { write(level::info, m); }
inline void warn(std::string_view m) { write(level::warn, m); }
inline void error(std::string_view m) { write(level::error, m); }

}  // namespace agentp2p::log
