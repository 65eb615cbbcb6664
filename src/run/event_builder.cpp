#include "run/event_builder.hpp"

#include <array>
#include <cmath>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "tuneq/value.hpp"

namespace tuneq::detail {

namespace {

// Keys keep the order documented in event.hpp (nlohmann::json would sort them).
using Json = nlohmann::ordered_json;

Json optional_string(const std::optional<std::string>& s) {
  return s ? Json(*s) : Json(nullptr);
}

// Invalid UTF-8 (e.g. a crashed process's log tail) is replaced rather than thrown: an event
// must never fail to be written because of what a trial printed.
Json loop_json(const LoopState& loop) {
  Json j;
  j["can_start_new"] = loop.can_start_new;
  j["waiting"] = loop.waiting;
  return j;
}

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The events of every report (result, checkpoint, decision) and of every launch (started) are
// written directly rather than through a JSON tree, byte for byte as dump() writes them: numbers
// through nlohmann's own shortest round-trip conversion, strings that need escaping through
// dump(). Building the trees was most of the cost of a simulated report with an event log.
void put_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  std::array<char, 64> buffer{};
  char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
  out.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
}

void put_string(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += dump(Json(std::string(s)));
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

void put_loop(std::string& out, const LoopState& loop) {
  out += loop.can_start_new ? "{\"can_start_new\":true,\"waiting\":"
                            : "{\"can_start_new\":false,\"waiting\":";
  out += std::to_string(loop.waiting);
  out += '}';
}

}  // namespace

void EventBuilder::append_trial_added(TrialId id, const Config& config) {
  // config_to_json keeps Value's exact round-trip rules (doubles always carry a '.').
  append(Event::Kind::kTrialAdded, id, "{\"config\":" + config_to_json(config) + "}");
}

void EventBuilder::append_started(TrialId id, const Allocation& allocation,
                                  const std::optional<std::string>& restore) {
  std::string out = "{\"cpu\":" + std::to_string(allocation.cpu) + ",\"gpus\":[";
  for (std::size_t i = 0; i < allocation.gpus.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(allocation.gpus[i]);
  }
  out += "],\"restore\":";
  if (restore) {
    put_string(out, *restore);
  } else {
    out += "null";
  }
  out += '}';
  append(Event::Kind::kStarted, id, std::move(out));
}

void EventBuilder::append_result(TrialId id, double resource, const Metrics& metrics) {
  std::string out = "{\"resource\":";
  put_number(out, resource);
  out += ",\"metrics\":{";
  bool first = true;
  for (const auto& [name, value] : metrics) {
    if (!first) out += ',';
    first = false;
    put_string(out, name);
    out += ':';
    put_number(out, value);  // NaN/inf are written as null
  }
  out += "}}";
  append(Event::Kind::kResult, id, std::move(out));
}

void EventBuilder::append_decision(TrialId id, double resource, const Decision& decision,
                                   const LoopState& loop) {
  std::string out = "{\"action\":";
  put_string(out, to_string(decision.action));
  out += ",\"resource\":";
  put_number(out, resource);
  out += ",\"reason\":";
  put_string(out, decision.reason());
  if (decision.completed) out += ",\"completed\":true";
  out += ",\"loop\":";
  put_loop(out, loop);
  out += '}';
  append(Event::Kind::kDecision, id, std::move(out));
}

void EventBuilder::append_checkpoint(TrialId id, const std::string& checkpoint, double resource) {
  std::string out = "{\"checkpoint\":";
  put_string(out, checkpoint);
  out += ",\"resource\":";
  put_number(out, resource);
  out += '}';
  append(Event::Kind::kCheckpoint, id, std::move(out));
}

void EventBuilder::append_resumed(TrialId id, const std::optional<std::string>& restore,
                                  const LoopState& loop) {
  Json j;
  j["restore"] = optional_string(restore);
  j["loop"] = loop_json(loop);
  append(Event::Kind::kResumed, id, dump(j));
}

void EventBuilder::append_finished(TrialId id, TrialStatus status) {
  Json j;
  j["status"] = to_string(status);
  append(Event::Kind::kFinished, id, dump(j));
}

void EventBuilder::append_failed(TrialId id, int exit_code, const std::string& error, int attempt,
                                 bool final) {
  Json j;
  j["exit_code"] = exit_code;
  j["error"] = error;
  j["attempt"] = attempt;
  j["final"] = final;
  append(Event::Kind::kFailed, id, dump(j));
}

void EventBuilder::append_no_more_trials(const char* reason) {
  Json j;
  j["reason"] = reason;
  append(Event::Kind::kNoMoreTrials, 0, dump(j));
}

void EventBuilder::append_exploit(TrialId id, const Exploit& exploit, const std::string& checkpoint,
                                  const Config& old_config) {
  // Configs through config_to_json, like trial_added (exact round trip of every value).
  Json j;
  j["source"] = exploit.source;
  j["checkpoint"] = checkpoint;
  j["resource"] = exploit.resource;
  std::string data = dump(j);
  data.pop_back();  // the closing brace: the configs follow
  data += ",\"old_config\":" + config_to_json(old_config) +
          ",\"config\":" + config_to_json(exploit.config) + "}";
  append(Event::Kind::kExploit, id, std::move(data));
}

void EventBuilder::append(Event::Kind kind, TrialId id, std::string data) {
  Event event;
  event.seq = next_seq_++;
  event.time = clock_.now();
  event.kind = kind;
  event.trial = id;
  event.data = std::move(data);
  sink_->append(event);
  if (!unflushed_) first_unflushed_time_ = event.time;
  unflushed_ = true;
}

}  // namespace tuneq::detail
