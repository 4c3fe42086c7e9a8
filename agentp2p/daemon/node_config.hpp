// The node's settings from the daemon configuration: config (the YAML /
// environment / flag table) → node_options (what node::start takes).
#pragma once

#include <filesystem>
#include <string>

#include "agentp2p/base/result.hpp"
#include "agentp2p/daemon/config.hpp"
#include "agentp2p/daemon/node.hpp"

namespace agentp2p::daemon {

// The limits of `cfg` (limits.*, connections.max, connections.max_per_peer).
node_limits limits_from(const config& cfg);

// The access rules of `cfg` (security.*, tools.*). Reads the swarm key file
// (security.psk_file): a missing, malformed or group/other-readable file is
// an error naming the setting and the file.
result<access_control> access_from(const config& cfg);

// Everything node::start needs (the task-status observer is the caller's).
result<node_options> node_options_from(const config& cfg, const std::filesystem::path& data_dir,
                                       std::string agent_version);

}  // namespace agentp2p::daemon
