// Tuner::Loop, steps 3 and 4: what a report and an exit do to a trial. The semantics are
// written down at the top of tuner_loop.cpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "run/tuner_loop.hpp"
#include "tuneq/error.hpp"

namespace tuneq {

using detail::LiveTrial;
using OnExit = detail::LiveTrial::OnExit;
using detail::kGroupCommitSeconds;

namespace {

TrialEnd trial_end(TrialStatus status) {
  switch (status) {
    case TrialStatus::kCompleted:
      return TrialEnd::kCompleted;
    case TrialStatus::kFailed:
      return TrialEnd::kFailed;
    default:
      return TrialEnd::kStopped;
  }
}

// True for a report the trial already made before it was relaunched from a checkpoint; the
// skip state is consumed as the repeats go by.
bool is_repeat(LiveTrial& trial, const ExecutorEvent& event, const std::string& resource_attr) {
  if (!resource_attr.empty()) {
    const auto it = event.metrics.find(resource_attr);
    if (it == event.metrics.end() || std::isnan(it->second)) return false;
    if (it->second <= trial.skip_through_resource) return true;
    trial.skip_through_resource = -std::numeric_limits<double>::infinity();
    return false;
  }
  if (trial.skip_reports == 0) return false;
  --trial.skip_reports;
  return true;
}

Action reply_for(OnExit on_exit) {
  return on_exit == OnExit::kStop || on_exit == OnExit::kInterrupt ? Action::kStop : Action::kPause;
}

}  // namespace

void Tuner::Loop::handle(ExecutorEvent& event) {
  LiveTrial* trial = trials_.find(event.trial);
  if (trial == nullptr || !trial->running) {
    throw Error::FailedPrecondition(
        fmt::format("executor sent an event for trial {}, which is not running", event.trial));
  }
  if (event.kind == ExecutorEvent::Kind::kResult) {
    on_result(*trial, event);
  } else {
    on_exited(*trial, event);
  }
}

void Tuner::Loop::on_result(LiveTrial& trial, ExecutorEvent& event) {
  const TrialId id = trial.record.id;
  if (trial.on_exit != OnExit::kNone) {  // already told to pause/stop: same answer, unrecorded
    events_.flush_if_older(kGroupCommitSeconds);
    executor_.reply(id, reply_for(trial.on_exit));
    return;
  }
  TrialRecord& record = trial.record;
  if (is_repeat(trial, event,
                options_.resource_attr)) {  // reported before its restart from a checkpoint
    events_.flush_if_older(kGroupCommitSeconds);
    executor_.reply(id, Action::kContinue);
    return;
  }
  ++record.num_results;
  ++num_results_;

  double resource = static_cast<double>(record.num_results) + trial.report_shift;
  if (has_resource_attr_) {
    auto it = event.metrics.find(options_.resource_attr);
    resource =
        (it != event.metrics.end() && !std::isnan(it->second)) ? it->second : trial.last_resource;
  }
  trial.last_resource = resource;
  trial.lineage_resource = std::max(trial.lineage_resource, resource);
  if (resource > record.resource) {
    total_resource_ += resource - record.resource;
    record.resource = resource;
  }
  auto metric = event.metrics.find(options_.metric);
  const double value =
      metric != event.metrics.end() ? metric->second : std::numeric_limits<double>::quiet_NaN();
  record.last_value = value;
  if (better(options_.mode, value, record.best_value)) record.best_value = value;
  if (better(options_.mode, value, best_value_)) {
    best_value_ = value;
    best_trial_ = id;
  }

  events_.result(id, resource, event.metrics);
  if (event.checkpoint) {
    record.checkpoint = std::move(event.checkpoint);
    trial.checkpoint_resource = resource;
    trial.checkpoint_results = record.num_results;
    events_.checkpoint(id, *record.checkpoint, resource);
    restore_point(trial, id);
    scheduler_->on_checkpoint(id, resource);
  }

  const Result result{resource, value};
  const LoopState loop = loop_state();
  const Decision decision = scheduler_->on_result(id, result, loop);
  searcher_->on_result(id, result);
  const std::vector<TrialId> to_stop = scheduler_->take_trials_to_stop();
  if (decision.action != Action::kContinue) {
    trial.on_exit = decision.action == Action::kPause ? OnExit::kPause : OnExit::kStop;
    trial.stop_completed = decision.completed;
  }
  if (decision.action != Action::kContinue || (decision.why != nullptr && *decision.why)) {
    trial.last_decision = decision;
  }
  events_.decision(id, resource, decision, loop);
  end_trials_to_stop(to_stop);  // may turn this trial's pause into a stop
  if (trial.on_exit == OnExit::kNone) {
    events_.flush_if_older(kGroupCommitSeconds);
  } else {
    events_.flush();
  }
  executor_.reply(id,
                  trial.on_exit == OnExit::kNone ? Action::kContinue : reply_for(trial.on_exit));

  if (rules_->metric_target_reached(value)) end(rules_->target_reason());
  if (rules_->resource_reached(total_resource_)) end(detail::kEndResourceBudget);
}

void Tuner::Loop::on_exited(LiveTrial& trial, const ExecutorEvent& event) {
  const TrialId id = trial.record.id;
  pool_.release(trial.allocation);
  trial.allocation = {};
  trial.running = false;
  --running_;
  busy_slot_seconds_ += clock_.now() - trial.started_at;

  const OnExit on_exit = trial.on_exit;
  trial.on_exit = OnExit::kNone;
  switch (on_exit) {
    case OnExit::kPause:
      trial.record.status = TrialStatus::kPaused;
      ++paused_;
      events_.paused(id);
      return;
    case OnExit::kResumeAfterPause:  // its kResumed was logged when the scheduler chose it
      relaunch(trial);
      return;
    case OnExit::kStop:
      finish(trial, trial.stop_completed ? TrialStatus::kCompleted : TrialStatus::kStopped);
      return;
    case OnExit::kInterrupt:  // left as running in the log: resume restarts it
      return;
    case OnExit::kNone:
      if (event.ok) {
        finish(trial, TrialStatus::kCompleted);
      } else {
        on_failure(trial, event);
      }
      return;
  }
}

void Tuner::Loop::on_failure(LiveTrial& trial, const ExecutorEvent& event) {
  const TrialId id = trial.record.id;
  const int attempt = ++trial.record.failures;
  const bool retry = attempt <= options_.max_failures && !ended_;
  events_.failed(id, event.exit_code, event.error, attempt, /*final=*/!retry);
  if (retry) {
    Allocation allocation = take_slot();  // fits: the trial's own slot was just released
    events_.started(id, allocation, trial.record.checkpoint);
    launch(trial, std::move(allocation), trial.record.checkpoint);
    return;
  }
  finish(trial, TrialStatus::kFailed);
}

void Tuner::Loop::finish(LiveTrial& trial, TrialStatus status) {
  const TrialId id = trial.record.id;
  trial.record.status = status;
  if (status != TrialStatus::kFailed) events_.finished(id, status);
  scheduler_->on_trial_finished(id, trial_end(status));
  searcher_->on_trial_finished(id, trial_end(status));
}

void Tuner::Loop::end_trials_to_stop(const std::vector<TrialId>& ids) {
  for (TrialId id : ids) {
    LiveTrial* trial = trials_.find(id);
    if (trial == nullptr) continue;
    if (!trial->running && trial->record.status == TrialStatus::kPaused) {
      --paused_;
      finish(*trial, TrialStatus::kStopped);
    } else if (trial->running &&
               (trial->on_exit == OnExit::kPause || trial->on_exit == OnExit::kResumeAfterPause)) {
      trial->on_exit = OnExit::kStop;
      trial->stop_completed = false;
    }
  }
}

}  // namespace tuneq
