#include "agentp2p/agent/a2a/codec.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include "agentp2p/agent/a2a/errors.hpp"

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

agentp2p::error bad(const std::string& path, std::string_view what) {
  return rpc_error(rpc_errc::invalid_params, path + ": " + std::string(what));
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// --- encoders -------------------------------------------------------------

void put_common(json::object& o, const std::optional<json::object>& metadata, const std::vector<std::string>& ext) {
  if (metadata) o["metadata"] = *metadata;
  if (!ext.empty()) o["extensions"] = to_array(ext);
}

// Any list of parts, messages or artifacts as a JSON array (to_json is found
// by argument-dependent lookup when the template is instantiated).
template <class T>
json::array array_json(const std::vector<T>& items, dialect d) {
  json::array a;
  a.reserve(items.size());
  for (const auto& item : items) a.push_back(to_json(item, d));
  return a;
}

// --- parsing helpers --------------------------------------------------------

result<const json::object*> need_object(const json::value& v, const std::string& path) {
  if (const auto* o = v.if_object()) return o;
  return bad(path, "must be an object");
}

// An optional string field; error when present with another type or too long.
result<std::string> opt_string(const json::object& o, std::string_view key, const std::string& path,
                               std::size_t max_len = std::string::npos) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::string();
  const auto* s = it->value().if_string();
  if (!s) return bad(path + "." + std::string(key), "must be a string");
  if (s->size() > max_len)
    return bad(path + "." + std::string(key), "is longer than " + std::to_string(max_len) + " characters");
  return std::string(s->data(), s->size());
}

result<std::optional<json::object>> opt_object(const json::object& o, std::string_view key, const std::string& path) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<json::object>();
  const auto* obj = it->value().if_object();
  if (!obj) return bad(path + "." + std::string(key), "must be an object");
  return std::optional<json::object>(*obj);
}

result<std::vector<std::string>> opt_strings(const json::object& o, std::string_view key, const std::string& path,
                                             const parse_limits& lim) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return out;
  const auto* a = it->value().if_array();
  if (!a) return bad(path + "." + std::string(key), "must be an array of strings");
  if (a->size() > lim.max_parts) return bad(path + "." + std::string(key), "has too many entries");
  for (const auto& e : *a) {
    const auto* s = e.if_string();
    if (!s || s->size() > lim.max_id_length)
      return bad(path + "." + std::string(key), "must be an array of short strings");
    out.emplace_back(s->data(), s->size());
  }
  return out;
}

std::optional<bool> opt_bool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (const auto* b = it->value().if_bool()) return *b;
  return std::nullopt;
}

result<part> parse_part_at(const json::value& v, const std::string& path, const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, path));
  part p;
  AP_TRY(p.metadata, opt_object(*o, "metadata", path));
  AP_TRY(p.filename, opt_string(*o, "filename", path, 4096));
  AP_TRY(p.media_type, opt_string(*o, "mediaType", path, 256));

  std::string kind;
  AP_TRY(kind, opt_string(*o, "kind", path, 32));
  auto has = [&](std::string_view k) { return o->find(k) != o->end(); };
  if (kind.empty()) {
    // A2A 1.0 (a oneof by key); "file" also accepts 0.3 parts missing their kind.
    if (has("text"))
      kind = "text";
    else if (has("raw") || has("url"))
      kind = "raw/url";
    else if (has("file"))
      kind = "file";
    else if (has("data"))
      kind = "data";
    else
      return bad(path, "a part needs text, file, raw, url or data");
  }

  if (kind == "text") {
    auto it = o->find("text");
    const json::string* s = it == o->end() ? nullptr : it->value().if_string();
    if (!s) return bad(path + ".text", "must be a string");
    p.content = text_part{std::string(s->data(), s->size())};
  } else if (kind == "data") {
    auto it = o->find("data");
    if (it == o->end()) return bad(path + ".data", "is missing");
    p.content = data_part{it->value()};
  } else if (kind == "file") {
    auto it = o->find("file");
    if (it == o->end()) return bad(path + ".file", "is missing");
    std::string fpath = path + ".file";
    AP_TRY(const json::object* f, need_object(it->value(), fpath));
    file_part fp;
    AP_TRY(fp.bytes, opt_string(*f, "bytes", fpath));
    AP_TRY(fp.uri, opt_string(*f, "uri", fpath));
    std::string name, mime;
    AP_TRY(name, opt_string(*f, "name", fpath, 4096));
    AP_TRY(mime, opt_string(*f, "mimeType", fpath, 256));
    if (p.filename.empty()) p.filename = std::move(name);
    if (p.media_type.empty()) p.media_type = std::move(mime);
    if (fp.bytes.empty() == fp.uri.empty()) return bad(fpath, "needs exactly one of bytes or uri");
    p.content = std::move(fp);
  } else if (kind == "raw/url") {
    file_part fp;
    AP_TRY(fp.bytes, opt_string(*o, "raw", path));
    AP_TRY(fp.uri, opt_string(*o, "url", path));
    if (fp.bytes.empty() == fp.uri.empty()) return bad(path, "needs exactly one of raw or url");
    p.content = std::move(fp);
  } else {
    return bad(path + ".kind", "must be \"text\", \"file\" or \"data\"");
  }
  return p;
}

result<std::vector<part>> parse_parts(const json::object& o, const std::string& path, const parse_limits& lim,
                                      bool require_one) {
  std::vector<part> out;
  auto it = o.find("parts");
  if (it == o.end() || it->value().is_null()) {
    if (require_one) return bad(path + ".parts", "at least one part is required");
    return out;
  }
  const auto* a = it->value().if_array();
  if (!a) return bad(path + ".parts", "must be an array");
  if (a->size() > lim.max_parts)
    return bad(path + ".parts", "has more than " + std::to_string(lim.max_parts) + " parts");
  if (a->empty() && require_one) return bad(path + ".parts", "at least one part is required");
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    AP_TRY(auto p, parse_part_at((*a)[i], path + ".parts[" + std::to_string(i) + "]", lim));
    out.push_back(std::move(p));
  }
  return out;
}

result<message> parse_message_at(const json::value& v, const std::string& path, const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, path));
  message m;
  AP_TRY(m.message_id, opt_string(*o, "messageId", path, lim.max_id_length));
  // Lenient like praxis: a missing id or role gets a default.
  if (m.message_id.empty()) m.message_id = new_id();
  AP_TRY(m.context_id, opt_string(*o, "contextId", path, lim.max_id_length));
  AP_TRY(m.task_id, opt_string(*o, "taskId", path, lim.max_id_length));
  std::string r;
  AP_TRY(r, opt_string(*o, "role", path, 32));
  if (r.empty() || r == "user" || r == "ROLE_USER")
    m.role = role::user;
  else if (r == "agent" || r == "ROLE_AGENT")
    m.role = role::agent;
  else
    return bad(path + ".role", "must be \"user\" or \"agent\" (ROLE_USER / ROLE_AGENT)");
  AP_TRY(m.parts, parse_parts(*o, path, lim, true));
  AP_TRY(m.metadata, opt_object(*o, "metadata", path));
  AP_TRY(m.extensions, opt_strings(*o, "extensions", path, lim));
  AP_TRY(m.reference_task_ids, opt_strings(*o, "referenceTaskIds", path, lim));
  return m;
}

result<task_status> parse_status_at(const json::value& v, const std::string& path, const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, path));
  task_status s;
  std::string state;
  AP_TRY(state, opt_string(*o, "state", path, 64));
  auto st = parse_state(state);
  if (!st) return bad(path + ".state", "unknown task state \"" + state + "\"");
  s.state = *st;
  if (auto it = o->find("message"); it != o->end() && !it->value().is_null()) {
    AP_TRY(auto m, parse_message_at(it->value(), path + ".message", lim));
    s.message = std::move(m);
  }
  std::string ts;
  AP_TRY(ts, opt_string(*o, "timestamp", path, 64));
  if (!ts.empty()) {
    auto t = parse_timestamp(ts);
    if (!t) return bad(path + ".timestamp", "is not an ISO 8601 UTC time");
    s.time = *t;
  }
  return s;
}

result<artifact> parse_artifact_at(const json::value& v, const std::string& path, const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, path));
  artifact a;
  AP_TRY(a.artifact_id, opt_string(*o, "artifactId", path, lim.max_id_length));
  if (a.artifact_id.empty()) return bad(path + ".artifactId", "is required");
  AP_TRY(a.name, opt_string(*o, "name", path, 4096));
  AP_TRY(a.description, opt_string(*o, "description", path));
  AP_TRY(a.parts, parse_parts(*o, path, lim, false));
  AP_TRY(a.metadata, opt_object(*o, "metadata", path));
  AP_TRY(a.extensions, opt_strings(*o, "extensions", path, lim));
  return a;
}

result<task> parse_task_at(const json::value& v, const std::string& path, const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, path));
  task t;
  AP_TRY(t.id, opt_string(*o, "id", path, lim.max_id_length));
  if (t.id.empty()) return bad(path + ".id", "is required");
  AP_TRY(t.context_id, opt_string(*o, "contextId", path, lim.max_id_length));
  auto st = o->find("status");
  if (st == o->end()) return bad(path + ".status", "is required");
  AP_TRY(t.status, parse_status_at(st->value(), path + ".status", lim));
  if (auto it = o->find("history"); it != o->end() && !it->value().is_null()) {
    const auto* a = it->value().if_array();
    if (!a) return bad(path + ".history", "must be an array");
    if (a->size() > lim.max_history) return bad(path + ".history", "is too long");
    for (std::size_t i = 0; i < a->size(); ++i) {
      AP_TRY(auto m, parse_message_at((*a)[i], path + ".history[" + std::to_string(i) + "]", lim));
      t.history.push_back(std::move(m));
    }
  }
  if (auto it = o->find("artifacts"); it != o->end() && !it->value().is_null()) {
    const auto* a = it->value().if_array();
    if (!a) return bad(path + ".artifacts", "must be an array");
    if (a->size() > lim.max_artifacts) return bad(path + ".artifacts", "is too long");
    for (std::size_t i = 0; i < a->size(); ++i) {
      AP_TRY(auto art, parse_artifact_at((*a)[i], path + ".artifacts[" + std::to_string(i) + "]", lim));
      t.artifacts.push_back(std::move(art));
    }
  }
  AP_TRY(t.metadata, opt_object(*o, "metadata", path));
  return t;
}

result<status_update> parse_status_update_at(const json::value& v, const std::string& path, const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, path));
  status_update e;
  AP_TRY(e.task_id, opt_string(*o, "taskId", path, lim.max_id_length));
  AP_TRY(e.context_id, opt_string(*o, "contextId", path, lim.max_id_length));
  auto st = o->find("status");
  if (st == o->end()) return bad(path + ".status", "is required");
  AP_TRY(e.status, parse_status_at(st->value(), path + ".status", lim));
  // 1.0 has no "final": the state tells whether the stream ends.
  e.final = opt_bool(*o, "final").value_or(ends_turn(e.status.state));
  return e;
}

result<artifact_update> parse_artifact_update_at(const json::value& v, const std::string& path,
                                                 const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, path));
  artifact_update e;
  AP_TRY(e.task_id, opt_string(*o, "taskId", path, lim.max_id_length));
  AP_TRY(e.context_id, opt_string(*o, "contextId", path, lim.max_id_length));
  auto a = o->find("artifact");
  if (a == o->end()) return bad(path + ".artifact", "is required");
  AP_TRY(e.artifact, parse_artifact_at(a->value(), path + ".artifact", lim));
  e.append = opt_bool(*o, "append").value_or(false);
  e.last_chunk = opt_bool(*o, "lastChunk").value_or(false);
  return e;
}

}  // namespace

std::string_view state_name(task_state s, dialect d) noexcept {
  if (d == dialect::v0_3) return to_string(s);
  switch (s) {
    case task_state::unknown:
      return "TASK_STATE_UNSPECIFIED";
    case task_state::submitted:
      return "TASK_STATE_SUBMITTED";
    case task_state::working:
      return "TASK_STATE_WORKING";
    case task_state::input_required:
      return "TASK_STATE_INPUT_REQUIRED";
    case task_state::auth_required:
      return "TASK_STATE_AUTH_REQUIRED";
    case task_state::completed:
      return "TASK_STATE_COMPLETED";
    case task_state::canceled:
      return "TASK_STATE_CANCELED";
    case task_state::failed:
      return "TASK_STATE_FAILED";
    case task_state::rejected:
      return "TASK_STATE_REJECTED";
  }
  return "TASK_STATE_UNSPECIFIED";
}

std::optional<task_state> parse_state(std::string_view text) noexcept {
  constexpr task_state all[] = {task_state::unknown,        task_state::submitted,     task_state::working,
                                task_state::input_required, task_state::auth_required, task_state::completed,
                                task_state::canceled,       task_state::failed,        task_state::rejected};
  for (auto s : all) {
    if (text == state_name(s, dialect::v0_3) || text == state_name(s, dialect::v1_0)) return s;
  }
  if (text == "cancelled") return task_state::canceled;  // a common misspelling
  return std::nullopt;
}

json::value to_json(const part& p, dialect d) {
  json::object o;
  if (d == dialect::v0_3) {
    if (const auto* t = p.as_text()) {
      o["kind"] = "text";
      o["text"] = t->text;
    } else if (const auto* f = p.as_file()) {
      o["kind"] = "file";
      json::object file;
      if (!f->bytes.empty())
        file["bytes"] = f->bytes;
      else
        file["uri"] = f->uri;
      if (!p.filename.empty()) file["name"] = p.filename;
      if (!p.media_type.empty()) file["mimeType"] = p.media_type;
      o["file"] = std::move(file);
    } else if (const auto* dp = p.as_data()) {
      o["kind"] = "data";
      // 0.3 data parts hold an object; other JSON values are wrapped.
      if (dp->data.is_object())
        o["data"] = dp->data;
      else
        o["data"] = json::object{{"value", dp->data}};
    }
  } else {
    if (const auto* t = p.as_text()) {
      o["text"] = t->text;
    } else if (const auto* f = p.as_file()) {
      if (!f->bytes.empty())
        o["raw"] = f->bytes;
      else
        o["url"] = f->uri;
    } else if (const auto* dp = p.as_data()) {
      o["data"] = dp->data;
    }
    if (!p.filename.empty()) o["filename"] = p.filename;
    if (!p.media_type.empty()) o["mediaType"] = p.media_type;
  }
  if (p.metadata) o["metadata"] = *p.metadata;
  return o;
}

json::value to_json(const message& m, dialect d) {
  json::object o;
  o.reserve(8);  // every field of a message: no rehash while filling
  if (d == dialect::v0_3) o["kind"] = "message";
  o["messageId"] = m.message_id;
  if (!m.context_id.empty()) o["contextId"] = m.context_id;
  if (!m.task_id.empty()) o["taskId"] = m.task_id;
  if (d == dialect::v0_3)
    o["role"] = m.role == role::user ? "user" : "agent";
  else
    o["role"] = m.role == role::user ? "ROLE_USER" : "ROLE_AGENT";
  o["parts"] = array_json(m.parts, d);
  put_common(o, m.metadata, m.extensions);
  if (!m.reference_task_ids.empty()) o["referenceTaskIds"] = to_array(m.reference_task_ids);
  return o;
}

json::value to_json(const task_status& s, dialect d) {
  json::object o;
  o["state"] = state_name(s.state, d);
  if (s.message) o["message"] = to_json(*s.message, d);
  if (s.time != timestamp{}) o["timestamp"] = format_timestamp(s.time);
  return o;
}

json::value to_json(const artifact& a, dialect d) {
  json::object o;
  o["artifactId"] = a.artifact_id;
  if (!a.name.empty()) o["name"] = a.name;
  if (!a.description.empty()) o["description"] = a.description;
  o["parts"] = array_json(a.parts, d);
  put_common(o, a.metadata, a.extensions);
  return o;
}

json::value to_json(const task& t, dialect d) {
  json::object o;
  if (d == dialect::v0_3) o["kind"] = "task";
  o["id"] = t.id;
  o["contextId"] = t.context_id;
  o["status"] = to_json(t.status, d);
  if (!t.history.empty()) o["history"] = array_json(t.history, d);
  if (!t.artifacts.empty()) o["artifacts"] = array_json(t.artifacts, d);
  if (t.metadata) o["metadata"] = *t.metadata;
  return o;
}

json::value to_json(const status_update& e, dialect d) {
  json::object o;
  if (d == dialect::v0_3) o["kind"] = "status-update";
  o["taskId"] = e.task_id;
  o["contextId"] = e.context_id;
  o["status"] = to_json(e.status, d);
  if (d == dialect::v0_3) o["final"] = e.final;
  return o;
}

json::value to_json(const artifact_update& e, dialect d) {
  json::object o;
  if (d == dialect::v0_3) o["kind"] = "artifact-update";
  o["taskId"] = e.task_id;
  o["contextId"] = e.context_id;
  o["artifact"] = to_json(e.artifact, d);
  if (e.append) o["append"] = true;
  if (e.last_chunk) o["lastChunk"] = true;
  return o;
}

namespace {

// {key: item} without copying `item` (json::object{{key, item}} would: an
// initializer list's elements are const).
json::value wrap(std::string_view key, json::value item) {
  json::object o;
  o.emplace(key, std::move(item));
  return o;
}

}  // namespace

json::value stream_item_json(const task& t, dialect d) {
  if (d == dialect::v0_3) return to_json(t, d);
  return wrap("task", to_json(t, d));
}

json::value stream_item_json(const message& m, dialect d) {
  if (d == dialect::v0_3) return to_json(m, d);
  return wrap("message", to_json(m, d));
}

json::value stream_item_json(const task_event& e, dialect d) {
  if (const auto* s = std::get_if<status_update>(&e)) {
    if (d == dialect::v0_3) return to_json(*s, d);
    return wrap("statusUpdate", to_json(*s, d));
  }
  const auto& a = std::get<artifact_update>(e);
  if (d == dialect::v0_3) return to_json(a, d);
  return wrap("artifactUpdate", to_json(a, d));
}

result<part> parse_part(const json::value& v, const parse_limits& lim) { return parse_part_at(v, "part", lim); }
result<message> parse_message(const json::value& v, const parse_limits& lim) {
  return parse_message_at(v, "message", lim);
}
result<task_status> parse_status(const json::value& v, const parse_limits& lim) {
  return parse_status_at(v, "status", lim);
}
result<artifact> parse_artifact(const json::value& v, const parse_limits& lim) {
  return parse_artifact_at(v, "artifact", lim);
}
result<task> parse_task(const json::value& v, const parse_limits& lim) { return parse_task_at(v, "task", lim); }
result<status_update> parse_status_update(const json::value& v, const parse_limits& lim) {
  return parse_status_update_at(v, "statusUpdate", lim);
}
result<artifact_update> parse_artifact_update(const json::value& v, const parse_limits& lim) {
  return parse_artifact_update_at(v, "artifactUpdate", lim);
}

namespace {

template <class T>
result<stream_item> as_item(result<T> r) {
  if (!r) return std::move(r).error();
  return stream_item(std::move(*r));
}

}  // namespace

result<stream_item> parse_stream_item(const json::value& v, const parse_limits& lim) {
  AP_TRY(const json::object* o, need_object(v, "result"));
  if (auto k = o->find("kind"); k != o->end()) {
    // A2A 0.3: the object names its own type.
    const auto* s = k->value().if_string();
    std::string_view kind = s ? std::string_view(*s) : std::string_view();
    if (kind == "task") return as_item(parse_task_at(v, "result", lim));
    if (kind == "message") return as_item(parse_message_at(v, "result", lim));
    if (kind == "status-update") return as_item(parse_status_update_at(v, "result", lim));
    if (kind == "artifact-update") return as_item(parse_artifact_update_at(v, "result", lim));
    return bad("result.kind", "unknown kind \"" + std::string(kind) + "\"");
  }
  // A2A 1.0: a wrapper with one key.
  if (auto it = o->find("task"); it != o->end()) return as_item(parse_task_at(it->value(), "result.task", lim));
  if (auto it = o->find("message"); it != o->end())
    return as_item(parse_message_at(it->value(), "result.message", lim));
  if (auto it = o->find("statusUpdate"); it != o->end())
    return as_item(parse_status_update_at(it->value(), "result.statusUpdate", lim));
  if (auto it = o->find("artifactUpdate"); it != o->end())
    return as_item(parse_artifact_update_at(it->value(), "result.artifactUpdate", lim));
  return bad("result", "expected a task, message, statusUpdate or artifactUpdate");
}

}  // namespace agentp2p::a2a
