// A2A over JSON-RPC 2.0, independent of the transport: the libp2p stream
// service and an HTTP endpoint feed it request text and give it a sink for
// the responses.
//
// Methods (both families; each answers in its own version's JSON):
//   A2A 0.3: message/send, message/stream, tasks/get, tasks/cancel,
//            tasks/resubscribe, agent/getAuthenticatedExtendedCard, and
//            tasks/list (not in 0.3's JSON-RPC binding; same as ListTasks
//            with 0.3 shapes)
//   A2A 1.0: SendMessage, SendStreamingMessage, GetTask, ListTasks,
//            CancelTask, SubscribeToTask, GetExtendedAgentCard
// Push-notification config methods of either version answer -32003.
// Streaming methods send one response (same id) per item: the task first,
// then its events, ending at a terminal or interrupted state. A message the
// executor answers directly (no task) is SendMessage's result and a stream's
// only item: 0.3 {"kind":"message",...}, 1.0 {"message":{...}}.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "agentp2p/agent/a2a/agent_card.hpp"
#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/a2a/jsonrpc.hpp"
#include "agentp2p/agent/a2a/task_manager.hpp"

namespace agentp2p::a2a {

struct dispatcher_config {
  // A blocking send answers when the turn ends, or after this long with the
  // task as it stands (the client can then poll or resubscribe).
  std::chrono::milliseconds blocking_timeout{std::chrono::seconds(120)};
  // One streaming call lasts at most this long; then it ends with an error
  // saying so (resubscribe to continue).
  std::chrono::milliseconds max_stream_duration{std::chrono::minutes(10)};
  parse_limits limits;
};

// Where responses go (a stream, an HTTP body, an SSE stream, a test vector).
class response_sink {
 public:
  virtual ~response_sink() = default;
  virtual awaitable<result<void>> send(boost::json::value response) = 0;
};

class dispatcher {
 public:
  dispatcher(std::shared_ptr<task_manager> tasks, card_config card, dispatcher_config cfg = {});

  // Answers one request (text of one JSON-RPC request). Every failure of the
  // request becomes an error response; the result is an error only when the
  // sink failed (the client is gone).
  awaitable<result<void>> handle(std::string text, request_context caller, response_sink& out);
  awaitable<result<void>> handle(rpc_request req, request_context caller, response_sink& out);

  boost::json::object card_v03() const { return agent_card_v03(card_); }
  boost::json::object card_v10() const { return agent_card_v10(card_); }
  const card_config& card() const noexcept { return card_; }
  void set_card_url(std::string url) { card_.url = std::move(url); }
  task_manager& tasks() noexcept { return *tasks_; }

 private:
  awaitable<result<void>> send_message(rpc_request req, dialect d, request_context caller, response_sink& out);
  // SendMessage / SendStreamingMessage answered by the executor with a
  // message (agent_executor::replies_directly): the one response.
  awaitable<result<void>> direct_reply(const rpc_request& req, dialect d, request_context& caller, message& m,
                                       response_sink& out);
  awaitable<result<void>> stream_message(rpc_request req, dialect d, request_context caller, response_sink& out);
  awaitable<result<void>> resubscribe(rpc_request req, dialect d, request_context caller, response_sink& out);
  awaitable<result<void>> pump(const boost::json::value& id, dialect d, std::shared_ptr<subscription> events,
                               response_sink& out);
  // `ended`: set to the task's id when the reply reports a task whose turn
  // ended (the caller commits it before answering).
  boost::json::value unary(const rpc_request& req, int kind, dialect d, const request_context& caller,
                           std::string& ended);

  std::shared_ptr<task_manager> tasks_;
  card_config card_;
  dispatcher_config config_;
};

}  // namespace agentp2p::a2a
