// The Noise transport phase as a byte_stream: writes become encrypted frames
// (2-byte big-endian length, then ChaCha20-Poly1305 ciphertext + 16-byte
// tag, at most 65535 bytes), reads decrypt them.
//
// Throughput is the point of this file:
//  - no allocation per frame: one read buffer and one write buffer, reused
//    for the life of the stream;
//  - an idle connection costs little memory: small frames (pings, window
//    updates, requests) use small buffers inside the object (1 KiB / 512 B),
//    the large buffers are allocated the first time a frame needs them and
//    freed again after 16 small reads (writes) in a row;
//  - reads ask the connection for as much as the read buffer holds, so a
//    bulk transfer takes several frames per system call; one read_some
//    decrypts as many buffered frames as fit straight into the caller's
//    buffer, and a frame too big for it is decrypted in place and served
//    from there by later reads (a large one is authenticated first and then
//    decrypted piece by piece straight into each reader's buffer);
//  - writes encrypt straight from the caller's bytes into the write buffer
//    (write_v gathers all parts into one frame), several full frames per
//    system call for large writes.
#pragma once

#include <memory>
#include <optional>

#include "agentp2p/core/byte_stream.hpp"
#include "agentp2p/security/noise/cipher_state.hpp"
#include "agentp2p/security/noise/noise.hpp"

namespace agentp2p::noise {

class secure_stream final : public core::byte_stream {
 public:
  secure_stream(std::unique_ptr<core::byte_stream> raw, cipher_state send, cipher_state recv, extensions remote,
                std::size_t read_buffer_size, std::size_t write_buffer_size);
  ~secure_stream() override;

  executor get_executor() const override { return raw_->get_executor(); }
  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override;
  awaitable<result<void>> write(byte_span data) override;
  awaitable<result<void>> write_v(std::span<const byte_span> parts) override;
  awaitable<result<void>> close_write() override;
  void reset() override;

  const extensions& remote_extensions() const noexcept { return remote_ext_; }

 private:
  std::size_t buffered() const noexcept { return rend_ - rstart_; }
  void make_room(std::size_t need);
  result<std::size_t> serve_pending(mutable_byte_span buf);
  void grow_read_buffer();
  // Encrypts the next `len` bytes of `parts` (from the cursor) as one frame at `out`.
  result<void> seal_frame(std::span<const byte_span> parts, std::size_t& part, std::size_t& offset,
                          std::size_t len, std::uint8_t* out);
  error fail_read(error e);
  error fail_write(error e);

  std::unique_ptr<core::byte_stream> raw_;
  cipher_state send_;
  cipher_state recv_;
  extensions remote_ext_;

  // Read buffer: [rstart_, rend_) are received bytes not yet parsed;
  // [plain_start_, plain_end_) (before rstart_) is decrypted data not yet
  // handed out. Data is compacted to the front only when a frame would not
  // fit behind it.
  // rbuf_ is small_read_ until a frame does not fit, then big_read_.
  static constexpr std::size_t small_read_size = 1024;
  static constexpr std::size_t small_write_size = 512;
  std::uint8_t* rbuf_;
  std::size_t rcap_ = small_read_size;
  std::size_t rstart_ = 0, rend_ = 0;
  std::size_t plain_start_ = 0, plain_end_ = 0;
  bool sealed_pending_ = false;  // [plain_start_, plain_end_) is authenticated ciphertext, revealed as served
  std::size_t big_rcap_;
  std::unique_ptr<std::uint8_t[]> big_read_;

  std::unique_ptr<std::uint8_t[]> wbuf_;  // allocated on the first large write
  std::size_t wcap_;

  // Reads and writes in a row that were small: after shrink_after of them
  // the large buffers are freed (a connection that carried a bulk transfer
  // and is now idle gives back its 256 + 128 KiB).
  static constexpr unsigned shrink_after = 16;
  unsigned small_reads_ = 0;
  unsigned small_writes_ = 0;

  std::uint8_t small_read_[small_read_size];
  std::uint8_t small_write_[small_write_size];

  // After a failure a direction stays failed: a lost frame breaks the nonces.
  std::optional<error> read_error_;
  std::optional<error> write_error_;
};

}  // namespace agentp2p::noise
