#include "agentp2p/host/connection.hpp"

namespace agentp2p::host {

stream::stream(lazy_t, std::shared_ptr<core::muxed_stream> s, std::string protocol,
               std::shared_ptr<const connection_info> conn)
    : stream_(std::move(s)), protocol_(std::move(protocol)), conn_(std::move(conn)), select_(protocol_) {}

awaitable<result<std::size_t>> stream::read_after_echo(mutable_byte_span buf) {
  auto echoed = co_await select_.read_echo(*stream_, protocol_);
  if (!echoed) {
    stream_->reset();  // what follows on the stream is not ours to read
    co_return std::move(echoed).error();
  }
  co_return co_await stream_->read_some(buf);
}

awaitable<result<void>> stream::close_after_proposal() {
  AP_CO_TRYV(co_await select_.flush(*stream_));
  co_return co_await stream_->close_write();
}

}  // namespace agentp2p::host
