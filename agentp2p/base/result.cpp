#include "agentp2p/base/result.hpp"

namespace agentp2p {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "agentp2p"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "ok";
      case errc::end_of_stream: return "end of stream";
      case errc::closed: return "closed";
      case errc::reset: return "reset";
      case errc::timeout: return "timed out";
      case errc::cancelled: return "cancelled";
      case errc::protocol_error: return "protocol error";
      case errc::decode_error: return "malformed input";
      case errc::too_large: return "too large";
      case errc::limit_exceeded: return "limit exceeded";
      case errc::unsupported: return "unsupported";
      case errc::invalid_argument: return "invalid argument";
      case errc::peer_id_mismatch: return "peer id mismatch";
      case errc::handshake_failed: return "handshake failed";
      case errc::crypto_error: return "cryptographic failure";
      case errc::not_found: return "not found";
      case errc::io_error: return "i/o error";
      case errc::connection_refused: return "connection refused";
      case errc::already_exists: return "already exists";
      case errc::permission_denied: return "permission denied";
    }
    return "unknown error";
  }
};

}  // namespace

const std::error_category& agentp2p_category() noexcept {
  static const category c;
  return c;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), agentp2p_category()}; }

std::string error::what() const {
  if (message.empty()) return code.message();
  return message + " (" + code.message() + ")";
}

agentp2p::error from_system(std::error_code ec, std::string_view context) {
  std::string msg(context);
  if (!msg.empty()) msg += ": ";
  msg += ec.message();
  return {ec, std::move(msg)};
}

}  // namespace agentp2p
