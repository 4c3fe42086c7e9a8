// The node's identity persisted as a key file (protobuf PrivateKey bytes).
#pragma once

#include <filesystem>

#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/keys.hpp"

namespace agentp2p::crypto {

// Loads the key at `path`, or creates an Ed25519 key there (mode 0600, parent
// directories created) when the file does not exist. Errors name the file:
// a file readable by group/others, a corrupt file, or an unreadable one.
result<private_key> load_or_create_identity(const std::filesystem::path& path);
result<private_key> load_identity(const std::filesystem::path& path);
result<void> save_identity(const std::filesystem::path& path, const private_key& key);

}  // namespace agentp2p::crypto
