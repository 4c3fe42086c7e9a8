#include <array>
#include <vector>

#include "agentp2p/host/connection.hpp"
#include "agentp2p/multistream/multistream.hpp"

namespace agentp2p::host {

namespace {
// (A plain function: GCC 12 mishandles braced lists alive across a co_await.)
std::array<byte_span, 2> two_parts(byte_span first, byte_span second) { return {first, second}; }
}  // namespace

stream::stream(lazy_t, std::shared_ptr<core::muxed_stream> s, std::string protocol,
               std::shared_ptr<const connection_info> conn)
    : stream_(std::move(s)),
      protocol_(std::move(protocol)),
      conn_(std::move(conn)),
      proposal_(multistream::lazy_proposal(protocol_)),
      echo_pending_(true) {}

awaitable<result<std::size_t>> stream::read_after_echo(mutable_byte_span buf) {
  // A protocol whose initiator reads first: the proposal has to go out before
  // the peer can answer it.
  if (!proposal_.empty()) {
    auto proposal = std::exchange(proposal_, bytes());
    AP_CO_TRYV(co_await stream_->write(proposal));
  }
  echo_pending_ = false;
  auto echoed = co_await multistream::expect_echo(*stream_, protocol_);
  if (!echoed) {
    stream_->reset();  // what follows on the stream is not ours to read
    co_return std::move(echoed).error();
  }
  co_return co_await stream_->read_some(buf);
}

awaitable<result<void>> stream::write_with_proposal(byte_span data) {
  auto proposal = std::exchange(proposal_, bytes());  // taken at once: a concurrent write sees it gone
  auto parts = two_parts(proposal, data);
  co_return co_await stream_->write_v(parts);
}

awaitable<result<void>> stream::write_v_with_proposal(std::span<const byte_span> parts) {
  auto proposal = std::exchange(proposal_, bytes());
  std::vector<byte_span> all;
  all.reserve(parts.size() + 1);
  all.push_back(proposal);
  all.insert(all.end(), parts.begin(), parts.end());
  co_return co_await stream_->write_v(all);
}

awaitable<result<void>> stream::close_after_proposal() {
  auto proposal = std::exchange(proposal_, bytes());
  AP_CO_TRYV(co_await stream_->write(proposal));
  co_return co_await stream_->close_write();
}

}  // namespace agentp2p::host
