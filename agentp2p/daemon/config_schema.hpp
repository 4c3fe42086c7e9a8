// The settings table behind daemon::config (internal to the daemon module):
// one row per setting. Parsing (YAML, environment, flags), defaults,
// validation and the generated docs all read these rows, so a setting is
// added in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agentp2p/daemon/config.hpp"

namespace agentp2p::daemon::schema {

using string_ref = std::string& (*)(config&);
using bool_ref = bool& (*)(config&);
using int_ref = std::int64_t& (*)(config&);
using duration_ref = std::chrono::milliseconds& (*)(config&);
using list_ref = std::vector<std::string>& (*)(config&);
using servers_ref = std::vector<mcp_server_config>& (*)(config&);
using access = std::variant<string_ref, bool_ref, int_ref, duration_ref, list_ref, servers_ref>;

// Checks one string (a scalar value or one list item): "" when fine, else
// what is wrong and what would be right.
using value_check = std::string (*)(std::string_view value);

struct setting {
  std::string_view key = {};                 // dotted path in the YAML file
  access field = {};
  std::vector<std::string_view> defaults = {};  // as text: one item for scalars, any number for lists
  std::string_view check = {};               // the rule, for people (docs)
  std::string_view description = {};
  std::string_view env = {};                 // AGENTP2P_* variable, "" = none
  value_check check_value = nullptr;         // strings and list items
  std::int64_t min = 0, max = 0;             // integers (when min < max)
  bool bytes = false;                        // an integer that is a size: 4MiB, 64KiB, 1GiB or bytes
  std::vector<std::string_view> one_of = {};  // strings (when not empty)
};

std::span<const setting> settings();
const setting* find(std::string_view key);

// The YAML type name of a setting: string, boolean, integer, duration, list of strings, list of servers.
std::string_view type_name(const setting& s);

// Sets `s` from text values (defaults, environment, flags, YAML scalars).
// Returns "" or what is wrong with the value.
std::string assign(config& cfg, const setting& s, const std::vector<std::string>& values);

// Checks one MCP server entry (after YAML parsing): "" or the problem.
std::string check_server(const mcp_server_config& server);

// Parsing helpers shared with the YAML reader.
std::string parse_bool(std::string_view text, bool& out);
std::string parse_duration(std::string_view text, std::chrono::milliseconds& out);
std::string format_duration(std::chrono::milliseconds d);
// Sizes: "1048576", "512KiB", "4MiB", "1GiB" (also KB/MB/GB, meaning the same powers of two).
std::string parse_size(std::string_view text, std::int64_t& out);

}  // namespace agentp2p::daemon::schema
