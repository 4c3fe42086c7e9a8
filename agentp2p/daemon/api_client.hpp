// The client side of the daemon's HTTP API, for the CLI commands (id, peers,
// call, ...): finds the running node and makes one request at a time.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "agentp2p/base/result.hpp"
#include "agentp2p/daemon/config.hpp"

namespace agentp2p::daemon {

struct api_endpoint {
  std::string url;    // http://host:port
  std::string token;  // "" = none
  std::string found_in;  // where the URL came from, for error messages
};

// --api URL (or host:port) > AGENTP2P_API > DATA_DIR/api.json (written by a
// running node) > the default http.address. The token: AGENTP2P_API_TOKEN,
// else the one in api.json.
result<api_endpoint> find_api(const std::string& flag_url, const std::filesystem::path& data_dir, const env_lookup& env);

struct api_reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One request; errc::connection_refused when nothing listens there.
result<api_reply> api_call(const api_endpoint& ep, std::string_view method, std::string_view target,
                           std::string_view body, std::chrono::milliseconds timeout);

}  // namespace agentp2p::daemon
