// The JSON-RPC 2.0 engine of MCP, for either role, over any transport.
//
//   auto s = mcp::session::create(std::move(transport), my_handler, cfg);
//   co_await s->run();   // until the peer is done or s->close()
//
// Incoming requests are handed to the handler concurrently (at most
// max_in_flight at once, each in its own coroutine owned by the session);
// their results become responses with the request's id (string or number).
// notifications/cancelled cancels the named request's coroutine (Asio
// terminal cancellation; no response is sent for it, as MCP specifies);
// `ping` is answered by the session itself. Requests other than initialize
// and ping are refused with -32600 until the role marks the session
// initialized (require_initialize). Batches are refused with -32600 unless
// the negotiated version has them (2024-11-05, 2025-03-26). Input that is not
// JSON gets -32700, a message of the wrong shape -32600, both with id null.
//
// Our own requests to the peer (the server's sampling/elicitation/roots, the
// client's everything) go out with numeric ids and wait for the matching
// response, a timeout (then the peer gets notifications/cancelled), or the
// end of the session.
//
// Outgoing messages are queued and written by one writer coroutine, so a
// cancelled handler never leaves half a message on the wire; the queue is
// bounded (notifications beyond it are dropped, requests fail).
//
// Threading: everything runs on the transport's executor, which must be
// single-threaded or a strand. From other threads use post_notify().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/agent/mcp/protocol.hpp"
#include "agentp2p/agent/mcp/transport.hpp"
#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/base/task_group.hpp"

namespace agentp2p::mcp {

using duration = std::chrono::steady_clock::duration;

struct session_config {
  // Incoming requests being handled at once; more are answered with -32603.
  std::size_t max_in_flight = 64;
  // Our requests awaiting a response at once.
  std::size_t max_outgoing = 64;
  // Messages queued for the writer; beyond it notifications are dropped.
  std::size_t max_queued_messages = 4096;
  // How long our requests wait for a response by default.
  duration request_timeout = std::chrono::seconds(60);
  // Refuse requests other than initialize and ping before initialization.
  bool require_initialize = true;
  // Accept praxis's simplified messages ({id, method, params} without
  // "jsonrpc"): answered in the same shape and without initialization.
  bool accept_simplified = false;
  // For log lines ("mcp stdio", "mcp /mcp/1.0.0 12D3…").
  std::string name = "mcp";
};

class session;

// One incoming request while its handler runs.
class request_context {
 public:
  session& owner() const noexcept { return session_; }
  const boost::json::value& id() const noexcept;
  const std::string& method() const noexcept;
  // params._meta.progressToken, if the requester asked for progress.
  const std::optional<boost::json::value>& progress_token() const noexcept;
  // True once the requester cancelled (the handler also gets an Asio cancellation).
  bool cancelled() const noexcept;

  // notifications/progress for this request; a no-op without a progress token.
  // `total` and `message` are left out when absent (total <= 0, message empty).
  void progress(double progress, double total, std::string message) const;
  void progress(double progress, double total) const { this->progress(progress, total, {}); }
  // A notification about this request (HTTP puts it on this request's stream).
  result<void> notify(std::string method, boost::json::value params) const;
  // A request to the peer on behalf of this one.
  awaitable<result<boost::json::value>> request(std::string method, boost::json::value params) const;
  // Closes the HTTP stream of this request now; the response comes later on
  // the resumed stream (transport::end_stream).
  void end_stream() const;

  struct state;
  request_context(session& s, std::shared_ptr<state> st) : session_(s), state_(std::move(st)) {}

 private:
  friend class session;
  session& session_;
  std::shared_ptr<state> state_;
};

// What a session dispatches to: the server role or the client role.
class handler {
 public:
  virtual ~handler() = default;
  // A request's result object, or an error (→ JSON-RPC error response).
  virtual awaitable<result<boost::json::value>> on_request(request_context& ctx, boost::json::value params) = 0;
  // Notifications other than notifications/cancelled.
  virtual void on_notification(session&, std::string_view /*method*/, const boost::json::value& /*params*/) {}
  // After run() ended (the transport is closed).
  virtual void on_closed(session&) {}
};

class session : public std::enable_shared_from_this<session> {
 public:
  static std::shared_ptr<session> create(std::unique_ptr<transport> t, std::shared_ptr<handler> h,
                                         session_config cfg);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  executor get_executor() const { return executor_; }
  const session_config& settings() const noexcept { return config_; }

  // Reads and dispatches until the peer is done (end of input: requests in
  // progress are finished and answered first) or close() is called (they are
  // cancelled). Then fails our pending requests, flushes what is queued and
  // closes the transport. Call once.
  awaitable<void> run();
  // Makes run() end soon (on the session's executor).
  void close();
  bool closed() const noexcept { return closing_; }

  // A request to the peer: its result, the peer's error, errc::timeout
  // (after `timeout`; the peer is sent notifications/cancelled), errc::closed.
  awaitable<result<boost::json::value>> request(std::string method, boost::json::value params);
  awaitable<result<boost::json::value>> request(std::string method, boost::json::value params, duration timeout,
                                                boost::json::value related_request);
  // Queues a notification. errc::limit_exceeded when the queue is full.
  result<void> notify(std::string method, boost::json::value params);
  result<void> notify(std::string method, boost::json::value params, const boost::json::value& related_request);
  // notify() from any thread.
  void post_notify(std::string method, boost::json::value params);

  // Negotiated state; the role sets it when initialize succeeds.
  bool initialized() const noexcept { return initialized_; }
  void set_initialized(std::string version, boost::json::object peer_capabilities, boost::json::object peer_info);
  const std::string& protocol_version() const noexcept { return version_; }
  const boost::json::object& peer_capabilities() const noexcept { return peer_capabilities_; }
  const boost::json::object& peer_info() const noexcept { return peer_info_; }
  // True once the peer sent notifications/initialized.
  bool peer_ready() const noexcept { return peer_ready_; }

  // The role this session dispatches to.
  handler* role() const noexcept { return handler_.get(); }
  std::size_t in_flight() const noexcept { return in_flight_.size(); }
  std::size_t dropped_notifications() const noexcept { return dropped_; }

 private:
  friend class request_context;
  struct batch;
  struct outgoing;
  struct waiter;  // a timer used as a wake-up signal (session.cpp)

  session(std::unique_ptr<transport> t, std::shared_ptr<handler> h, session_config cfg);

  awaitable<void> dispatch(boost::json::value msg);
  awaitable<void> dispatch_one(boost::json::value msg, std::shared_ptr<batch> b);
  awaitable<void> on_request(boost::json::value id, std::string method, boost::json::value params, bool jsonrpc,
                             std::shared_ptr<batch> b);
  void on_notification(std::string_view method, const boost::json::value& params);
  void on_response(const boost::json::object& msg);
  static awaitable<void> serve(std::shared_ptr<session> self, std::shared_ptr<request_context::state> st,
                               boost::json::value params);
  awaitable<result<boost::json::value>> call_handler(request_context& ctx, boost::json::value params);
  void note_running(const std::shared_ptr<request_context::state>& st, asio::cancellation_signal& task);
  static awaitable<void> write_loop(std::shared_ptr<session> self);

  // Queues `msg`; `essential` messages (responses, requests) ignore the bound.
  result<void> enqueue(boost::json::value msg, boost::json::value related, bool essential);
  void reply(const boost::json::value& id, result<boost::json::value> outcome, bool jsonrpc,
             const std::shared_ptr<batch>& b);
  void finish_batch_item(const std::shared_ptr<batch>& b);
  void fail_outgoing(const agentp2p::error& e);
  void wake_writer();

  executor executor_;
  std::unique_ptr<transport> transport_;
  std::shared_ptr<handler> handler_;
  session_config config_;

  bool running_ = false;
  bool closing_ = false;     // no new work; run() is ending
  bool input_done_ = false;  // the peer sent everything it will send
  bool writer_stop_ = false;
  bool initialized_ = false;
  bool peer_ready_ = false;
  std::string version_;
  boost::json::object peer_capabilities_;
  boost::json::object peer_info_;

  std::map<std::string, std::shared_ptr<request_context::state>> in_flight_;  // by id_key
  std::map<std::string, outgoing*> outgoing_;                                  // by id_key
  std::int64_t next_id_ = 1;

  std::deque<std::pair<boost::json::value, boost::json::value>> queue_;  // message, related request id
  std::size_t dropped_ = 0;
  waiter* writer_wake_ = nullptr;
  waiter* close_signal_ = nullptr;

  task_group handlers_;
  task_group writer_;
};

}  // namespace agentp2p::mcp
