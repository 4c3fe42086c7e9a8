#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/card.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

awaitable<result<json::value>> noop(json::object, tools::call_context&) { co_return json::value(); }

card::agent_card sample() {
  card::agent_card c;
  c.name = "agent";
  c.version = "1.2.3";
  c.peer_id = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key()).to_string();
  c.capabilities = {"mcp", "p2p"};
  c.tools.push_back(card::tool_spec{"add", "adds", {{"a", "number", "first", true}, {"b", "number", "", false}}});
  c.timestamp = 1700000000;
  return c;
}

}  // namespace

TEST(agent_card, round_trips_through_json_with_the_praxis_field_names) {
  auto c = sample();
  auto v = card::to_json(c);
  const auto& o = v.as_object();
  EXPECT_TRUE(o.contains("peerId"));
  EXPECT_EQ(o.at("tools").as_array().at(0).at("parameters").as_array().at(0).at("required").as_bool(), true);
  auto back = card::from_json(json::parse(json::serialize(v)));
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(*back, c);
}

TEST(agent_card, reads_what_praxis_go_writes) {
  // Go encodes nil slices as null; a default praxis card has no tools.
  auto v = json::parse(R"({"name":"praxis-agent","version":"1.0.0","peerId":"12D3KooWExample",
      "capabilities":["mcp","dsl","workflow","p2p"],"tools":[{"name":"analyze_dsl","description":"",
      "parameters":null}],"timestamp":1722500000})");
  auto c = card::from_json(v);
  ASSERT_TRUE(c) << c.error().what();
  EXPECT_EQ(c->name, "praxis-agent");
  EXPECT_EQ(c->capabilities.size(), 4u);
  ASSERT_EQ(c->tools.size(), 1u);
  EXPECT_TRUE(c->tools[0].parameters.empty());
  EXPECT_EQ(c->timestamp, 1722500000);
  auto minimal = card::from_json(json::parse(R"({"name":"x","peerId":"p","tools":null,"capabilities":null})"));
  EXPECT_TRUE(minimal);
}

TEST(agent_card, wrong_shapes_name_the_field) {
  auto bad = [](std::string_view text) {
    auto c = card::from_json(json::parse(text));
    return c ? std::string("ok") : c.error().message;
  };
  EXPECT_EQ(bad(R"([1])"), "card: expected an object");
  EXPECT_EQ(bad(R"({"peerId":"p"})"), "card.name: missing");
  EXPECT_EQ(bad(R"({"name":"x","peerId":7})"), "card.peerId: expected a string");
  EXPECT_EQ(bad(R"({"name":"x","peerId":"p","tools":[{"name":"t","parameters":[{"name":1}]}]})"),
            "card.tools[0].parameters[0].name: expected a string");
  EXPECT_EQ(bad(R"({"name":"x","peerId":"p","tools":[{"name":"t","parameters":[{"name":"a","required":"yes"}]}]})"),
            "card.tools[0].parameters[0].required: expected a boolean");
  EXPECT_EQ(bad(R"({"name":"x","peerId":"p","capabilities":"mcp"})"), "card.capabilities: expected an array");
  EXPECT_EQ(bad(R"({"name":"x","peerId":"p","timestamp":"now"})"), "card.timestamp: expected an integer (Unix seconds)");
}

TEST(agent_card, limits_are_enforced) {
  auto c = sample();
  c.name = std::string(257, 'n');
  auto long_name = card::from_json(card::to_json(c));
  ASSERT_FALSE(long_name);
  EXPECT_TRUE(long_name.error().is(errc::too_large));
  EXPECT_EQ(long_name.error().message, "card.name: longer than 256 bytes");

  c = sample();
  c.tools.assign(1025, card::tool_spec{"t", "", {}});
  auto many = card::from_json(card::to_json(c));
  ASSERT_FALSE(many);
  EXPECT_TRUE(many.error().is(errc::too_large));
  c.tools.resize(1024);
  EXPECT_TRUE(card::from_json(card::to_json(c)));
}

TEST(agent_card, parameters_come_from_the_tool_schema) {
  auto schema = json::parse(R"({"type":"object","properties":{
      "query":{"type":"string","description":"what to look for"},
      "limit":{"type":["integer","null"]},
      "filters":{"properties":{"x":{}}},
      "anything":{}},
    "required":["query"]})").as_object();
  auto params = card::parameters_from_schema(schema);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0], (card::tool_parameter{"query", "string", "what to look for", true}));
  EXPECT_EQ(params[1], (card::tool_parameter{"limit", "integer", "", false}));
  EXPECT_EQ(params[2].type, "object");
  EXPECT_EQ(params[3].type, "any");
}

TEST(agent_card, our_card_lists_the_registry_tools_and_our_id) {
  tools::registry reg;
  tools::tool_definition d;
  d.name = "search";
  d.description = "finds things";
  d.input_schema = json::parse(R"({"type":"object","properties":{"q":{"type":"string"}},"required":["q"]})").as_object();
  ASSERT_TRUE(reg.add(d, noop));
  auto key = crypto::private_key::generate_ed25519();
  auto self = crypto::peer_id::from_public_key(key.public_key());
  card::card_info info;
  info.name = "finder";
  auto c = card::make_card(reg, self, info);
  EXPECT_EQ(c.name, "finder");
  EXPECT_EQ(c.peer_id, self.to_string());
  EXPECT_EQ(c.capabilities, card::card_info::default_capabilities());
  ASSERT_EQ(c.tools.size(), 1u);
  EXPECT_EQ(c.tools[0].name, "search");
  EXPECT_EQ(c.tools[0].parameters, (std::vector<card::tool_parameter>{{"q", "string", "", true}}));
  EXPECT_GT(c.timestamp, 1600000000);
  EXPECT_TRUE(card::from_json(card::to_json(c)));

  auto later = c;
  later.timestamp += 10;
  EXPECT_TRUE(card::same_content(c, later));
  later.tools.clear();
  EXPECT_FALSE(card::same_content(c, later));
}
