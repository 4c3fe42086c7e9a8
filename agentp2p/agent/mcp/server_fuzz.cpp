// libFuzzer entry for the MCP server: arbitrary newline-delimited input (as
// on stdio or a /mcp/1.0.0 stream) through the line transport, the JSON-RPC
// session (ids, batches, cancellation, the praxis simplified form) and the
// server's dispatch: tools from a registry (schemas, output schemas), a native
// tool that asks the client for sampling/elicitation/roots, resources and
// templates, prompts, completion, logging. The input ends the session; every
// request must be answered or fail cleanly, with no crash, leak or hang.
// Built as fuzz_mcp_server by tests/fuzz; seeds in tests/fuzz/corpus/mcp_server.
// Byte 0: bit 0 accepts praxis's simplified messages, bit 1 drops the
// initialize requirement, bits 2-4 set the read size; the rest is the input.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "tests/fuzz/memory_stream.hpp"

namespace {

using namespace agentp2p;
namespace json = boost::json;

tools::tool_definition def(std::string name, std::string_view schema) {
  tools::tool_definition d;
  d.name = std::move(name);
  d.description = d.name + " tool";
  d.input_schema = json::parse(schema).as_object();
  return d;
}

json::object sum_of(const json::object& a) {
  json::object out;
  out["sum"] = a.at("a").to_number<double>() + a.at("b").to_number<double>();
  return out;
}

awaitable<result<json::value>> add_numbers(json::object a, tools::call_context&) {
  co_return json::value(sum_of(a));
}

awaitable<result<json::value>> echo(json::object a, tools::call_context&) { co_return json::value(std::move(a)); }

awaitable<result<json::value>> fail(json::object, tools::call_context&) {
  co_return make_error(errc::io_error, "disk on fire");
}

json::object sampling_request() {
  json::object s;
  s["messages"] = json::parse(R"([{"role":"user","content":{"type":"text","text":"hi"}}])");
  s["maxTokens"] = 10;
  return s;
}

json::object elicitation_request() {
  json::object q;
  q["message"] = "name?";
  q["requestedSchema"] = json::parse(R"({"type":"object","properties":{"username":{"type":"string"}}})");
  return q;
}

// Asks the client for everything it can; the fuzz input is the client.
awaitable<result<json::value>> ask(json::object args, mcp::tool_context& ctx) {
  ctx.progress(0, 3, "starting");
  ctx.log(mcp::log_level::info, json::value("working"));
  auto sampled = co_await ctx.create_message(sampling_request());
  ctx.progress(1, 3);
  auto elicited = co_await ctx.elicit(elicitation_request());
  ctx.progress(2, 3);
  auto roots = co_await ctx.list_roots();
  json::object out;
  out["sampled"] = sampled ? *sampled : json::value(sampled.error().message);
  out["elicited"] = elicited ? *elicited : json::value(elicited.error().message);
  out["roots"] = roots ? *roots : json::value(roots.error().message);
  co_return json::value(std::move(out));
}

json::array contents(std::string uri, std::string text) {
  json::object c;
  c["uri"] = std::move(uri);
  c["mimeType"] = "text/plain";
  c["text"] = std::move(text);
  json::array out;
  out.push_back(std::move(c));
  return out;
}

awaitable<result<json::array>> read_static(std::string uri, std::map<std::string, std::string>) {
  co_return contents(uri, "static text");
}

awaitable<result<json::array>> read_item(std::string uri, std::map<std::string, std::string> vars) {
  if (vars["id"] == "missing") co_return make_error(errc::not_found, "no such item");
  co_return contents(uri, "item " + vars["id"]);
}

json::object greeting(const std::string& who) {
  json::object content;
  content["type"] = "text";
  content["text"] = "hello " + who;
  json::object msg;
  msg["role"] = "user";
  msg["content"] = std::move(content);
  json::array messages;
  messages.push_back(std::move(msg));
  json::object out;
  out["messages"] = std::move(messages);
  return out;
}

awaitable<result<json::value>> greet(std::map<std::string, std::string> args) {
  co_return json::value(greeting(args["who"]));
}

awaitable<result<std::vector<std::string>>> complete(mcp::completion_request req) {
  std::vector<std::string> out;
  for (std::string c : {"paris", "park", "rome"})
    if (c.starts_with(req.value)) out.push_back(c);
  co_return out;
}

std::shared_ptr<mcp::server> make_server() {
  auto reg = std::make_shared<tools::registry>();
  (void)reg->add(def("add", R"({"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},
                                "required":["a","b"]})"),
                 add_numbers);
  auto with_output = def("echo", R"({"type":"object","properties":{"text":{"type":"string","maxLength":64}}})");
  with_output.output_schema = json::parse(R"({"type":"object","required":["text"]})").as_object();
  (void)reg->add(std::move(with_output), echo);
  (void)reg->add(def("fail", R"({"type":"object"})"), fail);

  mcp::server_config cfg;
  cfg.info.name = "fuzz-server";
  cfg.page_size = 2;  // pagination cursors get exercised
  auto srv = mcp::server::create(cfg, reg);
  mcp::tool t;
  t.name = "ask";
  t.description = "samples, elicits and lists roots";
  t.input_schema = json::parse(R"({"type":"object"})").as_object();
  (void)srv->add_tool(t, ask);
  mcp::resource r;
  r.uri = "test://static";
  r.name = "static";
  r.mime_type = "text/plain";
  (void)srv->add_resource(r, read_static);
  mcp::resource_template rt;
  rt.uri_template = "test://items/{id}";
  rt.name = "item";
  (void)srv->add_resource_template(rt, read_item);
  mcp::prompt p;
  p.name = "greet";
  p.description = "greets";
  p.arguments.push_back(mcp::prompt_argument{"who", "whom to greet", true});
  (void)srv->add_prompt(p, greet);
  srv->set_completion_handler(complete);
  return srv;
}

awaitable<void> serve(std::shared_ptr<mcp::server> srv, std::unique_ptr<mcp::transport> t, mcp::session_config cfg) {
  co_await srv->serve(std::move(t), std::move(cfg));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 256 * 1024) return 0;
  asio::io_context ctx;
  auto srv = make_server();
  auto stream = std::make_shared<fuzzing::memory_stream>(ctx.get_executor(), byte_span(data + 1, size - 1),
                                                         1 + ((data[0] >> 2) & 7) * 97);
  mcp::line_config lines;
  lines.max_line = 64 * 1024;
  lines.linger = std::chrono::milliseconds(0);
  mcp::session_config cfg;
  cfg.name = "fuzz";
  cfg.accept_simplified = (data[0] & 1) != 0;
  cfg.require_initialize = (data[0] & 2) == 0;
  cfg.max_in_flight = 8;
  cfg.max_outgoing = 8;
  cfg.max_queued_messages = 256;
  asio::co_spawn(ctx, serve(srv, mcp::make_line_transport(stream, lines), std::move(cfg)), asio::detached);
  ctx.run();
  return 0;
}
