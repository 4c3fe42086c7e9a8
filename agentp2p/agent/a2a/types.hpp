// The A2A data model (tasks, messages, parts, artifacts, streaming events),
// independent of any wire version: codec.hpp turns it into the JSON of A2A
// 0.3 or 1.0. Field meanings follow the A2A specification
// (https://a2a-protocol.org, specification/a2a.proto).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agentp2p::a2a {

// A task's lifecycle. Terminal states never change again; interrupted ones
// wait for the client (a new message with the task's id resumes the task).
enum class task_state {
  unknown,  // 0.3 "unknown", 1.0 TASK_STATE_UNSPECIFIED
  submitted,
  working,
  input_required,
  auth_required,
  completed,
  canceled,
  failed,
  rejected,
};

bool is_terminal(task_state s) noexcept;     // completed, canceled, failed, rejected
bool is_interrupted(task_state s) noexcept;  // input_required, auth_required
// The end of a turn: terminal or interrupted. Blocking sends return and
// streams close at such a state.
inline bool ends_turn(task_state s) noexcept { return is_terminal(s) || is_interrupted(s); }
// 0.3 spelling ("input-required"), for logs and messages.
std::string_view to_string(task_state s) noexcept;

enum class role { user, agent };

// Milliseconds since the Unix epoch, UTC; on the wire ISO 8601 with a 'Z'.
using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
timestamp now() noexcept;
std::string format_timestamp(timestamp t);  // "2025-10-28T10:30:00.000Z"
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)".
std::optional<timestamp> parse_timestamp(std::string_view text);

// A random UUID (version 4), for task, context, message and artifact ids.
std::string new_id();

struct text_part {
  std::string text;
};
// A file by content (base64, carried as is) or by reference; exactly one set.
struct file_part {
  std::string bytes;
  std::string uri;
};
struct data_part {
  boost::json::value data;
};

struct part {
  std::variant<text_part, file_part, data_part> content;
  std::string filename;    // 0.3 file.name
  std::string media_type;  // 0.3 file.mimeType
  std::optional<boost::json::object> metadata;

  static part text(std::string t);
  static part data(boost::json::value v);
  const text_part* as_text() const noexcept { return std::get_if<text_part>(&content); }
  const file_part* as_file() const noexcept { return std::get_if<file_part>(&content); }
  const data_part* as_data() const noexcept { return std::get_if<data_part>(&content); }
};

struct message {
  std::string message_id;
  std::string context_id;  // empty: not set
  std::string task_id;     // empty: not set
  a2a::role role = role::user;
  std::vector<part> parts;
  std::optional<boost::json::object> metadata;
  std::vector<std::string> extensions;
  std::vector<std::string> reference_task_ids;
};

struct task_status {
  task_state state = task_state::unknown;
  std::optional<a2a::message> message;
  timestamp time{};
};

struct artifact {
  std::string artifact_id;
  std::string name;
  std::string description;
  std::vector<part> parts;
  std::optional<boost::json::object> metadata;
  std::vector<std::string> extensions;
};

struct task {
  std::string id;
  std::string context_id;
  task_status status;
  std::vector<a2a::message> history;
  std::vector<a2a::artifact> artifacts;
  std::optional<boost::json::object> metadata;
};

// Streaming events. `final` is A2A 0.3's "last event of this stream" flag
// (set when the state ends the turn); 1.0 has no such field.
struct status_update {
  std::string task_id;
  std::string context_id;
  task_status status;
  bool final = false;
};
struct artifact_update {
  std::string task_id;
  std::string context_id;
  a2a::artifact artifact;
  bool append = false;
  bool last_chunk = false;
};
using task_event = std::variant<status_update, artifact_update>;

// The plain text of a message's text parts, joined by '\n' (for logs and tests).
std::string text_of(const message& m);

}  // namespace agentp2p::a2a
