#include "run/replay.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json_value.hpp"
#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

nlohmann::json parse(const Event& e) {
  nlohmann::json j = nlohmann::json::parse(e.data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error::Corruption(fmt::format("event {} ({}): payload is not a JSON object: {}", e.seq,
                                        to_string(e.kind), e.data));
  }
  return j;
}

[[noreturn]] void diverged(const Event& e, const std::string& what) {
  throw Error::Corruption(fmt::format(
      "replay diverged at event {} ({} of trial {}): {}; the log was written with another spec, "
      "seed or tuneq version",
      e.seq, to_string(e.kind), e.trial, what));
}

const char* kind_name(SlotChoice::Kind k) {
  switch (k) {
    case SlotChoice::Kind::kStartNew:
      return "start a new trial";
    case SlotChoice::Kind::kResume:
      return "resume";
    case SlotChoice::Kind::kWait:
      return "wait";
  }
  return "?";
}

double number_or_nan(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

LoopState loop_state_of(const std::string& data) {
  LoopState state{true, 0};
  nlohmann::json j = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("loop") && j["loop"].is_object()) {
    const auto& l = j["loop"];
    if (l.contains("can_start_new") && l["can_start_new"].is_boolean()) {
      state.can_start_new = l["can_start_new"].get<bool>();
    }
    if (l.contains("waiting") && l["waiting"].is_number_unsigned()) {
      state.waiting = l["waiting"].get<std::size_t>();
    }
  }
  return state;
}

Replayer::Replayer(Searcher* searcher, Scheduler& scheduler, std::string metric,
                   std::string resource_attr)
    : searcher_(searcher),
      scheduler_(scheduler),
      metric_(std::move(metric)),
      resource_attr_(std::move(resource_attr)) {}

void Replayer::take_trials_to_stop() {
  for (TrialId id : scheduler_.take_trials_to_stop()) owed_.insert(id);
}

void Replayer::expect_slot_choice(const Event& e, SlotChoice::Kind kind, LoopState loop) {
  const SlotChoice c = scheduler_.on_free_slot(loop);
  take_trials_to_stop();
  if (c.kind != kind || (kind == SlotChoice::Kind::kResume && c.trial != e.trial)) {
    diverged(e,
             fmt::format("the scheduler now says '{}{}' where the log says '{}'", kind_name(c.kind),
                         c.kind == SlotChoice::Kind::kResume ? fmt::format(" {}", c.trial) : "",
                         kind_name(kind)));
  }
}

void Replayer::apply(const Event& e) {
  if (exploit_ && e.kind != Event::Kind::kExploit) {
    diverged(e, fmt::format("the scheduler now has trial {} clone trial {} where the log has no "
                            "exploit",
                            exploit_->trial, exploit_->exploit.source));
  }
  switch (e.kind) {
    case Event::Kind::kTrialAdded: {
      expect_slot_choice(e, SlotChoice::Kind::kStartNew, LoopState{true, 0});
      const Config logged = from_json_config(parse(e).at("config"));
      if (searcher_ != nullptr) {
        Suggestion s = searcher_->suggest(e.trial);
        if (s.kind != Suggestion::Kind::kConfig || s.config != logged) {
          diverged(e, fmt::format("the searcher now suggests {{{}}} where the log has {{{}}}",
                                  config_to_string(s.config), config_to_string(logged)));
        }
      }
      scheduler_.on_trial_added(e.trial, logged);
      return;
    }
    case Event::Kind::kResumed:
      expect_slot_choice(e, SlotChoice::Kind::kResume, loop_state_of(e.data));
      if (std::optional<Exploit> x = scheduler_.take_exploit(e.trial)) {
        exploit_ = PendingExploit{e.trial, std::move(*x)};
      }
      return;
    case Event::Kind::kExploit: {
      const nlohmann::json j = parse(e);
      Exploit logged;
      logged.source = j.at("source").get<TrialId>();
      logged.resource = number_or_nan(j.at("resource"));
      logged.config = from_json_config(j.at("config"));
      if (!exploit_ || exploit_->trial != e.trial) {
        diverged(e, fmt::format("the log has trial {} clone trial {}, which the scheduler did not "
                                "choose",
                                e.trial, logged.source));
      }
      if (!(exploit_->exploit == logged)) {
        const Exploit& now = exploit_->exploit;
        diverged(e, fmt::format("the scheduler now clones trial {} at {} with {{{}}} where the log "
                                "has trial {} at {} with {{{}}}",
                                now.source, now.resource, config_to_string(now.config),
                                logged.source, logged.resource, config_to_string(logged.config)));
      }
      exploit_.reset();
      return;
    }
    case Event::Kind::kResult: {
      const nlohmann::json j = parse(e);
      PendingResult p;
      p.trial = e.trial;
      p.seq = e.seq;
      p.result.resource = number_or_nan(j.value("resource", nlohmann::json()));
      const auto& metrics = j.value("metrics", nlohmann::json::object());
      p.result.value = metrics.contains(metric_) ? number_or_nan(metrics[metric_])
                                                 : std::numeric_limits<double>::quiet_NaN();
      pending_ = p;
      return;
    }
    case Event::Kind::kDecision: {
      if (!pending_ || pending_->trial != e.trial) {
        diverged(e, "a decision without the result it answers");
      }
      const nlohmann::json j = parse(e);
      const Decision d = scheduler_.on_result(e.trial, pending_->result, loop_state_of(e.data));
      if (searcher_ != nullptr) searcher_->on_result(e.trial, pending_->result);
      take_trials_to_stop();
      const std::string logged = j.value("action", "");
      if (logged != to_string(d.action)) {
        diverged(e, fmt::format("the scheduler now decides '{}' where the log says '{}'",
                                to_string(d.action), logged));
      }
      pending_.reset();
      return;
    }
    case Event::Kind::kFinished: {
      const nlohmann::json j = parse(e);
      const TrialEnd how =
          j.value("status", "") == "completed" ? TrialEnd::kCompleted : TrialEnd::kStopped;
      scheduler_.on_trial_finished(e.trial, how);
      if (searcher_ != nullptr) searcher_->on_trial_finished(e.trial, how);
      owed_.erase(e.trial);
      return;
    }
    case Event::Kind::kFailed: {
      const nlohmann::json j = parse(e);
      if (j.value("final", true)) {
        scheduler_.on_trial_finished(e.trial, TrialEnd::kFailed);
        if (searcher_ != nullptr) searcher_->on_trial_finished(e.trial, TrialEnd::kFailed);
        owed_.erase(e.trial);
      }
      return;
    }
    case Event::Kind::kNoMoreTrials:
      scheduler_.on_no_more_trials();
      take_trials_to_stop();
      return;
    case Event::Kind::kCheckpoint:
      scheduler_.on_checkpoint(e.trial,
                               number_or_nan(parse(e).value("resource", nlohmann::json())));
      return;
    case Event::Kind::kStarted:
    case Event::Kind::kPaused:
      return;  // the loop's own bookkeeping; decision logic never saw them
  }
}

}  // namespace tuneq::detail
