#include "agentp2p/agent/a2a/errors.hpp"

namespace agentp2p::a2a {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "a2a"; }
  std::string message(int ev) const override {
    switch (static_cast<rpc_errc>(ev)) {
      case rpc_errc::parse_error:
        return "invalid JSON payload";
      case rpc_errc::invalid_request:
        return "invalid JSON-RPC request";
      case rpc_errc::method_not_found:
        return "method not found";
      case rpc_errc::invalid_params:
        return "invalid parameters";
      case rpc_errc::internal_error:
        return "internal error";
      case rpc_errc::task_not_found:
        return "task not found";
      case rpc_errc::task_not_cancelable:
        return "task cannot be canceled";
      case rpc_errc::push_notification_not_supported:
        return "push notifications are not supported";
      case rpc_errc::unsupported_operation:
        return "this operation is not supported";
      case rpc_errc::content_type_not_supported:
        return "incompatible content types";
      case rpc_errc::invalid_agent_response:
        return "invalid agent response";
      case rpc_errc::extended_card_not_configured:
        return "extended agent card not configured";
      case rpc_errc::too_many_tasks:
        return "too many tasks";
    }
    return "A2A error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& rpc_category() noexcept {
  static const category c;
  return c;
}

std::error_code make_error_code(rpc_errc e) noexcept { return {static_cast<int>(e), rpc_category()}; }

int rpc_code(const agentp2p::error& e) noexcept {
  if (e.code.category() == rpc_category()) return e.code.value();
  if (e.is(errc::invalid_argument) || e.is(errc::decode_error) || e.is(errc::too_large))
    return static_cast<int>(rpc_errc::invalid_params);
  if (e.is(errc::not_found)) return static_cast<int>(rpc_errc::task_not_found);
  if (e.is(errc::unsupported)) return static_cast<int>(rpc_errc::unsupported_operation);
  if (e.is(errc::limit_exceeded)) return static_cast<int>(rpc_errc::too_many_tasks);
  return static_cast<int>(rpc_errc::internal_error);
}

}  // namespace agentp2p::a2a
