#include "agentp2p/host/upgrader.hpp"

#include <algorithm>

#include "agentp2p/multistream/multistream.hpp"

namespace agentp2p::host {

namespace {

template <class T>
std::vector<std::string> ids_of(const std::vector<std::unique_ptr<T>>& items) {
  std::vector<std::string> ids;
  for (const auto& i : items) ids.emplace_back(i->protocol_id());
  return ids;
}

template <class T>
T* by_id(const std::vector<std::unique_ptr<T>>& items, std::string_view id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const auto& i) { return i->protocol_id() == id; });
  return it == items.end() ? nullptr : it->get();
}

}  // namespace

awaitable<result<upgraded>> upgrader::outbound(std::unique_ptr<core::byte_stream> raw,
                                               std::optional<crypto::peer_id> expected) const {
  const auto security_ids = ids_of(security_);
  AP_CO_TRY(auto security_id, co_await multistream::select(*raw, security_ids));
  auto* security = by_id(security_, security_id);
  AP_CO_TRY(auto secured, co_await security->secure_outbound(std::move(raw), std::move(expected)));
  const auto muxer_ids = ids_of(muxers_);
  AP_CO_TRY(auto muxer_id, co_await multistream::select(*secured.stream, muxer_ids));
  auto* muxer = by_id(muxers_, muxer_id);
  upgraded out{muxer->create(std::move(secured.stream), true), std::move(secured.remote_peer),
               std::move(secured.remote_key), std::move(security_id), std::move(muxer_id)};
  co_return out;
}

awaitable<result<upgraded>> upgrader::inbound(std::unique_ptr<core::byte_stream> raw) const {
  const multistream::support_fn supports_security = [&](std::string_view id) { return by_id(security_, id) != nullptr; };
  AP_CO_TRY(auto security_id, co_await multistream::handle(*raw, supports_security));
  auto* security = by_id(security_, security_id);
  AP_CO_TRY(auto secured, co_await security->secure_inbound(std::move(raw)));
  const multistream::support_fn supports_muxer = [&](std::string_view id) { return by_id(muxers_, id) != nullptr; };
  AP_CO_TRY(auto muxer_id, co_await multistream::handle(*secured.stream, supports_muxer));
  auto* muxer = by_id(muxers_, muxer_id);
  upgraded out{muxer->create(std::move(secured.stream), false), std::move(secured.remote_peer),
               std::move(secured.remote_key), std::move(security_id), std::move(muxer_id)};
  co_return out;
}

}  // namespace agentp2p::host
