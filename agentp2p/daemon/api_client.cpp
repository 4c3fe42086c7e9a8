#include "agentp2p/daemon/api_client.hpp"

#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "agentp2p/http/client.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

std::string normalize(std::string url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) url = "http://" + url;
  while (url.ends_with("/")) url.pop_back();
  return url;
}

http::client_request make_request(const api_endpoint& ep, std::string_view method, std::string_view target,
                                  std::string_view body, std::chrono::milliseconds timeout) {
  http::client_request req;
  req.method = std::string(method);
  req.url = ep.url + std::string(target);
  req.headers.set("Accept", "application/json");
  if (!ep.token.empty()) req.headers.set("Authorization", "Bearer " + ep.token);
  if (!body.empty() || method == "POST") {
    req.headers.set("Content-Type", "application/json");
    req.body = std::string(body);
  }
  req.timeout = timeout;
  return req;
}

awaitable<void> exchange(http::client_request req, std::string url, result<api_reply>& out) {
  http::client_options opts;
  opts.user_agent = "agentp2p-cli";
  auto ex = co_await asio::this_coro::executor;
  http::client c(ex, opts);
  auto r = co_await c.send(std::move(req));
  if (!r) {
    auto e = std::move(r).error();
    // Nothing listening (or not reachable): the one failure the CLI reports as "no node".
    const bool refused = e.is(errc::connection_refused) || e.code == std::errc::connection_refused ||
                         e.message.find("Connection refused") != std::string::npos;
    if (refused) e = make_error(errc::connection_refused, "no node answers at " + url + " (" + e.message + ")");
    out = std::move(e);
    co_return;
  }
  api_reply reply;
  reply.status = r->status;
  reply.content_type = std::string(r->header("Content-Type").value_or(""));
  reply.body = std::move(r->body);
  out = std::move(reply);
}

}  // namespace

result<api_endpoint> find_api(const std::string& flag_url, const std::filesystem::path& data_dir, const env_lookup& env) {
  api_endpoint ep;
  ep.token = env("AGENTP2P_API_TOKEN").value_or("");
  if (!flag_url.empty()) {
    ep.url = normalize(flag_url);
    ep.found_in = "--api";
    return ep;
  }
  if (auto v = env("AGENTP2P_API"); v && !v->empty()) {
    ep.url = normalize(*v);
    ep.found_in = "AGENTP2P_API";
    return ep;
  }
  const auto file = data_dir / "api.json";
  if (std::ifstream in(file); in) {
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec && v.is_object() && v.as_object().contains("url") && v.as_object().at("url").is_string()) {
      ep.url = normalize(std::string(v.as_object().at("url").as_string()));
      if (ep.token.empty())
        if (auto* t = v.as_object().if_contains("token"); t && t->is_string()) ep.token = std::string(t->as_string());
      ep.found_in = file.string();
      return ep;
    }
  }
  ep.url = normalize(default_config().http.address);
  ep.found_in = "the default address (no " + file.string() + ")";
  return ep;
}

result<api_reply> api_call(const api_endpoint& ep, std::string_view method, std::string_view target,
                           std::string_view body, std::chrono::milliseconds timeout) {
  if (ep.url.starts_with("https://"))
    return make_error(errc::unsupported, "https is not supported by the client commands; use the node's http:// URL");
  asio::io_context ctx;
  result<api_reply> out = make_error(errc::timeout, "no answer from the node at " + ep.url + " within " +
                                                        std::to_string(timeout.count() / 1000) + " s");
  asio::co_spawn(ctx, exchange(make_request(ep, method, target, body, timeout), ep.url, out), [](std::exception_ptr) {});
  ctx.run_for(timeout + std::chrono::seconds(1));
  return out;
}

}  // namespace agentp2p::daemon
