#include "agentp2p/agent/a2a/message_size.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "agentp2p/agent/a2a/codec.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

std::size_t serialized(const a2a::message& m) { return json::serialize(a2a::to_json(m, a2a::dialect::v1_0)).size(); }

}  // namespace

// The limit check counts instead of serializing: the count must track the
// real size closely (never far below it, so the limit holds).
TEST(a2a_message_size, tracks_the_serialized_size) {
  a2a::message m;
  m.message_id = a2a::new_id();
  m.context_id = a2a::new_id();
  m.parts.push_back(a2a::part::text("hello \"world\"\n\x01"));
  m.parts.push_back(a2a::part::data(json::parse(R"({"tool":"echo","arguments":{"text":"hi","n":[1,2.5,null]}})")));
  a2a::part f;
  f.content = a2a::file_part{"", "https://example.com/x"};
  f.filename = "x.txt";
  f.media_type = "text/plain";
  f.metadata = json::object{{"k", "v"}};
  m.parts.push_back(f);
  m.metadata = json::object{{"trace", 1}};
  m.extensions = {"urn:ext"};
  m.reference_task_ids = {"t1", "t2"};
  for (const auto& msg : {m, a2a::message{}}) {
    auto exact = serialized(msg);
    auto counted = a2a::json_size(msg);
    EXPECT_GE(counted, exact);
    EXPECT_LE(counted, exact + 400);
  }
  // Big content dominates: within a fraction of a percent.
  a2a::message big;
  big.message_id = "m";
  big.parts.push_back(a2a::part::text(std::string(100000, 'x')));
  EXPECT_GE(a2a::json_size(big), serialized(big));
  EXPECT_LE(a2a::json_size(big), serialized(big) + 200);
}
