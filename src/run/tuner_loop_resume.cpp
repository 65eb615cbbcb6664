// Tuner::Loop, resume: rebuild the loop's trial table and counters from an experiment's event
// log while a Replayer rebuilds the searcher and the scheduler from the same events, then restart
// the trials the interrupted tuner left running.
//
// After the replay:
//  - a result whose decision was never logged is decided now (and its decision logged);
//  - a trial that was running ends as its last decision said if that decision was pause or stop
//    (the tuner died before the trial's exit was logged), else it is relaunched from its latest
//    checkpoint (event kStarted with "restore"); reports it makes again are not recorded twice;
//  - paused trials stay paused and promotable; trial ids continue after the last one;
//  - the clock continues from the last event's time, so time budgets count run time only.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "run/replay.hpp"
#include "run/tuner_loop.hpp"
#include "tuneq/error.hpp"

namespace tuneq {

using detail::LiveTrial;
using OnExit = detail::LiveTrial::OnExit;

namespace {

nlohmann::json payload(const Event& e) {
  nlohmann::json j = nlohmann::json::parse(e.data, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error::Corruption(fmt::format("event {}: payload is not a JSON object", e.seq));
  }
  return j;
}

double number(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>()
                                          : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

TuneResult Tuner::Loop::resume(const std::vector<Event>& history) {
  begin();
  if (history.empty()) return run_fresh_after_begin();
  clock_.set_offset(history.back().time - clock_.base().now());
  start_time_ = history.front().time;
  rules_.emplace(options_.budget, options_.mode, start_time_);
  events_.continue_at(history.back().seq + 1);
  replay(history);
  if (rules_->trial_budget_spent(trials_.size())) {
    notify_no_more_trials(detail::kEndTrialBudgetSpent);
  }
  restart_interrupted();
  return main_loop();
}

TuneResult Tuner::Loop::run_fresh_after_begin() {
  start_time_ = clock_.now();
  rules_.emplace(options_.budget, options_.mode, start_time_);
  if (rules_->trial_budget_spent(0)) notify_no_more_trials(detail::kEndTrialBudgetSpent);
  return main_loop();
}

void Tuner::Loop::replay(const std::vector<Event>& history) {
  detail::Replayer replayer(searcher_.get(), *scheduler_, options_.metric, options_.resource_attr);
  for (std::size_t i = 0; i < history.size(); ++i) {
    const Event& e = history[i];
    if (e.seq != i) {
      throw Error::Corruption(fmt::format("event log has seq {} at position {}", e.seq, i));
    }
    replayer.apply(e);
    if (e.kind == Event::Kind::kNoMoreTrials) {
      no_more_trials_notified_ = true;
      if (payload(e).value("reason", "") == detail::kEndSearcherExhausted) searcher_done_ = true;
      continue;
    }
    if (e.kind == Event::Kind::kTrialAdded) {
      if (e.trial != trials_.size()) {
        throw Error::Corruption(fmt::format("event {}: trial {} added where trial {} was due",
                                            e.seq, e.trial, trials_.size()));
      }
      trials_.add(config_from_json(payload(e).at("config").dump()));
      continue;
    }
    LiveTrial* trial = trials_.find(e.trial);
    if (trial == nullptr) {
      throw Error::Corruption(fmt::format("event {}: trial {} was never added", e.seq, e.trial));
    }
    TrialRecord& record = trial->record;
    switch (e.kind) {
      case Event::Kind::kStarted:
      case Event::Kind::kResumed:
        if (record.status == TrialStatus::kPaused) --paused_;
        record.status = TrialStatus::kRunning;
        trial->on_exit = OnExit::kNone;
        break;
      case Event::Kind::kResult: {
        const nlohmann::json j = payload(e);
        const double resource = number(j, "resource");
        const auto& metrics = j.at("metrics");
        const double value = metrics.contains(options_.metric)
                                 ? number(metrics, options_.metric.c_str())
                                 : std::numeric_limits<double>::quiet_NaN();
        ++record.num_results;
        ++num_results_;
        trial->last_resource = resource;
        trial->lineage_resource = std::max(trial->lineage_resource, resource);
        if (resource > record.resource) {
          total_resource_ += resource - record.resource;
          record.resource = resource;
        }
        record.last_value = value;
        if (better(options_.mode, value, record.best_value)) record.best_value = value;
        if (better(options_.mode, value, best_value_)) {
          best_value_ = value;
          best_trial_ = e.trial;
        }
        break;
      }
      case Event::Kind::kCheckpoint: {
        const nlohmann::json j = payload(e);
        record.checkpoint = j.at("checkpoint").get<std::string>();
        trial->checkpoint_resource = number(j, "resource");
        trial->checkpoint_results = record.num_results;
        restore_point(*trial, e.trial);
        break;
      }
      case Event::Kind::kExploit: {
        const nlohmann::json j = payload(e);
        Exploit exploit;
        exploit.source = j.at("source").get<TrialId>();
        exploit.resource = number(j, "resource");
        exploit.config = config_from_json(j.at("config").dump());
        LiveTrial* source = trials_.find(exploit.source);
        if (source == nullptr) {
          throw Error::Corruption(
              fmt::format("event {}: trial {} clones trial {}, which was never added", e.seq,
                          e.trial, exploit.source));
        }
        const TrialId owner = source->restore_owner;
        apply_exploit(*trial, exploit, j.at("checkpoint").get<std::string>());
        restore_point(*trial, owner);
        break;
      }
      case Event::Kind::kDecision: {
        const nlohmann::json j = payload(e);
        const std::string action = j.value("action", "continue");
        const std::string reason = j.value("reason", "");
        if (!reason.empty() || action != "continue") record.last_reason = reason;
        if (action == "pause") trial->on_exit = OnExit::kPause;
        if (action == "stop") {
          trial->on_exit = OnExit::kStop;
          trial->stop_completed = j.value("completed", false);
        }
        break;
      }
      case Event::Kind::kPaused:
        record.status = TrialStatus::kPaused;
        trial->on_exit = OnExit::kNone;
        ++paused_;
        break;
      case Event::Kind::kFinished:
        if (record.status == TrialStatus::kPaused) --paused_;
        record.status = payload(e).value("status", "") == "completed" ? TrialStatus::kCompleted
                                                                      : TrialStatus::kStopped;
        trial->on_exit = OnExit::kNone;
        break;
      case Event::Kind::kFailed: {
        const nlohmann::json j = payload(e);
        record.failures = j.value("attempt", record.failures + 1);
        if (j.value("final", true)) record.status = TrialStatus::kFailed;
        trial->on_exit = OnExit::kNone;
        break;
      }
      case Event::Kind::kTrialAdded:
      case Event::Kind::kNoMoreTrials:
        break;  // handled above
    }
  }
  // Trials the scheduler gave up on whose end the dead tuner never logged.
  for (TrialId id : replayer.owed_stops()) {
    LiveTrial& trial = trials_[id];
    if (trial.record.status == TrialStatus::kPaused) {
      --paused_;
      finish(trial, TrialStatus::kStopped);
    } else if (trial.record.status == TrialStatus::kRunning &&
               (trial.on_exit == OnExit::kPause || trial.on_exit == OnExit::kResumeAfterPause)) {
      trial.on_exit = OnExit::kStop;  // restart_interrupted() ends it
      trial.stop_completed = false;
    }
  }
  // An exploit chosen with the last resume whose event the dead tuner never logged.
  if (const auto& pending = replayer.pending_exploit()) {
    exploit(trials_[pending->trial], pending->exploit);
  }
  // A result the dead tuner never answered: decide it now, as the loop would have.
  if (const auto& pending = replayer.pending_result()) {
    LiveTrial& trial = trials_[pending->trial];
    const LoopState loop = loop_state();
    const Decision decision = scheduler_->on_result(pending->trial, pending->result, loop);
    searcher_->on_result(pending->trial, pending->result);
    const std::vector<TrialId> to_stop = scheduler_->take_trials_to_stop();
    if (decision.action != Action::kContinue) {
      trial.on_exit = decision.action == Action::kPause ? OnExit::kPause : OnExit::kStop;
      trial.stop_completed = decision.completed;
      trial.last_decision = decision;
    }
    events_.decision(pending->trial, pending->result.resource, decision, loop);
    end_trials_to_stop(to_stop);
  }
}

void Tuner::Loop::restart_interrupted() {
  for (LiveTrial& trial : trials_) {
    if (trial.record.status != TrialStatus::kRunning &&
        trial.record.status != TrialStatus::kPending) {
      continue;
    }
    const TrialId id = trial.record.id;
    if (trial.on_exit == OnExit::kPause || trial.on_exit == OnExit::kResumeAfterPause) {
      trial.on_exit = OnExit::kNone;
      trial.record.status = TrialStatus::kPaused;
      ++paused_;
      events_.paused(id);
      continue;
    }
    if (trial.on_exit == OnExit::kStop) {
      trial.on_exit = OnExit::kNone;
      finish(trial, trial.stop_completed ? TrialStatus::kCompleted : TrialStatus::kStopped);
      continue;
    }
    if (!pool_.fits(options_.per_trial)) {
      throw Error::FailedPrecondition(
          fmt::format("resume: trial {} was running but the pool has no room to restart it", id));
    }
    Allocation allocation = take_slot();
    events_.started(id, allocation, trial.record.checkpoint);
    launch(trial, std::move(allocation), trial.record.checkpoint);
  }
}

}  // namespace tuneq
