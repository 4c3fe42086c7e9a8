#include "agentp2p/crypto/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace agentp2p::crypto {

sha256_digest sha256(byte_span data) {
  sha256_digest out{};
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure or a broken OpenSSL install:
  // a bug/start-up condition, not a peer's doing, hence the exception.
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size())
    throw std::runtime_error("sha256: OpenSSL EVP_Digest failed");
  return out;
}

}  // namespace agentp2p::crypto
