// multistream-select 1.0: https://github.com/multiformats/multistream-select
// Each message is a uvarint length, the UTF-8 text and a trailing '\n'.
// Reads never go past the negotiated message, so the stream can be handed to
// the selected protocol (Noise, Yamux, an application handler) untouched.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::multistream {

inline constexpr std::string_view protocol_id = "/multistream/1.0.0";

struct config {
  // Longest message we accept (protocol ids are short; the spec allows 1024).
  std::size_t max_message_size = 1024;
  // Proposals a responder answers with "na" before giving up on the peer.
  std::size_t max_rejections = 32;
};

// Initiator: proposes `protocols` in order of preference and returns the one
// the responder accepted. errc::unsupported (naming every protocol tried)
// when the responder refuses them all.
awaitable<result<std::string>> select(core::byte_stream& s, std::span<const std::string> protocols,
                                      const config& cfg = {});

// Lazy (optimistic) select, for a protocol the initiator expects the peer to
// speak (js-libp2p's lazySelect, go-multistream's SelectProtoOrFail with
// lazy handshake): lazy_proposal() is the header + proposal, sent together
// with the first payload, with no round trip before it; expect_echo() reads
// the responder's header and answer before the first payload read.
// errc::unsupported ("the peer does not support <protocol>") when the
// responder answers "na" — the payload sent along went to a peer that
// discards it (it reads it as further proposals, which fail).
bytes lazy_proposal(std::string_view protocol);
awaitable<result<void>> expect_echo(core::byte_stream& s, std::string_view protocol, const config& cfg = {});

// The initiator's state during a lazy select, for a byte stream that wraps
// the one negotiated on (host::stream for protocols, the upgrader for the
// security protocol): the proposal travels with the first write, or goes
// out on its own before the first read or before closing our side; the
// echo is read before the first payload read. The wrapper forwards straight
// to the stream (no coroutine) once proposal_pending() and echo_pending()
// are false, and decides what a refused or garbled echo means for it.
class lazy_select {
 public:
  lazy_select() = default;  // nothing to select: the stream was negotiated in full
  explicit lazy_select(std::string_view protocol) : proposal_(lazy_proposal(protocol)), echo_pending_(true) {}

  bool proposal_pending() const noexcept { return !proposal_.empty(); }
  bool echo_pending() const noexcept { return echo_pending_; }

  // The proposal, then `data` / `parts`, in one write_v. The proposal is
  // taken at once: a write started meanwhile sees it gone.
  awaitable<result<void>> write_with_proposal(core::byte_stream& s, byte_span data);
  awaitable<result<void>> write_v_with_proposal(core::byte_stream& s, std::span<const byte_span> parts);
  // Sends the proposal if it is still pending (a protocol whose initiator
  // reads first, or closes without writing).
  awaitable<result<void>> flush(core::byte_stream& s);
  // flush(), then reads the echo of `protocol` (see expect_echo). Called
  // once: echo_pending() is false from its start.
  awaitable<result<void>> read_echo(core::byte_stream& s, std::string_view protocol, const config& cfg = {});

 private:
  bytes proposal_;  // empty once sent
  bool echo_pending_ = false;
};

// Responder: answers proposals, accepting the first for which supports()
// is true, and "ls" with the list from `list` (may be empty).
using support_fn = std::function<bool(std::string_view)>;
using list_fn = std::function<std::vector<std::string>()>;
awaitable<result<std::string>> handle(core::byte_stream& s, const support_fn& supports, const list_fn& list = {},
                                      const config& cfg = {});

// Wire codec, exposed for tests and fuzzing.
void append_message(bytes& out, std::string_view text);
// Validates a received message (payload of the length prefix): trailing '\n'
// present; returns the text without it.
result<std::string_view> parse_message(byte_span payload);

}  // namespace agentp2p::multistream
