#include "agentp2p/agent/a2a/codec.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include <boost/json.hpp>

#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/agent/a2a/jsonrpc.hpp"
#include "agentp2p/agent/a2a/params.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

a2a::task sample_task() {
  a2a::task t;
  t.id = "t1";
  t.context_id = "c1";
  a2a::message m;
  m.message_id = "m1";
  m.task_id = "t1";
  m.context_id = "c1";
  m.parts.push_back(a2a::part::text("hi"));
  a2a::part file{a2a::file_part{"aGVsbG8=", ""}, "hello.txt", "text/plain", std::nullopt};
  m.parts.push_back(file);
  m.parts.push_back(a2a::part::data(json::parse(R"({"tool":"echo"})")));
  t.history.push_back(m);
  t.status.state = a2a::task_state::input_required;
  t.status.time = *a2a::parse_timestamp("2025-10-28T10:30:00.123Z");
  a2a::artifact a;
  a.artifact_id = "a1";
  a.name = "result";
  a.parts.push_back(a2a::part::data(json::value(7)));
  t.artifacts.push_back(a);
  return t;
}

int error_code_of(const json::value& response) { return static_cast<int>(response.at("error").at("code").as_int64()); }

}  // namespace

TEST(a2a_codec, v03_task_uses_kind_and_lowercase_states) {
  auto j = a2a::to_json(sample_task(), a2a::dialect::v0_3);
  EXPECT_EQ(j.at("kind"), "task");
  EXPECT_EQ(j.at("status").at("state"), "input-required");
  EXPECT_EQ(j.at("status").at("timestamp"), "2025-10-28T10:30:00.123Z");
  const auto& parts = j.at("history").at(0).at("parts").as_array();
  EXPECT_EQ(j.at("history").at(0).at("kind"), "message");
  EXPECT_EQ(j.at("history").at(0).at("role"), "user");
  EXPECT_EQ(parts.at(0).at("kind"), "text");
  EXPECT_EQ(parts.at(1).at("kind"), "file");
  EXPECT_EQ(parts.at(1).at("file").at("bytes"), "aGVsbG8=");
  EXPECT_EQ(parts.at(1).at("file").at("name"), "hello.txt");
  EXPECT_EQ(parts.at(2).at("data").at("tool"), "echo");
  // 0.3 data parts must be objects: a bare value is wrapped.
  EXPECT_EQ(j.at("artifacts").at(0).at("parts").at(0).at("data").at("value"), 7);
}

TEST(a2a_codec, v10_task_uses_proto_json_names) {
  auto j = a2a::to_json(sample_task(), a2a::dialect::v1_0);
  EXPECT_FALSE(j.as_object().contains("kind"));
  EXPECT_EQ(j.at("status").at("state"), "TASK_STATE_INPUT_REQUIRED");
  const auto& msg = j.at("history").at(0);
  EXPECT_EQ(msg.at("role"), "ROLE_USER");
  EXPECT_EQ(msg.at("parts").at(0).at("text"), "hi");
  EXPECT_EQ(msg.at("parts").at(1).at("raw"), "aGVsbG8=");
  EXPECT_EQ(msg.at("parts").at(1).at("filename"), "hello.txt");
  EXPECT_EQ(msg.at("parts").at(1).at("mediaType"), "text/plain");
  EXPECT_EQ(j.at("artifacts").at(0).at("parts").at(0).at("data"), 7);
}

TEST(a2a_codec, both_versions_round_trip) {
  for (auto d : {a2a::dialect::v0_3, a2a::dialect::v1_0}) {
    auto j = a2a::to_json(sample_task(), d);
    auto back = a2a::parse_task(j);
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(a2a::to_json(*back, a2a::dialect::v1_0).at("status"),
              a2a::to_json(sample_task(), a2a::dialect::v1_0).at("status"));
    EXPECT_EQ(back->history.at(0).parts.size(), 3u);
    EXPECT_EQ(back->history.at(0).parts.at(1).filename, "hello.txt");
  }
}

TEST(a2a_codec, stream_items_follow_each_version) {
  a2a::status_update e{"t1", "c1", {a2a::task_state::completed, std::nullopt, a2a::now()}, true};
  auto v03 = a2a::stream_item_json(a2a::task_event(e), a2a::dialect::v0_3);
  EXPECT_EQ(v03.at("kind"), "status-update");
  EXPECT_EQ(v03.at("final"), true);
  auto v10 = a2a::stream_item_json(a2a::task_event(e), a2a::dialect::v1_0);
  EXPECT_EQ(v10.at("statusUpdate").at("status").at("state"), "TASK_STATE_COMPLETED");
  EXPECT_FALSE(v10.at("statusUpdate").as_object().contains("final"));
  for (const auto& v : {v03, v10}) {
    auto item = a2a::parse_stream_item(v);
    ASSERT_TRUE(item) << item.error().what();
    auto* s = std::get_if<a2a::status_update>(&*item);
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->final);
    EXPECT_EQ(s->status.state, a2a::task_state::completed);
  }
  auto wrapped = a2a::parse_stream_item(a2a::stream_item_json(sample_task(), a2a::dialect::v1_0));
  ASSERT_TRUE(wrapped);
  EXPECT_TRUE(std::holds_alternative<a2a::task>(*wrapped));
}

TEST(a2a_codec, bad_input_names_the_field) {
  auto m = a2a::parse_message(json::parse(R"({"messageId":"x","role":"user","parts":[{"text":"a"},{"nope":1}]})"));
  ASSERT_FALSE(m);
  EXPECT_EQ(a2a::rpc_code(m.error()), -32602);
  EXPECT_NE(m.error().message.find("message.parts[1]"), std::string::npos) << m.error().message;
  auto empty = a2a::parse_message(json::parse(R"({"messageId":"x","role":"user","parts":[]})"));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("at least one part"), std::string::npos);
  auto role = a2a::parse_message(json::parse(R"({"messageId":"x","role":"boss","parts":[{"text":"a"}]})"));
  EXPECT_FALSE(role);
  auto file = a2a::parse_message(json::parse(R"({"parts":[{"kind":"file","file":{"name":"x"}}]})"));
  EXPECT_FALSE(file);
}

TEST(a2a_codec, lenient_input_accepts_both_shapes) {
  auto m = a2a::parse_message(json::parse(
      R"({"kind":"message","role":"ROLE_USER","parts":[{"kind":"text","text":"a"},{"url":"https://x/y","mediaType":"image/png"}]})"));
  ASSERT_TRUE(m) << m.error().what();
  EXPECT_FALSE(m->message_id.empty());  // generated when missing
  ASSERT_NE(m->parts.at(1).as_file(), nullptr);
  EXPECT_EQ(m->parts.at(1).as_file()->uri, "https://x/y");
  EXPECT_EQ(a2a::parse_state("TASK_STATE_AUTH_REQUIRED"), a2a::task_state::auth_required);
  EXPECT_EQ(a2a::parse_state("auth-required"), a2a::task_state::auth_required);
  EXPECT_EQ(a2a::parse_state("running"), std::nullopt);
}

TEST(a2a_codec, timestamps) {
  auto t = a2a::parse_timestamp("2024-03-15T10:15:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(a2a::format_timestamp(*t), "2024-03-15T10:15:00.000Z");
  EXPECT_TRUE(a2a::parse_timestamp("2025-04-17T17:47:09.680794Z"));
  EXPECT_FALSE(a2a::parse_timestamp("2025-02-30T00:00:00Z"));
  EXPECT_FALSE(a2a::parse_timestamp("yesterday"));
  EXPECT_FALSE(a2a::parse_timestamp("2025-01-01T00:00:00+02:00"));
}

TEST(a2a_jsonrpc, request_errors) {
  auto not_json = std::get<json::value>(a2a::parse_request("{nope"));
  EXPECT_EQ(error_code_of(not_json), -32700);
  EXPECT_TRUE(not_json.at("id").is_null());
  auto batch = std::get<json::value>(a2a::parse_request("[]"));
  EXPECT_EQ(error_code_of(batch), -32600);
  auto no_version = std::get<json::value>(a2a::parse_request(R"({"id":3,"method":"GetTask"})"));
  EXPECT_EQ(error_code_of(no_version), -32600);
  EXPECT_EQ(no_version.at("id"), 3);
  auto no_id = std::get<json::value>(a2a::parse_request(R"({"jsonrpc":"2.0","method":"GetTask"})"));
  EXPECT_EQ(error_code_of(no_id), -32600);
  auto bad_params =
      std::get<json::value>(a2a::parse_request(R"({"jsonrpc":"2.0","id":"a","method":"x","params":[1]})"));
  EXPECT_EQ(error_code_of(bad_params), -32602);
  EXPECT_EQ(bad_params.at("id"), "a");
  auto good = a2a::parse_request(R"({"jsonrpc":"2.0","id":"a","method":"GetTask","params":{"id":"t"}})");
  ASSERT_TRUE(std::holds_alternative<a2a::rpc_request>(good));
  EXPECT_EQ(std::get<a2a::rpc_request>(good).method, "GetTask");
}

TEST(a2a_params, send_list_and_page_tokens) {
  auto s = a2a::parse_send_params(json::parse(
                                      R"({"message":{"messageId":"m","role":"user","parts":[{"text":"x"}]},
                                          "configuration":{"returnImmediately":true,"historyLength":2}})")
                                      .as_object());
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_FALSE(s->blocking);
  EXPECT_EQ(s->history_length, 2u);
  auto v03 = a2a::parse_send_params(
      json::parse(R"({"message":{"parts":[{"kind":"text","text":"x"}]},"configuration":{"blocking":false}})")
          .as_object());
  ASSERT_TRUE(v03);
  EXPECT_FALSE(v03->blocking);
  EXPECT_FALSE(a2a::parse_send_params(json::object{}));
  EXPECT_FALSE(a2a::parse_task_id_params(json::parse(R"({"id":"t","historyLength":-5})").as_object()));

  auto bad = a2a::parse_list_params(json::parse(R"({"pageSize":150})").as_object());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("between 1 and 100"), std::string::npos);
  EXPECT_FALSE(a2a::parse_list_params(json::parse(R"({"status":"TASK_STATE_RUNNING"})").as_object()));
  EXPECT_FALSE(a2a::parse_list_params(json::parse(R"({"pageToken":"garbage"})").as_object()));
  auto q = a2a::parse_list_params(
      json::parse(R"({"status":"TASK_STATE_WORKING","contextId":"c","pageSize":10,"includeArtifacts":true})")
          .as_object());
  ASSERT_TRUE(q) << q.error().what();
  EXPECT_EQ(q->state, a2a::task_state::working);
  EXPECT_EQ(q->limit, 10u);
  EXPECT_TRUE(q->include_artifacts);

  a2a::task_cursor c{a2a::now(), "some-id.with.dots"};
  auto back = a2a::decode_page_token(a2a::encode_page_token(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, c.id);
  EXPECT_EQ(back->updated, c.updated);
}

TEST(a2a_types, timestamps_format_like_gmtime_and_ids_are_uuids) {
  // The hand-written civil-date conversion agrees with gmtime_r across
  // centuries, leap days and times before 1970.
  for (long long ms = -2208988800000LL; ms < 4102444800000LL; ms += 86400000LL * 37 + 3600123LL) {
    a2a::timestamp t{std::chrono::milliseconds{ms}};
    std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char want[64];
    std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
    ASSERT_EQ(a2a::format_timestamp(t), want) << ms;
    ASSERT_EQ(a2a::parse_timestamp(want), t) << want;
  }
  EXPECT_EQ(a2a::format_timestamp(a2a::timestamp{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(a2a::format_timestamp(*a2a::parse_timestamp("2024-02-29T23:59:59.999Z")), "2024-02-29T23:59:59.999Z");
  auto id = a2a::new_id();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[13], '-');
  EXPECT_EQ(id[14], '4');  // version 4
  EXPECT_EQ(id[18], '-');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // RFC 4122 variant
  EXPECT_EQ(id[23], '-');
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos);
  EXPECT_NE(a2a::new_id(), id);
}
