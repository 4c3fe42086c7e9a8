#include "agentp2p/security/pnet/pnet.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace agentp2p::pnet {

namespace {

constexpr std::size_t block_size = 64;

// The protected stream: one cipher per direction. Reads decrypt in place in
// the caller's buffer; writes encrypt into a scratch buffer reused across
// writes (the byte_stream contract allows one write at a time).
class protected_stream final : public core::byte_stream {
 public:
  protected_stream(std::unique_ptr<core::byte_stream> inner, const psk& key,
                   const std::array<std::uint8_t, nonce_size>& local, const std::array<std::uint8_t, nonce_size>& remote)
      : inner_(std::move(inner)), out_(key, local), in_(key, remote) {}

  executor get_executor() const override { return inner_->get_executor(); }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    auto n = co_await inner_->read_some(buf);
    if (n) in_.apply(buf.first(*n));
    co_return n;
  }

  awaitable<result<void>> write(byte_span data) override {
    const byte_span parts[] = {data};
    co_return co_await write_v(parts);
  }

  awaitable<result<void>> write_v(std::span<const byte_span> parts) override {
    scratch_.clear();
    for (auto p : parts) scratch_.insert(scratch_.end(), p.begin(), p.end());
    if (scratch_.empty()) co_return ok();
    out_.apply(scratch_);
    auto r = co_await inner_->write(scratch_);
    // Do not keep a large frame's buffer around for an idle connection.
    if (scratch_.capacity() > 256 * 1024) bytes().swap(scratch_);
    co_return r;
  }

  awaitable<result<void>> close_write() override { return inner_->close_write(); }
  void reset() override { inner_->reset(); }

 private:
  std::unique_ptr<core::byte_stream> inner_;
  xsalsa20 out_;
  xsalsa20 in_;
  bytes scratch_;
};

}  // namespace

xsalsa20::xsalsa20(const psk& key, const std::array<std::uint8_t, nonce_size>& nonce) : key_(key.key), nonce_(nonce) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

xsalsa20::~xsalsa20() { sodium_memzero(key_.data(), key_.size()); }

void xsalsa20::apply(std::span<std::uint8_t> data) {
  std::size_t i = 0;
  // Finish the partly used block from the cached keystream.
  while (i < data.size() && pos_ % block_size != 0) {
    data[i++] ^= block_[pos_ % block_size];
    ++pos_;
  }
  if (i == data.size()) return;
  // Whole blocks (and the start of the last one) straight from libsodium,
  // starting at block counter pos_/64.
  const std::size_t rest = data.size() - i;
  crypto_stream_xsalsa20_xor_ic(data.data() + i, data.data() + i, rest, nonce_.data(), pos_ / block_size, key_.data());
  pos_ += rest;
  if (pos_ % block_size != 0) {
    // Cache the keystream of the block we stopped in.
    block_.fill(0);
    crypto_stream_xsalsa20_xor_ic(block_.data(), block_.data(), block_size, nonce_.data(), pos_ / block_size,
                                  key_.data());
  }
}

awaitable<result<std::unique_ptr<core::byte_stream>>> protect(std::unique_ptr<core::byte_stream> raw, const psk& key) {
  if (sodium_init() < 0) co_return make_error(errc::crypto_error, "libsodium failed to initialise");
  std::array<std::uint8_t, nonce_size> local{};
  randombytes_buf(local.data(), local.size());
  auto sent = co_await raw->write(local);
  if (!sent) {
    auto e = std::move(sent).error();
    e.message = "pnet: sending our nonce: " + e.message;
    co_return e;
  }
  std::array<std::uint8_t, nonce_size> remote{};
  auto got = co_await core::read_exact(*raw, remote);
  if (!got) {
    auto e = std::move(got).error();
    e.message = "pnet: reading the peer's nonce: " + e.message +
                " (private network: the peer may not be using a swarm key)";
    co_return e;
  }
  std::unique_ptr<core::byte_stream> out = std::make_unique<protected_stream>(std::move(raw), key, local, remote);
  co_return out;
}

}  // namespace agentp2p::pnet
