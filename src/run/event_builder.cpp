#include "run/event_builder.hpp"

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

}  // namespace

void EventBuilder::append_trial_added(TrialId id, const Config& config) {
  // config_to_json keeps Value's exact round-trip rules (doubles always carry a '.').
  append(Event::Kind::kTrialAdded, id, "{\"config\":" + config_to_json(config) + "}");
}

void EventBuilder::append_started(TrialId id, const Allocation& allocation,
                                  const std::optional<std::string>& restore) {
  Json j;
  j["cpu"] = allocation.cpu;
  j["gpus"] = allocation.gpus;
  j["restore"] = optional_string(restore);
  append(Event::Kind::kStarted, id, dump(j));
}

void EventBuilder::append_result(TrialId id, double resource, const Metrics& metrics) {
  Json j;
  j["resource"] = resource;
  Json m = Json::object();
  for (const auto& [name, value] : metrics) m[name] = value;  // NaN/inf are written as null
  j["metrics"] = std::move(m);
  append(Event::Kind::kResult, id, dump(j));
}

void EventBuilder::append_decision(TrialId id, double resource, const Decision& decision,
                                   const LoopState& loop) {
  Json j;
  j["action"] = to_string(decision.action);
  j["resource"] = resource;
  j["reason"] = decision.reason();
  if (decision.completed) j["completed"] = true;
  j["loop"] = loop_json(loop);
  append(Event::Kind::kDecision, id, dump(j));
}

void EventBuilder::append_checkpoint(TrialId id, const std::string& checkpoint, double resource) {
  Json j;
  j["checkpoint"] = checkpoint;
  j["resource"] = resource;
  append(Event::Kind::kCheckpoint, id, dump(j));
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
