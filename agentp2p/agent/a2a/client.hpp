// Calling another agent's A2A endpoint over /praxis/a2a/1.0.0 (one stream
// per call), and exchanging A2A cards over /praxis/a2a.card/0.3.0.
//
//   a2a::client c(host);                      // A2A 1.0 method names
//   auto r = co_await c.send(peer, msg);      // blocks until the turn ends:
//                                             // a task, or the agent's direct reply
//   auto s = co_await c.stream(peer, msg);    // task, then events
//   for (;;) { auto item = co_await s->next(); if (!item || !*item) break; ... }
//
// Errors the peer answers with come back as errors in a2a::rpc_category
// (e.g. rpc_errc::task_not_found) carrying the peer's message.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/a2a/protocols.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::a2a {

struct client_config {
  // Which method names and shapes to use (0.3: message/send, ...; 1.0:
  // SendMessage, ...). Replies are understood in either shape.
  dialect version = dialect::v1_0;
  // A whole unary call, including a blocking send's wait for the turn.
  std::chrono::milliseconds call_timeout{std::chrono::seconds(150)};
  // Waiting for the next item of a stream.
  std::chrono::milliseconds event_timeout{std::chrono::minutes(10)};
  std::size_t max_line = agent::default_max_line;
  parse_limits limits;
};

struct send_options {
  std::optional<std::size_t> history_length;
  bool blocking = true;  // false: answer at once with the submitted task
};

// What SendMessage answers: the task the message started or continued, or
// (A2A lets an agent answer a simple request without a task) a message.
using send_reply = std::variant<task, message>;

struct list_request {
  std::string context_id;
  std::optional<task_state> state;
  std::size_t page_size = 0;  // 0: the server's default
  std::string page_token;
  std::size_t history_length = 0;
  bool include_artifacts = false;
};

struct list_response {
  std::vector<task> tasks;
  std::string next_page_token;  // empty on the last page
  std::size_t page_size = 0;
  std::size_t total_size = 0;
};

// The items of one streaming call, read from its stream as they come.
class event_stream {
 public:
  event_stream(event_stream&&) noexcept;
  event_stream& operator=(event_stream&&) noexcept;
  ~event_stream();

  // The next item; nullopt after the last one (a status that ends the turn,
  // or a direct message). An error response from the peer is an error.
  awaitable<result<std::optional<stream_item>>> next();

 private:
  friend class client;
  struct state;
  explicit event_stream(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

class client {
 public:
  explicit client(std::shared_ptr<host::host> h, client_config cfg = {});

  // (Coroutines take no default arguments: GCC 12 destroys them twice.
  // The shorter overloads below supply the defaults.)
  awaitable<result<send_reply>> send(const crypto::peer_id& peer, message m, send_options o);
  awaitable<result<send_reply>> send(const crypto::peer_id& peer, message m) {
    return send(peer, std::move(m), send_options{});
  }
  awaitable<result<event_stream>> stream(const crypto::peer_id& peer, message m);
  awaitable<result<event_stream>> resubscribe(const crypto::peer_id& peer, std::string task_id);
  awaitable<result<task>> get(const crypto::peer_id& peer, std::string task_id,
                              std::optional<std::size_t> history_length);
  awaitable<result<task>> get(const crypto::peer_id& peer, std::string task_id) {
    return get(peer, std::move(task_id), std::nullopt);
  }
  awaitable<result<task>> cancel(const crypto::peer_id& peer, std::string task_id);
  // ListTasks (with version 0.3: tasks/list, this library's extension).
  awaitable<result<list_response>> list(const crypto::peer_id& peer, list_request q);
  awaitable<result<list_response>> list(const crypto::peer_id& peer) { return list(peer, list_request{}); }
  awaitable<result<boost::json::object>> extended_card(const crypto::peer_id& peer);

  // Any method, raw: the result, or the peer's error.
  awaitable<result<boost::json::value>> call(const crypto::peer_id& peer, std::string method,
                                             boost::json::object params);

  // /praxis/a2a.card/0.3.0: the peer's A2A card, and offering ours.
  awaitable<result<boost::json::object>> request_card(const crypto::peer_id& peer);
  awaitable<result<void>> offer_card(const crypto::peer_id& peer, boost::json::object card);

  const client_config& settings() const noexcept { return config_; }

 private:
  awaitable<result<event_stream>> open_stream(const crypto::peer_id& peer, std::string method,
                                              boost::json::object params);
  awaitable<result<boost::json::value>> card_exchange(const crypto::peer_id& peer, boost::json::value msg);
  const char* method_name(int which) const;

  std::weak_ptr<host::host> host_;
  client_config config_;
  std::uint64_t next_id_ = 1;
};

}  // namespace agentp2p::a2a
