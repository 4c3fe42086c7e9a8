#include "agentp2p/agent/discovery/capability.hpp"

#include <algorithm>
#include <limits>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/multiformats/multibase.hpp"

namespace agentp2p::discovery {

namespace {

constexpr std::string_view signature_domain = "agentp2p-card:";

bytes signed_bytes(std::string_view card_text) {
  bytes out = to_bytes(signature_domain);
  out.insert(out.end(), card_text.begin(), card_text.end());
  return out;
}

std::string_view kind_text(kind k) { return k == kind::tool ? "tool" : "capability"; }

bool card_offers(const card::agent_card& c, kind k, std::string_view name) {
  if (k == kind::tool)
    return std::any_of(c.tools.begin(), c.tools.end(), [&](const card::tool_spec& t) { return t.name == name; });
  return std::find(c.capabilities.begin(), c.capabilities.end(), name) != c.capabilities.end();
}

}  // namespace

std::string canonical_name(kind k, std::string_view name) {
  return "agentp2p:" + std::string(kind_text(k)) + ":" + std::string(name);
}

multiformats::cid capability_cid(kind k, std::string_view name) {
  auto text = canonical_name(k, name);
  auto digest = crypto::sha256(as_bytes(text));
  return multiformats::cid{1, multiformats::codec::raw,
                           multiformats::multihash::from_digest(multiformats::hash_code::sha2_256, digest)};
}

bytes provider_key(kind k, std::string_view name) { return capability_cid(k, name).hash.to_bytes(); }

bytes card_record_key(const crypto::peer_id& peer) {
  bytes key = to_bytes("/" + std::string(card_namespace) + "/");
  key.insert(key.end(), peer.to_bytes().begin(), peer.to_bytes().end());
  return key;
}

result<bytes> sign_card_record(const crypto::private_key& identity, const card::agent_card& c) {
  auto text = boost::json::serialize(card::to_json(c));
  AP_TRY(auto sig, identity.sign(signed_bytes(text)));
  boost::json::object o;
  o["card"] = text;
  o["publicKey"] = multiformats::base64_encode(identity.public_key().to_protobuf());
  o["signature"] = multiformats::base64_encode(sig);
  return to_bytes(boost::json::serialize(o));
}

result<card::agent_card> open_card_record(byte_span key, byte_span value) {
  auto prefix = "/" + std::string(card_namespace) + "/";
  if (key.size() <= prefix.size() || as_string_view(key.first(prefix.size())) != prefix)
    return make_error(errc::invalid_argument, "card record: key is not /" + std::string(card_namespace) + "/<peer id>");
  AP_TRY(auto peer, crypto::peer_id::from_bytes(key.subspan(prefix.size())));
  boost::system::error_code ec;
  auto v = boost::json::parse(as_string_view(value), ec);
  if (ec || !v.is_object()) return make_error(errc::invalid_argument, "card record: value is not a JSON object");
  const auto& o = v.as_object();
  const auto* text = o.if_contains("card");
  const auto* key_text = o.if_contains("publicKey");
  const auto* sig_text = o.if_contains("signature");
  if (!text || !text->is_string() || !key_text || !key_text->is_string() || !sig_text || !sig_text->is_string())
    return make_error(errc::invalid_argument, "card record: needs string fields card, publicKey and signature");
  AP_TRY(auto key_bytes, multiformats::base64_decode(key_text->as_string()));
  AP_TRY(auto sig, multiformats::base64_decode(sig_text->as_string()));
  AP_TRY(auto pk, crypto::public_key::from_protobuf(key_bytes));
  if (!peer.matches(pk))
    return make_error(errc::invalid_argument, "card record: public key is not the key of " + peer.to_string());
  std::string_view card_text(text->as_string().data(), text->as_string().size());
  if (!pk.verify(signed_bytes(card_text), sig))
    return make_error(errc::crypto_error, "card record: bad signature for " + peer.to_string());
  auto card_json = boost::json::parse(card_text, ec);
  if (ec) return make_error(errc::invalid_argument, "card record: card is not JSON");
  AP_TRY(auto c, card::from_json(card_json));
  if (c.peer_id != peer.to_string())
    return make_error(errc::invalid_argument, "card record: the card names " + c.peer_id + ", not " + peer.to_string());
  return c;
}

result<void> card_record_validator::validate(byte_span key, byte_span value) const {
  auto c = open_card_record(key, value);
  if (!c) return std::move(c).error();
  return ok();
}

std::size_t card_record_validator::select(byte_span key, const std::vector<bytes>& values) const {
  std::size_t best = 0;
  std::int64_t best_ts = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto c = open_card_record(key, values[i]);
    if (c && c->timestamp > best_ts) {
      best = i;
      best_ts = c->timestamp;
    }
  }
  return best;
}

// --- capability_search -------------------------------------------------------

std::shared_ptr<capability_search> capability_search::start(std::shared_ptr<host::host> h,
                                                            std::shared_ptr<kad::service> dht,
                                                            praxis::agent_services& agent, config cfg) {
  std::shared_ptr<capability_search> s(new capability_search(h, std::move(dht), agent, cfg));
  s->dht_->validators().add(std::string(card_namespace), std::make_shared<card_record_validator>());
  if (cfg.announce) {
    std::weak_ptr<capability_search> weak = s;
    executor ex = h->get_executor();
    // The registry calls listeners on the thread that changed it: hop to ours.
    s->tools_listener_ = s->tools_->on_change([weak, ex] {
      asio::post(ex, [weak] {
        if (auto self = weak.lock()) self->schedule_announce();
      });
    });
    s->schedule_announce();
  }
  return s;
}

capability_search::capability_search(std::shared_ptr<host::host> h, std::shared_ptr<kad::service> dht,
                                     praxis::agent_services& agent, config cfg)
    : host_(h),
      dht_(std::move(dht)),
      tools_(agent.shared_tools()),
      peers_(agent.shared_peers()),
      card_info_(agent.settings().card),
      config_(cfg) {}

capability_search::~capability_search() { stop(); }

void capability_search::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (tools_listener_) tools_->remove_listener(tools_listener_);
}

std::vector<std::string> capability_search::announced() const { return {announced_.begin(), announced_.end()}; }

void capability_search::schedule_announce() {
  if (stopped_) return;
  if (announcing_) {
    announce_again_ = true;
    return;
  }
  auto h = host_.lock();
  if (!h) return;
  announcing_ = true;
  h->spawn(announce_task(weak_from_this()), "capability announce");
}

awaitable<void> capability_search::announce_task(std::weak_ptr<capability_search> weak) {
  for (;;) {
    auto self = weak.lock();
    if (!self || self->stopped_) co_return;
    self->announce_again_ = false;
    auto r = co_await self->announce();
    if (!r) log::debug("capability announce: " + r.error().what());
    if (!self->announce_again_) {
      self->announcing_ = false;
      co_return;
    }
  }
}

awaitable<result<std::size_t>> capability_search::announce() {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "discovery: host is gone");
  auto ours = card::make_card(*tools_, h->id(), card_info_);
  std::set<std::string> names;
  for (const auto& t : ours.tools) names.insert(canonical_name(kind::tool, t.name));
  for (const auto& c : ours.capabilities) names.insert(canonical_name(kind::capability, c));
  // Stop re-announcing what we no longer offer (remote records expire on their own).
  for (const auto& old : announced_)
    if (!names.contains(old)) {
      auto colon = old.find(':', 9);
      auto k = old.compare(9, 4, "tool") == 0 ? kind::tool : kind::capability;
      dht_->stop_providing(provider_key(k, old.substr(colon + 1)));
    }
  std::size_t done = 0;
  std::vector<std::pair<kind, std::string>> todo;
  for (const auto& t : ours.tools) todo.emplace_back(kind::tool, t.name);
  for (const auto& c : ours.capabilities) todo.emplace_back(kind::capability, c);
  for (auto& [k, name] : todo) {
    auto r = co_await dht_->provide(provider_key(k, name));
    if (!r) log::debug("discovery: announcing " + canonical_name(k, name) + " failed: " + r.error().what());
    else ++done;
  }
  announced_ = std::move(names);
  if (config_.publish_card) {
    auto value = sign_card_record(h->identity(), ours);
    if (value) {
      auto put = co_await dht_->put_value(card_record_key(h->id()), std::move(*value));
      if (!put) log::debug("discovery: publishing our card record failed: " + put.error().what());
    }
  }
  co_return done;
}

awaitable<result<find_result>> capability_search::find_agents(std::string tool) {
  co_return co_await find_agents(kind::tool, std::move(tool));
}

awaitable<void> capability_search::fetch_one(std::weak_ptr<capability_search> weak, kad::peer_info provider, kind k,
                                             std::string name, std::shared_ptr<find_result> out) {
  std::shared_ptr<registry::peer_registry> peers;
  std::chrono::milliseconds timeout;
  {
    auto self = weak.lock();
    if (!self) co_return;
    peers = self->peers_;
    timeout = self->config_.fetch_timeout;
    if (auto h = self->host_.lock()) h->peers().add_addrs(provider.id, provider.addrs);
  }
  auto c = co_await with_deadline(peers->refresh_card(provider.id), timeout, "card fetch");
  if (!c) {
    log::info("discovery: provider " + provider.id.to_string() + " of " + canonical_name(k, name) +
              " gave no card: " + c.error().what());
    ++out->rejected;
    co_return;
  }
  if (!card_offers(*c, k, name)) {
    log::info("discovery: provider " + provider.id.to_string() + " announced " + canonical_name(k, name) +
              " but its card does not list it; ignored");
    ++out->rejected;
    co_return;
  }
  out->agents.push_back(found_agent{provider.id, std::move(*c), std::move(provider.addrs)});
}

awaitable<result<find_result>> capability_search::find_agents(kind k, std::string name) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "discovery: host is gone");
  auto self_id = h->id();
  h.reset();
  AP_CO_TRY(auto provs, co_await dht_->find_providers(provider_key(k, name), config_.max_providers));
  auto out = std::make_shared<find_result>();
  out->stats = provs.stats;
  std::vector<kad::peer_info> others;
  for (auto& p : provs.providers)
    if (p.id != self_id) others.push_back(std::move(p));
  out->providers = others.size();
  auto ex = co_await asio::this_coro::executor;
  std::weak_ptr<capability_search> weak = weak_from_this();
  // Bounded fan-out: batches of max_parallel_fetches.
  std::size_t batch = std::max<std::size_t>(1, config_.max_parallel_fetches);
  for (std::size_t i = 0; i < others.size(); i += batch) {
    task_group group(ex);
    for (std::size_t j = i; j < std::min(others.size(), i + batch); ++j)
      group.spawn(fetch_one(weak, others[j], k, name, out), "card fetch");
    co_await group.join();
  }
  std::sort(out->agents.begin(), out->agents.end(),
            [](const found_agent& a, const found_agent& b) { return a.peer < b.peer; });
  co_return std::move(*out);
}

awaitable<result<card::agent_card>> capability_search::lookup_card(crypto::peer_id peer) {
  auto key = card_record_key(peer);
  AP_CO_TRY(auto v, co_await dht_->get_value(key));
  co_return open_card_record(key, v.rec.value);
}

}  // namespace agentp2p::discovery
