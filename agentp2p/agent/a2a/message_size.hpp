// The size of a message as A2A 1.0 JSON, counted without building the JSON
// (the manager checks every incoming message against max_message_bytes;
// to_json + serialize cost ~8k instructions for a small message, this ~1k).
#pragma once

#include <cstddef>

#include "agentp2p/agent/a2a/types.hpp"

namespace agentp2p::a2a {

// The length of to_json(m, dialect::v1_0) serialized, give or take a few
// bytes per field (keys and punctuation are counted generously, strings and
// JSON values exactly).
std::size_t json_size(const message& m);

}  // namespace agentp2p::a2a
