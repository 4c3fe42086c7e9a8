#include "agentp2p/security/pnet/psk.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/multiformats/multibase.hpp"

namespace agentp2p::pnet {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string psk::fingerprint() const {
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), key.data(), key.size());
  return to_hex(byte_span(digest.data(), 4));
}

result<psk> parse_swarm_key(std::string_view text) {
  if (text.size() > 4096) return make_error(errc::too_large, "swarm key: file larger than 4096 bytes");
  // Header, encoding, key; anything after the third line is ignored except whitespace.
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size() && lines.size() < 3; ++i) {
    if (i < text.size() && text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(trim(text.substr(start, i - start)));
    if (i < text.size() && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (lines.size() < 3)
    return make_error(errc::decode_error, "swarm key: expected 3 lines (" + std::string(swarm_key_header) +
                                              ", encoding, key)");
  if (lines[0] != swarm_key_header)
    return make_error(errc::decode_error, "swarm key: first line must be " + std::string(swarm_key_header) +
                                              ", got \"" + std::string(lines[0].substr(0, 64)) + "\"");
  bytes raw;
  if (lines[1] == "/base16/") {
    if (!from_hex(lines[2], raw)) return make_error(errc::decode_error, "swarm key: the key is not valid hex");
  } else if (lines[1] == "/base64/") {
    auto decoded = multiformats::base64_decode(lines[2]);
    if (!decoded) return make_error(errc::decode_error, "swarm key: the key is not valid base64");
    raw = std::move(*decoded);
  } else {
    return make_error(errc::unsupported, "swarm key: unsupported encoding \"" + std::string(lines[1].substr(0, 32)) +
                                             "\" (use /base16/)");
  }
  if (raw.size() != 32)
    return make_error(errc::decode_error,
                      "swarm key: the key must be 32 bytes (64 hex digits), got " + std::to_string(raw.size()));
  psk out;
  std::copy(raw.begin(), raw.end(), out.key.begin());
  sodium_memzero(raw.data(), raw.size());
  return out;
}

result<psk> load_swarm_key(const std::filesystem::path& file) {
  // The key is the network's only secret: refuse one other users can read
  // (as the identity key file is refused).
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return make_error(errc::not_found, "swarm key: cannot open " + file.string());
  if (!S_ISREG(st.st_mode)) return make_error(errc::invalid_argument, "swarm key " + file.string() + " is not a regular file");
  if ((st.st_mode & 0077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(errc::invalid_argument, "swarm key " + file.string() + " is " +
                                                  ((st.st_mode & 0044) ? "readable" : "accessible") +
                                                  " by other users (mode " + mode + "); run chmod 600 " + file.string());
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(errc::not_found, "swarm key: cannot open " + file.string());
  std::string text(4097, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto k = parse_swarm_key(text);
  sodium_memzero(text.data(), text.size());
  if (!k) {
    auto e = std::move(k).error();
    e.message = file.string() + ": " + e.message;
    return e;
  }
  return k;
}

psk generate_psk() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  psk k;
  randombytes_buf(k.key.data(), k.key.size());
  return k;
}

std::string format_swarm_key(const psk& k) {
  return std::string(swarm_key_header) + "\n/base16/\n" + to_hex(byte_span(k.key.data(), k.key.size())) + "\n";
}

}  // namespace agentp2p::pnet
