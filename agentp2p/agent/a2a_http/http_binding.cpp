#include "agentp2p/agent/a2a_http/http_binding.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/a2a/errors.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

struct binding {
  std::shared_ptr<dispatcher> rpc;
  http_binding_config cfg;
};

bool is_streaming_method(std::string_view m) {
  return m == "message/stream" || m == "SendStreamingMessage" || m == "tasks/resubscribe" || m == "SubscribeToTask";
}

enum class version_choice { v0_3, v1_0, unsupported };

// A2A-Version: absent means 0.3 (clients older than 1.0 do not send it).
version_choice requested_version(const http::request& req) {
  auto h = req.header("A2A-Version");
  if (!h || h->empty()) return version_choice::v0_3;
  std::string_view v = *h;
  auto starts = [&](std::string_view p) { return v == p || (v.size() > p.size() && v.substr(0, p.size() + 1) == std::string(p) + "."); };
  if (starts("0.3")) return version_choice::v0_3;
  if (starts("1.0") || v == "1") return version_choice::v1_0;
  return version_choice::unsupported;
}

// Only characters a host[:port] may hold; anything else falls back.
bool plausible_host(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  for (unsigned char c : h)
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) return false;
  return true;
}

std::string endpoint_url(const binding& b, const http::request& req) {
  std::string base = b.cfg.public_url;
  if (base.empty()) {
    auto host = req.header("Host");
    base = "http://" + (host && plausible_host(*host) ? std::string(*host) : std::string("127.0.0.1"));
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + b.cfg.rpc_path;
}

http::response json_response(const json::value& v) { return http::response::json(json::serialize(v)); }

// The one response of a unary method.
class single_sink final : public response_sink {
 public:
  awaitable<result<void>> send(json::value response) override {
    out = std::move(response);
    co_return ok();
  }
  std::optional<json::value> out;
};

// Responses of a streaming method as SSE events. An error arriving before
// any event (bad params, unknown task) is held back and answered as plain
// JSON, which clients handle as a failed call rather than a broken stream.
class sse_sink final : public response_sink {
 public:
  explicit sse_sink(http::response_writer& w) : sse_(w) {}

  awaitable<result<void>> send(json::value response) override {
    if (!started) {
      if (response.is_object() && response.as_object().contains("error")) {
        held_error = std::move(response);
        co_return ok();
      }
      auto st = co_await sse_.start();
      if (!st) co_return st;
      started = true;
    }
    co_return co_await sse_.send(json::serialize(response));
  }

  bool started = false;
  std::optional<json::value> held_error;

 private:
  http::sse_writer sse_;
};

json::value id_of(const std::string& body) {
  auto parsed = parse_request(body);
  if (auto* r = std::get_if<rpc_request>(&parsed)) return r->id;
  return nullptr;
}

awaitable<http::response> handle_rpc(std::shared_ptr<binding> b, http::request& req, http::response_writer& w) {
  using namespace asio::experimental::awaitable_operators;
  if (requested_version(req) == version_choice::unsupported) {
    co_return json_response(make_error(id_of(req.body), version_not_supported_code,
                                       "A2A-Version '" + std::string(req.header("A2A-Version")->substr(0, 40)) +
                                           "' is not supported; this agent speaks A2A 0.3 and 1.0"));
  }
  auto parsed = parse_request(req.body);
  if (auto* reply = std::get_if<json::value>(&parsed)) co_return json_response(*reply);
  rpc_request call = std::move(std::get<rpc_request>(parsed));
  json::value id = call.id;
  if (!is_streaming_method(call.method)) {
    single_sink sink;
    auto handled = co_await b->rpc->handle(std::move(call), request_context(), sink);
    (void)handled;
    if (!sink.out) co_return json_response(make_error(id, static_cast<int>(rpc_errc::internal_error), "no response"));
    co_return json_response(*sink.out);
  }
  sse_sink sink(w);
  // A client that goes away ends the call (and its subscription) at once.
  auto outcome = co_await (b->rpc->handle(std::move(call), request_context(), sink) || w.wait_gone());
  (void)outcome;
  if (!sink.started) {
    if (sink.held_error) co_return json_response(*sink.held_error);
    co_return json_response(make_error(id, static_cast<int>(rpc_errc::internal_error), "the stream ended before any event"));
  }
  co_return http::response::no_content();  // the body was streamed
}

awaitable<http::response> handle_card(std::shared_ptr<binding> b, bool legacy, http::request& req,
                                      http::response_writer&) {
  card_config card = b->rpc->card();
  card.url = endpoint_url(*b, req);
  auto version = legacy ? version_choice::v0_3 : requested_version(req);
  json::object o = version == version_choice::v1_0 ? agent_card_v10(card) : agent_card_v03(card);
  auto res = http::response::json(json::serialize(o));
  res.headers.set("Cache-Control", "no-cache");
  co_return res;
}

}  // namespace

void mount_http(http::server& srv, std::shared_ptr<dispatcher> rpc, http_binding_config cfg) {
  auto b = std::make_shared<binding>();
  b->rpc = std::move(rpc);
  b->cfg = std::move(cfg);
  if (b->cfg.rpc_path.empty() || b->cfg.rpc_path.front() != '/') b->cfg.rpc_path = "/" + b->cfg.rpc_path;
  http::handler rpc_handler = [b](http::request& r, http::response_writer& w) { return handle_rpc(b, r, w); };
  http::handler card_handler = [b](http::request& r, http::response_writer& w) { return handle_card(b, false, r, w); };
  http::handler legacy_card = [b](http::request& r, http::response_writer& w) { return handle_card(b, true, r, w); };
  if (b->cfg.policy) {
    auto g = srv.group(*b->cfg.policy);
    g.post(b->cfg.rpc_path, rpc_handler);
    g.get("/.well-known/agent-card.json", card_handler);
    g.get("/.well-known/agent.json", legacy_card);
  } else {
    srv.post(b->cfg.rpc_path, rpc_handler);
    srv.get("/.well-known/agent-card.json", card_handler);
    srv.get("/.well-known/agent.json", legacy_card);
  }
}

void mount_http(http::server& srv, std::shared_ptr<dispatcher> rpc) {
  mount_http(srv, std::move(rpc), http_binding_config());
}

}  // namespace agentp2p::a2a
