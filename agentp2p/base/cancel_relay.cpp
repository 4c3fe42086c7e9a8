#include "agentp2p/base/cancel_relay.hpp"

#include <boost/asio/post.hpp>

namespace agentp2p {

std::shared_ptr<cancel_relay> cancel_relay::create(executor work_executor) {
  return std::shared_ptr<cancel_relay>(new cancel_relay(std::move(work_executor)));
}

void cancel_relay::request(asio::cancellation_type type) {
  if (requested_.exchange(true, std::memory_order_acq_rel)) return;
  // The lambda keeps the relay (and so the signal co_spawn points into) alive.
  asio::post(work_executor_, [self = shared_from_this(), type] {
    if (self->running_) self->signal_.emit(type);
  });
}

}  // namespace agentp2p
