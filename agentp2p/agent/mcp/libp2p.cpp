#include "agentp2p/agent/mcp/libp2p.hpp"

namespace agentp2p::mcp {

namespace {

// Holds the server for as long as the session runs.
awaitable<void> serve_stream(std::weak_ptr<server> weak, std::shared_ptr<host::stream> s, libp2p_config cfg) {
  auto srv = weak.lock();
  if (!srv) {
    s->reset();
    co_return;
  }
  session_config sc = cfg.session;
  sc.name = "mcp " + std::string(libp2p_protocol_id) + " " + s->remote_peer().short_string();
  co_await srv->serve(make_line_transport(std::move(s), cfg.line), std::move(sc));
}

}  // namespace

void serve_libp2p(host::host& h, std::shared_ptr<server> srv) { serve_libp2p(h, std::move(srv), libp2p_config()); }

void serve_libp2p(host::host& h, std::shared_ptr<server> srv, libp2p_config cfg) {
  std::weak_ptr<server> weak = srv;
  h.set_stream_handler(std::string(libp2p_protocol_id), [weak, cfg](std::shared_ptr<host::stream> s) {
    return serve_stream(weak, std::move(s), cfg);
  });
}

void stop_serving_libp2p(host::host& h) { h.remove_stream_handler(libp2p_protocol_id); }

awaitable<result<std::unique_ptr<transport>>> open_libp2p(host::host& h, crypto::peer_id peer, line_config cfg) {
  AP_CO_TRY(auto s, co_await h.new_stream(peer, libp2p_protocol_id));
  co_return make_line_transport(std::move(s), cfg);
}

}  // namespace agentp2p::mcp
