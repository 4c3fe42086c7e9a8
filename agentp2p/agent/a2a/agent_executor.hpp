// The pluggable part of an A2A agent: what it does with a message. The task
// manager owns the task (ids, persistence, cancellation, subscribers); an
// agent_executor runs one turn of it and reports through a task_updater, or
// (for a simple interaction that needs no task) answers a new message
// directly with a message of its own.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agentp2p/agent/a2a/types.hpp"
#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::a2a {

// Who is calling: the authenticated remote peer of a libp2p stream, or no
// peer for a trusted local caller (e.g. the daemon's own HTTP API), which
// may see every task. Peers only ever see the tasks they created.
struct request_context {
  std::optional<crypto::peer_id> peer;
};

// The owner recorded for a caller's tasks: the peer id, or "" when local.
std::string owner_of(const request_context& c);

class task_manager;

// An executor's handle on the task it is running. Calls are valid while the
// turn lasts: once the task is canceled, or a state that ends the turn was
// reported, they fail with unsupported_operation.
class task_updater {
 public:
  const std::string& task_id() const noexcept { return task_id_; }
  const std::string& context_id() const noexcept { return context_id_; }

  // Moves the task to `s`; a message is recorded in the history and attached
  // to the status. Reporting a terminal or interrupted state ends the turn.
  result<void> update(task_state s, std::optional<message> m = std::nullopt);
  result<void> working(std::optional<message> m = std::nullopt) { return update(task_state::working, std::move(m)); }
  result<void> complete(std::optional<message> m = std::nullopt) { return update(task_state::completed, std::move(m)); }
  result<void> fail(std::string text) { return update(task_state::failed, agent_message(std::move(text))); }
  result<void> reject(std::string text) { return update(task_state::rejected, agent_message(std::move(text))); }
  result<void> require_input(std::string text) {
    return update(task_state::input_required, agent_message(std::move(text)));
  }
  // Adds (or with `append`, extends) an artifact. An empty artifact_id gets one.
  result<void> add_artifact(artifact a, bool append = false, bool last_chunk = true);

  // A message from the agent in this task, with a fresh message id.
  message agent_message(std::string text) const;

 private:
  friend class task_manager;
  struct turn;
  task_updater(std::weak_ptr<task_manager> m, std::weak_ptr<turn> t, std::string task_id, std::string context_id)
      : manager_(std::move(m)), turn_(std::move(t)), task_id_(std::move(task_id)), context_id_(std::move(context_id)) {}

  std::weak_ptr<task_manager> manager_;
  std::weak_ptr<turn> turn_;
  std::string task_id_;
  std::string context_id_;
};

// What one turn starts from.
struct turn_context {
  request_context caller;  // who sent the message
  a2a::task task;          // the task as the turn starts (its history ends with `input`)
  a2a::message input;      // the message that started this turn
};

// What a direct reply starts from: no task exists (nor ever will for it).
struct reply_context {
  request_context caller;  // who sent the message
  a2a::message input;      // the message; its context id is set (generated when the caller gave none)
};

class agent_executor {
 public:
  virtual ~agent_executor() = default;

  // Direct replies. A2A lets an agent answer SendMessage / SendStreamingMessage
  // with a Message instead of a Task when the interaction needs no task
  // (the spec's "simple interactions"; @a2a-js/sdk: an executor whose first
  // event is a Message). Asked, before any task exists, for every message
  // that names no task: true means reply() answers it and no task is created,
  // stored or listed (the sender gets {"message": ...}; a stream carries that
  // one message and ends). Decided up front rather than by the turn's first
  // report, so the task path stays as it was and the reply path never touches
  // the store. Asked before the message's size and parts are checked (it may
  // have no parts). Must not block; the default keeps every message a task.
  virtual bool replies_directly(const request_context& /*caller*/, const message& /*input*/) const { return false; }
  // The answer to a message replies_directly() accepted. The manager sets
  // the reply's role (agent), context id (the input's) and, when empty, its
  // message id. Runs in the caller's coroutine (the request's): the
  // transport's cancellation (client gone, shutdown) cancels it, so it should
  // be quick — long work belongs in a task. An error becomes the call's
  // JSON-RPC error (an rpc_errc keeps its code, anything else is -32603).
  virtual awaitable<result<message>> reply(reply_context ctx);

  // Runs one turn. Report progress and the outcome through `updater` and
  // return once the task is terminal or interrupted (a turn that returns with
  // the task still submitted/working fails the task). CancelTask and
  // shutdown cancel this coroutine at its next co_await.
  virtual awaitable<void> execute(turn_context ctx, std::shared_ptr<task_updater> updater) = 0;
};

}  // namespace agentp2p::a2a
