#include "agentp2p/daemon/api_client.hpp"

#include <fstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p::daemon {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

std::string normalize(std::string url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) url = "http://" + url;
  while (url.ends_with("/")) url.pop_back();
  return url;
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
  std::string rest = ep.url.substr(7);
  auto slash = rest.find('/');
  std::string base_path = slash == std::string::npos ? "" : rest.substr(slash);
  std::string hostport = rest.substr(0, slash);
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos || hostport.back() == ']')
    return make_error(errc::invalid_argument, "API URL " + ep.url + " needs a port, e.g. http://127.0.0.1:7420");
  std::string host = hostport.substr(0, colon);
  std::string port = hostport.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);

  asio::io_context ctx;
  result<api_reply> out = make_error(errc::timeout, "no answer from the node at " + ep.url + " within " +
                                                        std::to_string(timeout.count() / 1000) + " s");
  auto run = [](asio::io_context& ctx, std::string host, std::string port, http::request<http::string_body> req,
                result<api_reply>& out, std::string url) -> awaitable<void> {
    asio::ip::tcp::resolver resolver(ctx);
    beast::tcp_stream stream(ctx);
    auto [rec, endpoints] = co_await resolver.async_resolve(host, port, asio::as_tuple(asio::use_awaitable));
    if (rec) {
      out = make_error(errc::invalid_argument, "cannot resolve " + host + ": " + rec.message());
      co_return;
    }
    auto [cec, ep] = co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
    if (cec) {
      out = make_error(errc::connection_refused, "no node answers at " + url + " (" + cec.message() + ")");
      co_return;
    }
    auto [wec, wn] = co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
    if (wec) {
      out = make_error(errc::io_error, "sending to " + url + ": " + wec.message());
      co_return;
    }
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto [rdec, rn] = co_await http::async_read(stream, buf, parser, asio::as_tuple(asio::use_awaitable));
    if (rdec) {
      out = make_error(errc::io_error, "reading from " + url + ": " + rdec.message());
      co_return;
    }
    auto& res = parser.get();
    api_reply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = std::move(res.body());
    out = std::move(reply);
  };
  http::request<http::string_body> req;
  req.method_string(std::string(method));
  req.target(base_path + std::string(target));
  req.version(11);
  req.set(http::field::host, hostport);
  req.set(http::field::user_agent, "agentp2p-cli");
  req.set(http::field::accept, "application/json");
  if (!ep.token.empty()) req.set(http::field::authorization, "Bearer " + ep.token);
  if (!body.empty() || method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = std::string(body);
  }
  req.prepare_payload();
  asio::co_spawn(ctx, run(ctx, host, port, std::move(req), out, ep.url), [](std::exception_ptr) {});
  ctx.run_for(timeout);
  return out;
}

}  // namespace agentp2p::daemon
