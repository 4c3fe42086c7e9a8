#include "agentp2p/agent/tools/errors.hpp"

namespace agentp2p::tools {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "json-rpc"; }
  std::string message(int ev) const override {
    switch (ev) {
      case rpc::internal_error: return "tool failed";
      case rpc::method_not_found: return "not found";
      case rpc::invalid_params: return "invalid arguments";
      default: return "remote error " + std::to_string(ev);
    }
  }
};

}  // namespace

const std::error_category& rpc_category() noexcept {
  static const category c;
  return c;
}

int rpc_code(const agentp2p::error& e) noexcept {
  if (e.code.category() == rpc_category()) return e.code.value();
  if (e.code.category() != agentp2p_category()) return rpc::internal_error;
  switch (static_cast<errc>(e.code.value())) {
    case errc::decode_error: return rpc::parse_error;
    case errc::protocol_error:
    case errc::too_large: return rpc::invalid_request;
    case errc::not_found: return rpc::method_not_found;
    case errc::invalid_argument: return rpc::invalid_params;
    case errc::timeout: return rpc::timeout;
    case errc::cancelled: return rpc::cancelled;
    case errc::limit_exceeded: return rpc::busy;
    case errc::permission_denied: return rpc::forbidden;
    default: return rpc::internal_error;
  }
}

agentp2p::error from_rpc(int code, std::string message) {
  switch (code) {
    case rpc::parse_error: return {errc::decode_error, std::move(message)};
    case rpc::invalid_request: return {errc::protocol_error, std::move(message)};
    case rpc::method_not_found: return {errc::not_found, std::move(message)};
    case rpc::invalid_params: return {errc::invalid_argument, std::move(message)};
    case rpc::timeout: return {errc::timeout, std::move(message)};
    case rpc::cancelled: return {errc::cancelled, std::move(message)};
    case rpc::busy: return {errc::limit_exceeded, std::move(message)};
    case rpc::forbidden: return {errc::permission_denied, std::move(message)};
    default: return {std::error_code(code, rpc_category()), std::move(message)};
  }
}

}  // namespace agentp2p::tools
