#include "agentp2p/agent/a2a/tool_executor.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

const char* const tool_request_help =
    "This agent runs tools. Send a message with a data part "
    "{\"tool\": \"<tool name>\", \"arguments\": {...}, \"peer\": \"<peer id, optional: run it on that peer>\"}.";

result<std::optional<tool_request>> find_tool_request(const message& m) {
  for (const auto& p : m.parts) {
    const auto* d = p.as_data();
    if (!d) continue;
    const auto* o = d->data.if_object();
    if (!o) continue;
    auto t = o->find("tool");
    if (t == o->end()) continue;
    const auto* name = t->value().if_string();
    if (!name || name->empty()) return agentp2p::error(errc::invalid_argument, "\"tool\" must be a non-empty string");
    tool_request req;
    req.tool = std::string(name->data(), name->size());
    if (auto a = o->find("arguments"); a != o->end() && !a->value().is_null()) {
      const auto* args = a->value().if_object();
      if (!args) return agentp2p::error(errc::invalid_argument, "\"arguments\" must be an object");
      req.arguments = *args;
    }
    if (auto pe = o->find("peer"); pe != o->end() && !pe->value().is_null()) {
      const auto* text = pe->value().if_string();
      if (!text) return agentp2p::error(errc::invalid_argument, "\"peer\" must be a peer id string");
      if (!text->empty()) {
        auto id = crypto::peer_id::parse(std::string_view(*text));
        if (!id)
          return agentp2p::error(errc::invalid_argument, "\"peer\" is not a valid peer id: " + id.error().message);
        req.peer = std::move(*id);
      }
    }
    return std::optional<tool_request>(std::move(req));
  }
  return std::optional<tool_request>();
}

namespace {

// Built outside the coroutine: GCC 12 mishandles braced lists in coroutine bodies.
artifact result_artifact(const std::string& tool, json::value out) {
  artifact a;
  a.artifact_id = new_id();
  a.name = tool + " result";
  // A data part holds an object in A2A 0.3; other results are wrapped.
  if (out.is_object())
    a.parts.push_back(part::data(std::move(out)));
  else
    a.parts.push_back(part::data(json::object{{"result", std::move(out)}}));
  a.parts.back().media_type = "application/json";
  return a;
}

}  // namespace

awaitable<void> tool_executor::execute(turn_context ctx, std::shared_ptr<task_updater> updater) {
  auto req = find_tool_request(ctx.input);
  if (!req) {
    (void)updater->reject("Invalid tool request: " + req.error().message + ". " + tool_request_help);
    co_return;
  }
  if (!*req) {
    (void)updater->reject(tool_request_help);
    co_return;
  }
  auto& r = **req;
  std::string where = r.peer ? " on peer " + r.peer->to_string() : "";
  if (r.peer && ctx.caller.peer && *r.peer != *ctx.caller.peer && !config_.relay_for_peers) {
    (void)updater->reject("tool " + r.tool + where + ": this agent does not call tools on other peers for remote "
                          "callers (relay_for_peers is off)");
    co_return;
  }
  (void)updater->working(updater->agent_message("running tool " + r.tool + where));
  auto out = co_await tools_->invoke(ctx.caller, r.peer, r.tool, std::move(r.arguments));
  if (!out) {
    (void)updater->fail("tool " + r.tool + where + " failed: " + out.error().message);
    co_return;
  }
  artifact a = result_artifact(r.tool, std::move(*out));
  if (auto added = updater->add_artifact(std::move(a)); !added) co_return;  // canceled meanwhile
  (void)updater->complete(updater->agent_message("tool " + r.tool + where + " completed"));
}

}  // namespace agentp2p::a2a
