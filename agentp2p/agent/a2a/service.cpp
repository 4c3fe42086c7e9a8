#include "agentp2p/agent/a2a/service.hpp"

#include <boost/json/parse.hpp>

#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

// Responses go back on the stream, one line each, each write bounded.
class stream_sink final : public response_sink {
 public:
  stream_sink(host::stream& s, std::chrono::milliseconds timeout) : stream_(s), timeout_(timeout) {}
  awaitable<result<void>> send(json::value response) override {
    co_return co_await with_deadline(write_line(stream_, std::move(response)), timeout_, "a2a: writing a response");
  }

 private:
  static awaitable<result<void>> write_line(host::stream& s, json::value v) {
    co_return co_await agent::write_json_line(s, v);
  }
  host::stream& stream_;
  std::chrono::milliseconds timeout_;
};

json::value too_large_reply(std::size_t limit) {
  return make_error(nullptr, static_cast<int>(rpc_errc::invalid_request),
                    "request exceeds the line limit of " + std::to_string(limit) + " bytes");
}

// Reads what is left until the peer's FIN, so the stream ends cleanly
// instead of being reset under a peer that may still write.
awaitable<result<void>> drain(agent::json_line_reader& reader) {
  for (;;) {
    auto l = co_await reader.read_line();
    if (!l) co_return ok();
  }
}

json::value card_error(std::string text) { return json::object{{"type", "error"}, {"error", std::move(text)}}; }

}  // namespace

std::shared_ptr<service> service::start(std::shared_ptr<host::host> h, std::shared_ptr<dispatcher> d,
                                        service_config cfg) {
  if (d->card().url.empty()) d->set_card_url("/p2p/" + h->id().to_string());
  std::shared_ptr<service> s(new service(h, std::move(d), cfg));
  std::weak_ptr<service> w = s;
  h->set_stream_handler(std::string(protocol_id),
                        [w](std::shared_ptr<host::stream> st) { return serve_rpc(w, std::move(st)); });
  h->set_stream_handler(std::string(card_protocol_id),
                        [w](std::shared_ptr<host::stream> st) { return serve_card(w, std::move(st)); });
  return s;
}

service::~service() {
  if (auto h = host_.lock()) {
    h->remove_stream_handler(protocol_id);
    h->remove_stream_handler(card_protocol_id);
  }
}

awaitable<void> service::serve_rpc(std::weak_ptr<service> w, std::shared_ptr<host::stream> s) {
  auto self = w.lock();
  if (!self) {
    s->reset();
    co_return;
  }
  const auto cfg = self->config_;
  agent::json_line_reader reader(*s, cfg.max_line);
  stream_sink sink(*s, cfg.write_timeout);
  request_context caller{s->remote_peer()};
  for (std::size_t served = 0; served < cfg.max_requests_per_stream;) {
    auto line = co_await with_deadline(reader.read_line(), cfg.idle_timeout, "a2a: waiting for a request");
    if (!line) {
      if (line.error().is(errc::end_of_stream)) {
        (void)co_await s->close_write();
        co_return;
      }
      if (line.error().is(errc::too_large)) {
        ++served;
        auto sent = co_await sink.send(too_large_reply(cfg.max_line));
        if (!sent) break;
        continue;
      }
      log::debug("a2a: stream from " + s->remote_peer().short_string() + " ends: " + line.error().what());
      s->reset();
      co_return;
    }
    if (line->find_first_not_of(" \t\r") == std::string::npos) continue;  // keep-alive
    ++served;
    auto handled = co_await self->dispatcher_->handle(std::move(*line), caller, sink);
    if (!handled) {
      s->reset();
      co_return;
    }
  }
  (void)co_await s->close_write();
}

awaitable<void> service::serve_card(std::weak_ptr<service> w, std::shared_ptr<host::stream> s) {
  auto self = w.lock();
  if (!self) {
    s->reset();
    co_return;
  }
  const auto cfg = self->config_;
  agent::json_line_reader reader(*s, cfg.max_card_bytes);
  auto line = co_await with_deadline(reader.read_line(), cfg.card_timeout, "a2a card: waiting for a message");
  json::value reply;
  if (!line) {
    if (!line.error().is(errc::too_large)) {
      s->reset();
      co_return;
    }
    reply = card_error("message exceeds " + std::to_string(cfg.max_card_bytes) + " bytes");
  } else {
    boost::system::error_code ec;
    auto msg = json::parse(*line, ec);
    reply = ec ? card_error("not JSON: " + ec.message()) : self->answer_card_message(s->remote_peer(), msg);
  }
  auto sink = stream_sink(*s, cfg.card_timeout);
  auto sent = co_await sink.send(std::move(reply));
  if (!sent) {
    s->reset();
    co_return;
  }
  (void)co_await s->close_write();
  (void)co_await with_deadline(drain(reader), cfg.card_timeout, "a2a card: waiting for the end");
}

json::value service::answer_card_message(const crypto::peer_id& from, const json::value& msg) {
  const auto* o = msg.if_object();
  if (!o) return card_error("expected a JSON object");
  auto t = o->find("type");
  std::string_view type = (t != o->end() && t->value().is_string()) ? std::string_view(t->value().get_string()) : "";
  if (type == "request_card") return json::object{{"type", "card_response"}, {"card", dispatcher_->card_v03()}};
  if (type == "card_offer") {
    auto c = o->find("card");
    if (c == o->end() || !c->value().is_object()) return card_error("card_offer needs a \"card\" object");
    remember_card(from, c->value().get_object());
    log::debug("a2a: card received from " + from.short_string());
    return json::object{{"type", "card_ack"}, {"status", "received"}};
  }
  return card_error("unknown message type \"" + std::string(type) + "\"; expected request_card or card_offer");
}

void service::remember_card(const crypto::peer_id& peer, json::object card) {
  if (auto it = cards_.find(peer); it != cards_.end()) {
    it->second.card = std::move(card);
    card_order_.splice(card_order_.end(), card_order_, it->second.order);
    return;
  }
  if (config_.max_peer_cards == 0) return;
  while (cards_.size() >= config_.max_peer_cards) {
    cards_.erase(card_order_.front());
    card_order_.pop_front();
  }
  auto pos = card_order_.insert(card_order_.end(), peer);
  cards_.emplace(peer, card_entry{std::move(card), pos});
}

std::optional<json::object> service::peer_card(const crypto::peer_id& peer) const {
  auto it = cards_.find(peer);
  if (it == cards_.end()) return std::nullopt;
  return it->second.card;
}

}  // namespace agentp2p::a2a
