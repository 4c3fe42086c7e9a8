// The client under test for `conformance client`: our MCP client library
// over Streamable HTTP. The suite runs `<this> <server url>` with
// MCP_CONFORMANCE_SCENARIO set; we connect, list the tools and call each of
// them (add_numbers with numbers), answering elicitation with the defaults
// of the requested schema (SEP-1034). Exit status 0 when every step worked.
#include <cstdlib>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/mcp/client.hpp"
#include "agentp2p/agent/mcp/http_client.hpp"
#include "agentp2p/base/log.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

// Accept, filling in every property's default.
awaitable<result<json::value>> accept_with_defaults(json::value params) {
  json::object content;
  if (const auto* p = params.if_object())
    if (const auto* s = p->if_contains("requestedSchema"); s && s->is_object())
      if (const auto* props = s->get_object().if_contains("properties"); props && props->is_object())
        for (const auto& [name, prop] : props->get_object())
          if (const auto* po = prop.if_object())
            if (const auto* d = po->if_contains("default")) content[name] = *d;
  json::object out;
  out["action"] = "accept";
  out["content"] = std::move(content);
  co_return json::value(std::move(out));
}

json::object arguments_for(const mcp::tool& t) {
  json::object args;
  if (const auto* props = t.input_schema.if_contains("properties"); props && props->is_object())
    for (const auto& [name, prop] : props->get_object()) {
      const auto* po = prop.if_object();
      const auto* type = po ? po->if_contains("type") : nullptr;
      if (type && type->is_string() && (type->get_string() == "number" || type->get_string() == "integer"))
        args[name] = name == "a" ? 5 : 3;
      else if (type && type->is_string() && type->get_string() == "string")
        args[name] = "hello";
    }
  return args;
}

awaitable<int> run(executor ex, std::string url) {
  mcp::http_client_params p;
  p.url = url;
  p.name = "conformance";
  p.request_timeout = std::chrono::seconds(20);
  mcp::client_config cfg;
  cfg.info.name = "agentp2p-conformance-client";
  cfg.request_timeout = std::chrono::seconds(20);
  cfg.connect_timeout = std::chrono::seconds(20);
  auto c = mcp::client::create(mcp::make_streamable_http_transport(ex, p), cfg);
  c->set_request_handler("elicitation/create", accept_with_defaults);
  int rc = 0;
  auto info = co_await c->connect();
  if (!info) {
    std::cerr << "connect: " << info.error().what() << "\n";
    co_await c->close();
    co_return 1;
  }
  std::cerr << "connected: " << info->info.name << " MCP " << info->protocol_version << "\n";
  auto tools = co_await c->list_tools();
  if (!tools) {
    std::cerr << "tools/list: " << tools.error().what() << "\n";
    rc = 1;
  } else {
    for (const auto& t : *tools) {
      auto r = co_await c->call_tool(t.name, arguments_for(t));
      if (!r) {
        std::cerr << "tools/call " << t.name << ": " << r.error().what() << "\n";
        rc = 1;
      } else {
        std::cerr << "tools/call " << t.name << ": " << json::serialize(*r) << "\n";
      }
    }
  }
  co_await c->close();
  co_return rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " <server url>\n";
    return 2;
  }
  log::set_level(log::level::warn);
  asio::io_context io;
  int rc = 3;
  asio::co_spawn(io, run(io.get_executor(), argv[1]), [&](std::exception_ptr e, int r) { rc = e ? 4 : r; });
  io.run_for(std::chrono::seconds(60));
  return rc;
}
