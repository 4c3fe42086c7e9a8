#include "agentp2p/security/noise/secure_stream.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace agentp2p::noise {

namespace {

constexpr std::size_t prefix_len = 2;
constexpr std::size_t max_frame = prefix_len + max_message_len;

}  // namespace

secure_stream::secure_stream(std::unique_ptr<core::byte_stream> raw, cipher_state send, cipher_state recv,
                             extensions remote, std::size_t read_buffer_size, std::size_t write_buffer_size)
    : raw_(std::move(raw)),
      send_(std::move(send)),
      recv_(std::move(recv)),
      remote_ext_(std::move(remote)),
      rbuf_(small_read_),
      big_rcap_(std::max(read_buffer_size, max_frame)),
      wcap_(std::max(write_buffer_size, max_frame)) {}

// The cipher states wipe their keys when freed. The buffers are not wiped:
// the write buffer only ever holds ciphertext, and plaintext left in the read
// buffer was already handed to the application.
secure_stream::~secure_stream() = default;

error secure_stream::fail_read(error e) {
  read_error_ = e;
  return e;
}

error secure_stream::fail_write(error e) {
  write_error_ = e;
  return e;
}

// Called only when no decrypted data is pending (plain_* is empty).
void secure_stream::grow_read_buffer() {
  big_read_ = std::make_unique_for_overwrite<std::uint8_t[]>(big_rcap_);
  std::memcpy(big_read_.get(), rbuf_ + rstart_, buffered());
  rend_ -= rstart_;
  rstart_ = 0;
  plain_start_ = plain_end_ = 0;
  rbuf_ = big_read_.get();
  rcap_ = big_rcap_;
}

// Makes room for `need` bytes from rstart_ on (switching buffers or
// compacting), so the connection can be read into [rend_, rcap_).
void secure_stream::make_room(std::size_t need) {
  if (buffered() == 0) {
    rstart_ = rend_ = 0;
    if (big_read_ && small_reads_ >= shrink_after && need <= small_read_size) {
      big_read_.reset();
      rbuf_ = small_read_;
      rcap_ = small_read_size;
    }
  }
  if (need > rcap_) grow_read_buffer();
  if (rcap_ - rstart_ < need) {
    std::memmove(rbuf_, rbuf_ + rstart_, buffered());
    rend_ -= rstart_;
    rstart_ = 0;
  }
}

awaitable<result<std::size_t>> secure_stream::read_some(mutable_byte_span buf) {
  if (read_error_) co_return *read_error_;
  if (buf.empty()) co_return std::size_t{0};
  if (plain_start_ < plain_end_) co_return serve_pending(buf);
  // Decrypts frames straight into `buf` while whole frames fit; waits on the
  // connection only while nothing has been produced yet. An error after some
  // data was produced is kept and reported by the next call.
  std::size_t got = 0;
  for (;;) {
    std::size_t need = prefix_len;
    std::size_t len = 0;
    if (buffered() >= prefix_len) {
      const std::uint8_t* p = rbuf_ + rstart_;
      len = (std::size_t{p[0]} << 8) | p[1];
      if (len < tag_len) {
        auto e = fail_read(make_error(errc::protocol_error, "noise: received a " + std::to_string(len) +
                                                                "-byte frame, shorter than its tag"));
        if (got > 0) co_return got;
        co_return e;
      }
      need = prefix_len + len;
      if (got > 0 && len - tag_len > buf.size() - got) co_return got;
    }
    if (buffered() < need) {
      if (got > 0) co_return got;
      // Read from the connection right here (not in a helper coroutine: a
      // frame per small message adds up). Ask for all the room there is:
      // read ahead as much as the kernel has.
      make_room(need);
      while (buffered() < need) {
        auto n = co_await raw_->read_some(mutable_byte_span(rbuf_ + rend_, rcap_ - rend_));
        if (!n) {
          if (buffered() > 0 && n.error().is(errc::end_of_stream))
            co_return fail_read(make_error(errc::decode_error, "noise: connection closed in the middle of a frame"));
          co_return fail_read(std::move(n).error());
        }
        rend_ += *n;
        small_reads_ = *n <= small_read_size / 2 ? small_reads_ + 1 : 0;
      }
      continue;  // parse the length (now buffered) or decrypt the frame
    }
    const std::size_t plain = len - tag_len;
    const std::size_t room = buf.size() - got;
    std::uint8_t* frame = rbuf_ + rstart_ + prefix_len;
    rstart_ += prefix_len + len;
    // A frame bigger than the caller's buffer (so got == 0) is served in
    // pieces. A large one is authenticated now and decrypted piece by piece
    // into each caller's buffer (the Yamux header into the muxer's small
    // buffer, the payload straight into the stream reader's): no in-place
    // pass and second copy of 64 KiB. A small one is decrypted in place.
    const bool in_pieces = room < plain;
    sealed_pending_ = in_pieces && plain > small_message;
    std::uint8_t* out = in_pieces ? frame : buf.data() + got;
    result<void> opened = ok();
    if (sealed_pending_) opened = recv_.authenticate(byte_span(frame, len));
    else if (auto n = recv_.decrypt_with_ad({}, byte_span(frame, len), out); !n) opened = std::move(n).error();
    if (!opened) {
      sealed_pending_ = false;
      auto e = fail_read(make_error(errc::crypto_error, "noise: message failed to decrypt"));
      if (got > 0) co_return got;
      co_return e;
    }
    if (!in_pieces) {
      got += plain;
      if (got == buf.size()) co_return got;
      continue;  // (an empty frame carries nothing and is skipped too)
    }
    plain_start_ = static_cast<std::size_t>(frame - rbuf_);
    plain_end_ = plain_start_ + plain;
    co_return serve_pending(buf);
  }
}

// The rest of a frame that did not fit the caller's buffer: copied, or
// (sealed_pending_) decrypted now, straight into `buf`.
result<std::size_t> secure_stream::serve_pending(mutable_byte_span buf) {
  const std::size_t n = std::min(buf.size(), plain_end_ - plain_start_);
  if (sealed_pending_) {
    if (auto r = recv_.reveal(rbuf_ + plain_start_, n, buf.data()); !r) {
      plain_start_ = plain_end_ = 0;
      sealed_pending_ = false;
      return fail_read(make_error(errc::crypto_error, "noise: message failed to decrypt"));
    }
  } else {
    std::memcpy(buf.data(), rbuf_ + plain_start_, n);
  }
  plain_start_ += n;
  if (plain_start_ == plain_end_) sealed_pending_ = false;
  return n;
}

result<void> secure_stream::seal_frame(std::span<const byte_span> parts, std::size_t& part, std::size_t& offset,
                                       std::size_t len, std::uint8_t* out) {
  const std::size_t msg_len = len + tag_len;
  out[0] = static_cast<std::uint8_t>(msg_len >> 8);
  out[1] = static_cast<std::uint8_t>(msg_len);
  std::uint8_t* dst = out + prefix_len;
  if (len <= small_message) {
    // Gather the few bytes, then seal them in place in one call.
    std::size_t at = 0;
    while (at < len) {
      const byte_span src = parts[part].subspan(offset);
      const std::size_t take = std::min(len - at, src.size());
      std::memcpy(dst + at, src.data(), take);
      at += take;
      offset += take;
      if (offset == parts[part].size()) {
        ++part;
        offset = 0;
      }
    }
    return send_.encrypt_with_ad({}, byte_span(dst, len), dst);
  }
  AP_TRYV(send_.begin_encrypt({}));
  while (len > 0) {
    const byte_span src = parts[part].subspan(offset);
    const std::size_t take = std::min(len, src.size());
    AP_TRYV(send_.update_encrypt(src.first(take), dst));
    dst += take;
    len -= take;
    offset += take;
    if (offset == parts[part].size()) {
      ++part;
      offset = 0;
    }
  }
  return send_.finish_encrypt(dst);
}

awaitable<result<void>> secure_stream::write(byte_span data) {
  const byte_span parts[] = {data};
  co_return co_await write_v(parts);
}

awaitable<result<void>> secure_stream::write_v(std::span<const byte_span> parts) {
  if (write_error_) co_return *write_error_;
  std::size_t remaining = 0;
  for (auto p : parts) remaining += p.size();
  std::size_t part = 0, offset = 0;
  while (part < parts.size() && parts[part].empty()) ++part;
  if (remaining > 0 && remaining + prefix_len + tag_len <= small_write_size) {
    if (wbuf_ && ++small_writes_ >= shrink_after) wbuf_.reset();
    auto sealed = seal_frame(parts, part, offset, remaining, small_write_);
    if (!sealed) co_return fail_write(std::move(sealed).error());
    auto w = co_await raw_->write(byte_span(small_write_, prefix_len + remaining + tag_len));
    if (!w) co_return fail_write(std::move(w).error());
    co_return ok();
  }
  small_writes_ = 0;
  if (remaining > 0 && !wbuf_) wbuf_ = std::make_unique_for_overwrite<std::uint8_t[]>(wcap_);
  while (remaining > 0) {
    // Pack full-size frames into the write buffer, then hand them over at once.
    std::size_t used = 0;
    while (remaining > 0) {
      const std::size_t len = std::min(remaining, max_plaintext_len);
      if (wcap_ - used < prefix_len + len + tag_len) break;  // never on an empty buffer: wcap_ >= max_frame
      auto sealed = seal_frame(parts, part, offset, len, wbuf_.get() + used);
      if (!sealed) co_return fail_write(std::move(sealed).error());
      while (part < parts.size() && parts[part].empty()) ++part;
      used += prefix_len + len + tag_len;
      remaining -= len;
    }
    auto w = co_await raw_->write(byte_span(wbuf_.get(), used));
    if (!w) co_return fail_write(std::move(w).error());
  }
  co_return ok();
}

awaitable<result<void>> secure_stream::close_write() { co_return co_await raw_->close_write(); }

void secure_stream::reset() {
  read_error_ = make_error(errc::reset, "noise: stream was reset");
  write_error_ = read_error_;
  raw_->reset();
}

}  // namespace agentp2p::noise
