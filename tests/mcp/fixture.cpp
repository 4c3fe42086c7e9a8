#include "tests/mcp/fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

namespace agentp2p::mcp_fixture {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// A 1x1 red PNG and a minimal WAV file.
constexpr const char* image_png =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr const char* audio_wav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

json::object text(std::string t) {
  json::object o;
  o["type"] = "text";
  o["text"] = std::move(t);
  return o;
}

json::object media(std::string_view type, std::string_view data, std::string_view mime) {
  json::object o;
  o["type"] = type;
  o["data"] = data;
  o["mimeType"] = mime;
  return o;
}

json::object embedded(std::string uri, std::string mime, std::string body) {
  json::object r;
  r["uri"] = std::move(uri);
  r["mimeType"] = std::move(mime);
  r["text"] = std::move(body);
  json::object o;
  o["type"] = "resource";
  o["resource"] = std::move(r);
  return o;
}

json::value content_result(json::array content) {
  json::object out;
  out["content"] = std::move(content);
  return out;
}

json::value one(json::object item) {
  json::array a;
  a.push_back(std::move(item));
  return content_result(std::move(a));
}

awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

mcp::tool def(std::string name, std::string description, std::string_view schema = R"({"type":"object","properties":{}})") {
  mcp::tool t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = json::parse(schema).as_object();
  return t;
}

// ---- tools -------------------------------------------------------------------------

awaitable<result<json::value>> simple_text(json::object, mcp::tool_context&) {
  co_return one(text("This is a simple text response for testing."));
}
awaitable<result<json::value>> image_content(json::object, mcp::tool_context&) {
  co_return one(media("image", image_png, "image/png"));
}
awaitable<result<json::value>> audio_content(json::object, mcp::tool_context&) {
  co_return one(media("audio", audio_wav, "audio/wav"));
}
awaitable<result<json::value>> embedded_resource(json::object, mcp::tool_context&) {
  co_return one(embedded("test://embedded-resource", "text/plain", "This is an embedded resource content."));
}
awaitable<result<json::value>> multiple_content(json::object, mcp::tool_context&) {
  json::array a;
  a.push_back(text("Multiple content types test:"));
  a.push_back(media("image", image_png, "image/png"));
  a.push_back(embedded("test://mixed-content-resource", "application/json", R"({"test":"data","value":123})"));
  co_return content_result(std::move(a));
}
awaitable<result<json::value>> with_logging(json::object, mcp::tool_context& ctx) {
  ctx.log(mcp::log_level::info, json::value("Tool execution started"));
  co_await pause(50ms);
  ctx.log(mcp::log_level::info, json::value("Tool processing data"));
  co_await pause(50ms);
  ctx.log(mcp::log_level::info, json::value("Tool execution completed"));
  co_return one(text("Tool with logging executed successfully"));
}
awaitable<result<json::value>> with_progress(json::object, mcp::tool_context& ctx) {
  for (int step : {0, 50, 100}) {
    ctx.progress(step, 100, "Completed step " + std::to_string(step) + " of 100");
    if (step != 100) co_await pause(50ms);
  }
  const auto& token = ctx.request().progress_token();
  co_return one(text(token ? json::serialize(*token) : "no progress token"));
}
awaitable<result<json::value>> error_handling(json::object, mcp::tool_context&) {
  co_return make_error(errc::io_error, "This tool intentionally returns an error for testing");
}
awaitable<result<json::value>> reconnection(json::object, mcp::tool_context& ctx) {
  ctx.close_stream();  // SEP-1699: the client must come back with Last-Event-ID
  co_await pause(100ms);
  co_return one(text("Reconnection test completed successfully. If you received this, the client properly "
                     "reconnected after stream closure."));
}
awaitable<result<json::value>> sampling(json::object args, mcp::tool_context& ctx) {
  json::object message;
  message["role"] = "user";
  json::object content = text(std::string(args.at("prompt").as_string()));
  message["content"] = std::move(content);
  json::array messages;
  messages.push_back(std::move(message));
  json::object params;
  params["messages"] = std::move(messages);
  params["maxTokens"] = 100;
  auto r = co_await ctx.create_message(std::move(params));
  if (!r) co_return std::move(r).error();
  std::string answer = "No response";
  if (const auto* c = r->as_object().if_contains("content"); c && c->is_object())
    if (const auto* t = c->get_object().if_contains("text"); t && t->is_string()) answer = std::string(t->get_string());
  co_return one(text("LLM response: " + answer));
}

awaitable<result<json::value>> elicit_with(mcp::tool_context& ctx, json::object params, std::string prefix) {
  auto r = co_await ctx.elicit(std::move(params));
  if (!r) co_return std::move(r).error();
  const auto& o = r->as_object();
  std::string action = o.contains("action") && o.at("action").is_string() ? std::string(o.at("action").as_string()) : "";
  json::value content = o.contains("content") ? o.at("content") : json::value(json::object());
  co_return one(text(prefix + ": action=" + action + ", content=" + json::serialize(content)));
}
awaitable<result<json::value>> elicitation(json::object args, mcp::tool_context& ctx) {
  json::object params;
  params["message"] = args.at("message");
  params["requestedSchema"] = json::parse(R"J({"type":"object","properties":{
      "username":{"type":"string","description":"User's response"},
      "email":{"type":"string","description":"User's email address"}},"required":["username","email"]})J");
  co_return co_await elicit_with(ctx, std::move(params), "User response");
}
awaitable<result<json::value>> elicitation_defaults(json::object, mcp::tool_context& ctx) {
  json::object params;
  params["message"] = "Please review and update the form fields with defaults";
  params["requestedSchema"] = json::parse(R"J({"type":"object","properties":{
      "name":{"type":"string","description":"User name","default":"John Doe"},
      "age":{"type":"integer","description":"User age","default":30},
      "score":{"type":"number","description":"User score","default":95.5},
      "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
      "verified":{"type":"boolean","description":"Verification status","default":true}},"required":[]})J");
  co_return co_await elicit_with(ctx, std::move(params), "Elicitation completed");
}
awaitable<result<json::value>> elicitation_enums(json::object, mcp::tool_context& ctx) {
  json::object params;
  params["message"] = "Please select options from the enum fields";
  params["requestedSchema"] = json::parse(R"J({"type":"object","properties":{
      "untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},
      "titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[
          {"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},
          {"const":"value3","title":"Third Option"}]},
      "legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],
          "enumNames":["Option One","Option Two","Option Three"]},
      "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,
          "items":{"type":"string","enum":["option1","option2","option3"]}},
      "titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,
          "items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},
                            {"const":"value3","title":"Third Choice"}]}}},"required":[]})J");
  co_return co_await elicit_with(ctx, std::move(params), "Elicitation completed");
}
awaitable<result<json::value>> schema_2020_12(json::object args, mcp::tool_context&) {
  co_return one(text("JSON Schema 2020-12 tool called with: " + json::serialize(args)));
}

// ---- resources and prompts ---------------------------------------------------------------

json::array contents(std::string uri, std::string mime, std::string_view key, std::string body) {
  json::object c;
  c["uri"] = std::move(uri);
  c["mimeType"] = std::move(mime);
  c[key] = std::move(body);
  json::array a;
  a.push_back(std::move(c));
  return a;
}

awaitable<result<json::array>> static_text(std::string uri, std::map<std::string, std::string>) {
  co_return contents(uri, "text/plain", "text", "This is the content of the static text resource.");
}
awaitable<result<json::array>> static_binary(std::string uri, std::map<std::string, std::string>) {
  co_return contents(uri, "image/png", "blob", image_png);
}
awaitable<result<json::array>> watched(std::string uri, std::map<std::string, std::string>) {
  co_return contents(uri, "text/plain", "text", "Watched resource content");
}
awaitable<result<json::array>> templated(std::string uri, std::map<std::string, std::string> vars) {
  json::object body;
  body["id"] = vars["id"];
  body["templateTest"] = true;
  body["data"] = "Data for ID: " + vars["id"];
  co_return contents(uri, "application/json", "text", json::serialize(body));
}

json::object user(json::object content) {
  json::object m;
  m["role"] = "user";
  m["content"] = std::move(content);
  return m;
}
json::value messages(json::array list) {
  json::object out;
  out["messages"] = std::move(list);
  return out;
}
awaitable<result<json::value>> simple_prompt(std::map<std::string, std::string>) {
  json::array a;
  a.push_back(user(text("This is a simple prompt for testing.")));
  co_return messages(std::move(a));
}
awaitable<result<json::value>> prompt_with_arguments(std::map<std::string, std::string> args) {
  json::array a;
  a.push_back(user(text("Prompt with arguments: arg1='" + args["arg1"] + "', arg2='" + args["arg2"] + "'")));
  co_return messages(std::move(a));
}
awaitable<result<json::value>> prompt_with_resource(std::map<std::string, std::string> args) {
  json::array a;
  a.push_back(user(embedded(args["resourceUri"], "text/plain", "Embedded resource content for testing.")));
  a.push_back(user(text("Please process the embedded resource above.")));
  co_return messages(std::move(a));
}
awaitable<result<json::value>> prompt_with_image(std::map<std::string, std::string>) {
  json::array a;
  a.push_back(user(media("image", image_png, "image/png")));
  a.push_back(user(text("Please analyze the image above.")));
  co_return messages(std::move(a));
}

awaitable<result<std::vector<std::string>>> complete(mcp::completion_request req) {
  std::vector<std::string> out;
  for (std::string v : {"paris", "park", "party", "hello", "world"})
    if (v.starts_with(req.value)) out.push_back(v);
  co_return out;
}

void must(result<void> r) {
  if (!r) throw std::runtime_error("fixture: " + r.error().what());
}

}  // namespace

void add_conformance_fixture(mcp::server& srv) {
  must(srv.add_tool(def("test_simple_text", "Tests simple text content response"), simple_text));
  must(srv.add_tool(def("test_image_content", "Tests image content response"), image_content));
  must(srv.add_tool(def("test_audio_content", "Tests audio content response"), audio_content));
  must(srv.add_tool(def("test_embedded_resource", "Tests embedded resource content response"), embedded_resource));
  must(srv.add_tool(def("test_multiple_content_types", "Tests response with multiple content types"), multiple_content));
  must(srv.add_tool(def("test_tool_with_logging", "Tests tool that emits log messages during execution"), with_logging));
  must(srv.add_tool(def("test_tool_with_progress", "Tests tool that reports progress notifications"), with_progress));
  must(srv.add_tool(def("test_error_handling", "Tests error response handling"), error_handling));
  must(srv.add_tool(def("test_reconnection", "Tests SSE stream disconnection and client reconnection"), reconnection));
  must(srv.add_tool(def("test_sampling", "Tests server-initiated sampling (LLM completion request)",
                        R"({"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},"required":["prompt"]})"),
                    sampling));
  must(srv.add_tool(def("test_elicitation", "Tests server-initiated elicitation (user input request)",
                        R"({"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},"required":["message"]})"),
                    elicitation));
  must(srv.add_tool(def("test_elicitation_sep1034_defaults", "Tests elicitation with default values per SEP-1034"),
                    elicitation_defaults));
  must(srv.add_tool(def("test_elicitation_sep1330_enums", "Tests elicitation with enum schema improvements per SEP-1330"),
                    elicitation_enums));
  must(srv.add_tool(def("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
                        R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                            "$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
                            "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},
                            "additionalProperties":false})"),
                    schema_2020_12));

  auto res = [](std::string uri, std::string name, std::string title, std::string description, std::string mime) {
    mcp::resource r;
    r.uri = std::move(uri);
    r.name = std::move(name);
    r.title = std::move(title);
    r.description = std::move(description);
    r.mime_type = std::move(mime);
    return r;
  };
  must(srv.add_resource(res("test://static-text", "static-text", "Static Text Resource",
                            "A static text resource for testing", "text/plain"),
                        static_text));
  must(srv.add_resource(res("test://static-binary", "static-binary", "Static Binary Resource",
                            "A static binary resource (image) for testing", "image/png"),
                        static_binary));
  must(srv.add_resource(res("test://watched-resource", "watched-resource", "Watched Resource",
                            "A resource clients can subscribe to", "text/plain"),
                        watched));
  mcp::resource_template t;
  t.uri_template = "test://template/{id}/data";
  t.name = "template";
  t.title = "Resource Template";
  t.description = "A resource template with parameter substitution";
  t.mime_type = "application/json";
  must(srv.add_resource_template(t, templated));

  auto prm = [](std::string name, std::string title, std::string description) {
    mcp::prompt p;
    p.name = std::move(name);
    p.title = std::move(title);
    p.description = std::move(description);
    return p;
  };
  must(srv.add_prompt(prm("test_simple_prompt", "Simple Test Prompt", "A simple prompt without arguments"),
                      simple_prompt));
  auto with_args = prm("test_prompt_with_arguments", "Prompt With Arguments", "A prompt with required arguments");
  with_args.arguments.push_back(mcp::prompt_argument{"arg1", "First test argument", true});
  with_args.arguments.push_back(mcp::prompt_argument{"arg2", "Second test argument", true});
  must(srv.add_prompt(with_args, prompt_with_arguments));
  auto with_res = prm("test_prompt_with_embedded_resource", "Prompt With Embedded Resource",
                      "A prompt that includes an embedded resource");
  with_res.arguments.push_back(mcp::prompt_argument{"resourceUri", "URI of the resource to embed", true});
  must(srv.add_prompt(with_res, prompt_with_resource));
  must(srv.add_prompt(prm("test_prompt_with_image", "Prompt With Image", "A prompt that includes image content"),
                      prompt_with_image));
  srv.set_completion_handler(complete);
}

}  // namespace agentp2p::mcp_fixture
