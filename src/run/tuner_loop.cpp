// The tuner loop. One thread; it owns all trial state and is the only caller of the searcher,
// the scheduler and the executor. Every event is appended to the sink before the loop acts on
// it (seq 0, 1, 2, ...; time = clock.now()), and the sink is flushed before every launch,
// cancel and pause/stop reply. "continue" replies are group-committed (kGroupCommitSeconds): a
// crash that loses the events behind one cannot make the log wrong, only shorter; the trial is
// restarted from its latest durable checkpoint on resume and reports again. Events that stand for a
// searcher/scheduler call come in the order of the calls, so that replay (run/replay.hpp) can
// re-drive fresh decision logic from the log.
//
// Until the end, repeat:
//  1. Fill free slots. While one more trial's request (options.per_trial) fits in the pool and
//     fewer than max_concurrent (if > 0) trials run, ask scheduler.on_free_slot(LoopState):
//       - can_start_new: the searcher has not said kDone, fewer than budget.max_trials trials
//         exist, and the experiment has not ended;
//       - waiting: paused trials + 1 if a new trial can start (trials whose pause was replied
//         but whose kExited has not arrived are not counted yet).
//     then take scheduler.take_trials_to_stop() (ended after the choice is acted on, step 4).
//     kResume(id): kResumed {restore, loop}; relaunch the paused trial from its latest
//       checkpoint with resource_offset = the resource of its latest report. If its pause is
//       still on the way (replied, no kExited yet) it is relaunched as soon as the kExited
//       arrives, on the slot it frees, without a kPaused. Resuming anything else is
//       Error::FailedPrecondition.
//     kStartNew (only honoured when can_start_new): searcher.suggest(next id):
//       kConfig -> kTrialAdded {config}, scheduler.on_trial_added, kStarted, launch;
//       kWait   -> stop filling until the next event;
//       kDone   -> the searcher is done: kNoMoreTrials, scheduler.on_no_more_trials() (once),
//                  ask the scheduler again (it may resume something).
//     kWait: stop filling. kNoMoreTrials + on_no_more_trials() also come (once) right after
//     the trial that spends budget.max_trials has been launched (or at once if it is 0).
//  2. Wait for executor.next_event(deadline): deadline = start + budget.max_time (+inf without
//     one); with a clock that is not a ManualClock, at most 0.5 s ahead so the time budget is
//     checked while trials are quiet.
//  3. kResult: resource = metrics[resource_attr] when resource_attr is set (a report without
//     it, or with NaN, keeps the trial's previous resource), else the trial's report count
//     (1, 2, ...; it survives pause/resume and retries). value = metrics[metric] or NaN.
//     Events kResult, then kCheckpoint if the report names one (it becomes the trial's latest
//     checkpoint). Then scheduler.on_result, searcher.on_result, take_trials_to_stop,
//     kDecision {action, resource, reason, loop}, the trials to stop are ended, executor.reply.
//     The best value (better() under the mode; NaN ranks last), the metric target and the
//     total resource (sum over trials of their largest resource) are updated; reaching a
//     target or max_total_resource ends the experiment after the reply.
//     A report from a trial that was already told to pause/stop (or cancelled) is not recorded:
//     it gets the same answer again.
//  4. kExited frees the slot, always. Then, by what the trial was told:
//       pause -> status paused (kPaused); resume-after-pause -> relaunched at once;
//       stop  -> completed if the decision said completed, else stopped (kFinished {status}),
//                scheduler/searcher.on_trial_finished;
//       nothing, ok  -> completed (kFinished);
//       nothing, not ok -> failure: failures += 1; if failures <= max_failures, kFailed
//                {exit_code, error, attempt=failures, final=false} and a relaunch from its
//                latest checkpoint (kStarted with restore); else kFailed {..., final=true},
//                status failed, on_trial_finished kFailed (no kFinished event).
//     A pending pause or stop wins over a failed exit (a killed process exits "not ok").
//     Trials named by take_trials_to_stop: a paused trial ends as stopped now (kFinished); a
//     trial whose pause is on the way ends as stopped when it exits (the reply becomes kStop if
//     not yet sent); other ids (running, finished, unknown) are ignored.
//  5. The end, at the first of:
//       - time budget reached ("time budget 60 s reached"; on a ManualClock the events stamped
//         exactly at the deadline are still handled, but nothing new starts at it), metric
//         target reached ("metric target 0.1 reached"), total resource reached ("resource
//         budget reached");
//       - nothing is running after step 1 (nothing may start and the scheduler resumes
//         nothing): "searcher exhausted", "trial budget spent" or "no trial can run".
//     Running trials are cancelled and end as stopped once their kExited arrives; trials whose
//     pause is on the way end paused (kPaused), even if a resume was chosen. Paused trials end
//     with status kPaused in the TuneResult: paused and never promoted (no on_trial_finished).
//
// TuneResult: utilisation = busy_slot_seconds / (concurrency * elapsed), concurrency =
// min(max_concurrent if set, trials that fit in the pool); busy_slot_seconds sums each
// launch's running interval (launch to kExited, by the loop's clock).
#include "run/tuner_loop.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq {

using detail::LiveTrial;
using OnExit = detail::LiveTrial::OnExit;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// How long the loop waits on a real clock before it looks at the time budget again.
constexpr double kRealClockWakeup = 0.5;

}  // namespace

Tuner::Loop::Loop(TunerOptions options, std::unique_ptr<Searcher> searcher,
                  std::unique_ptr<Scheduler> scheduler, Executor& executor, const Clock& clock,
                  EventSink* sink)
    : options_(std::move(options)),
      searcher_(std::move(searcher)),
      scheduler_(std::move(scheduler)),
      executor_(executor),
      clock_(clock),
      virtual_clock_(dynamic_cast<const ManualClock*>(&clock) != nullptr),
      events_(sink, clock_),
      pool_(options_.pool),
      retention_(options_.checkpoint_keep),
      has_resource_attr_(!options_.resource_attr.empty()),
      best_value_(std::numeric_limits<double>::quiet_NaN()) {}

void Tuner::Loop::validate() const {
  if (options_.metric.empty()) {
    throw Error::InvalidArgument("options.metric must name the objective's report key");
  }
  if (!searcher_) throw Error::InvalidArgument("searcher must not be null");
  if (!scheduler_) throw Error::InvalidArgument("scheduler must not be null");
  detail::ResourceAllocator::validate_pool(options_.pool);
  const Resources& request = options_.per_trial;
  if (request.cpu < 1) {
    throw Error::InvalidArgument(fmt::format("per_trial.cpu must be >= 1, got {}", request.cpu));
  }
  if (request.cpu > options_.pool.cpu) {
    throw Error::InvalidArgument(
        fmt::format("per_trial.cpu ({}) exceeds pool.cpu ({})", request.cpu, options_.pool.cpu));
  }
  if (request.gpu < 0) {
    throw Error::InvalidArgument(fmt::format("per_trial.gpu must be >= 0, got {}", request.gpu));
  }
  if (static_cast<std::size_t>(request.gpu) > options_.pool.gpus.size()) {
    throw Error::InvalidArgument(fmt::format("per_trial.gpu ({}) exceeds the pool's {} GPUs",
                                             request.gpu, options_.pool.gpus.size()));
  }
  if (options_.max_failures < 0) {
    throw Error::InvalidArgument(
        fmt::format("max_failures must be >= 0, got {}", options_.max_failures));
  }
  detail::BudgetRules::validate(options_.budget);
}

void Tuner::Loop::begin() {
  if (has_run_) throw Error::FailedPrecondition("a Tuner runs (or resumes) only once");
  has_run_ = true;
  validate();
}

TuneResult Tuner::Loop::run() {
  begin();
  return run_fresh_after_begin();
}

TuneResult Tuner::Loop::main_loop() {
  while (true) {
    // On a virtual clock the events stamped exactly at the deadline are still handled; the end
    // comes when the executor has nothing left at or before it.
    const bool out_of_time = rules_->time_reached(clock_.now());
    if (out_of_time && !virtual_clock_) end(rules_->time_reason());
    if (!ended_ && !out_of_time) fill_slots();
    if (!ended_ && running_ == 0) end(out_of_time ? rules_->time_reason() : idle_end_reason());
    report_progress(false);
    if (ended_) break;
    events_.flush_if_older(detail::kGroupCommitSeconds);
    std::optional<ExecutorEvent> event = next_event();
    if (event) {
      handle(*event);
    } else if (rules_->time_reached(clock_.now())) {
      end(rules_->time_reason());
    }
  }
  shut_down();
  events_.flush();
  report_progress(true);
  return take_result();
}

void Tuner::Loop::report_progress(bool final) {
  if (observer_ == nullptr) return;
  const double now = clock_.now();
  if (!final && now - last_progress_ < progress_interval_) return;
  last_progress_ = now;
  std::vector<TrialRecord> records;
  records.reserve(trials_.size());
  for (const LiveTrial& trial : trials_) records.push_back(trial.snapshot());
  ProgressView view;
  view.elapsed = now - start_time_;
  view.trials = &records;
  view.rungs = scheduler_->rungs();
  view.best = best_trial_;
  view.best_value = best_value_;
  view.slots = pool_.capacity(options_.per_trial);
  if (options_.max_concurrent > 0) view.slots = std::min(view.slots, options_.max_concurrent);
  view.final = final;
  observer_->on_progress(view);
}

// ---- Step 1: free slots ----

bool Tuner::Loop::slot_free() const {
  return pool_.fits(options_.per_trial) &&
         (options_.max_concurrent == 0 || running_ < options_.max_concurrent);
}

bool Tuner::Loop::can_start_new() const {
  return !searcher_done_ && !ended_ && !rules_->trial_budget_spent(trials_.size());
}

LoopState Tuner::Loop::loop_state() const {
  const bool can_start = can_start_new();
  return LoopState{can_start, paused_ + (can_start ? 1 : 0)};
}

void Tuner::Loop::fill_slots() {
  while (!ended_ && slot_free()) {
    const LoopState state = loop_state();
    const SlotChoice choice = scheduler_->on_free_slot(state);
    const std::vector<TrialId> to_stop = scheduler_->take_trials_to_stop();
    bool keep_filling = true;
    if (choice.kind == SlotChoice::Kind::kResume) {
      resume(choice.trial, state);
    } else if (choice.kind == SlotChoice::Kind::kWait || !state.can_start_new) {
      keep_filling = false;
    } else {
      Suggestion suggestion = searcher_->suggest(trials_.size());
      switch (suggestion.kind) {
        case Suggestion::Kind::kConfig:
          start_new_trial(std::move(suggestion.config));
          break;
        case Suggestion::Kind::kWait:
          keep_filling = false;
          break;
        case Suggestion::Kind::kDone:  // ask again: the scheduler may resume something
          searcher_done_ = true;
          notify_no_more_trials(detail::kEndSearcherExhausted);
          break;
      }
    }
    end_trials_to_stop(to_stop);
    if (!keep_filling) return;
  }
}

void Tuner::Loop::start_new_trial(Config config) {
  LiveTrial& trial = trials_.add(std::move(config));
  const TrialId id = trial.record.id;
  events_.trial_added(id, trial.record.config);
  scheduler_->on_trial_added(id, trial.record.config);
  Allocation allocation = take_slot();
  events_.started(id, allocation, std::nullopt);
  launch(trial, std::move(allocation), std::nullopt);
  if (rules_->trial_budget_spent(trials_.size())) {
    notify_no_more_trials(detail::kEndTrialBudgetSpent);
  }
}

void Tuner::Loop::resume(TrialId id, const LoopState& loop) {
  LiveTrial* trial = trials_.find(id);
  const bool pausing = trial != nullptr && trial->running && trial->on_exit == OnExit::kPause;
  if (!pausing && (trial == nullptr || trial->record.status != TrialStatus::kPaused)) {
    throw Error::FailedPrecondition(
        fmt::format("scheduler '{}' asked to resume trial {}, which is {}", scheduler_->name(), id,
                    trial == nullptr ? "unknown" : to_string(trial->record.status)));
  }
  events_.resumed(id, trial->record.checkpoint, loop);
  if (std::optional<Exploit> chosen = scheduler_->take_exploit(id)) exploit(*trial, *chosen);
  if (pausing) {
    trial->on_exit = OnExit::kResumeAfterPause;  // relaunched as soon as its kExited arrives
    return;
  }
  --paused_;
  relaunch(*trial);
}

void Tuner::Loop::relaunch(LiveTrial& trial) {
  Allocation allocation = take_slot();
  launch(trial, std::move(allocation), trial.record.checkpoint);
}

Allocation Tuner::Loop::take_slot() {
  std::optional<Allocation> allocation = pool_.acquire(options_.per_trial);
  if (!allocation) {
    throw Error::FailedPrecondition("tuner loop: launching a trial on a full resource pool");
  }
  return std::move(*allocation);
}

void Tuner::Loop::launch(LiveTrial& trial, Allocation allocation,
                         const std::optional<std::string>& restore) {
  trial.running = true;
  trial.on_exit = OnExit::kNone;
  trial.stop_completed = false;
  trial.started_at = clock_.now();
  trial.record.status = TrialStatus::kRunning;
  if (trial.record.num_results > 0) {
    // A relaunch: what it reported after its checkpoint (everything, without one) comes again.
    if (has_resource_attr_) {
      trial.skip_through_resource = trial.lineage_resource;
    } else {
      trial.skip_reports = trial.record.num_results - (restore ? trial.checkpoint_results : 0);
    }
  }
  trial.allocation = std::move(allocation);
  ++running_;
  LaunchRequest request;
  request.trial = trial.record.id;
  request.config = trial.record.config;
  request.allocation = trial.allocation;
  request.restore = restore;
  request.resource_offset = trial.last_resource;
  events_.flush();
  executor_.launch(request);
}

void Tuner::Loop::exploit(LiveTrial& trial, const Exploit& exploit) {
  LiveTrial* source = trials_.find(exploit.source);
  if (source == nullptr || !source->record.checkpoint ||
      source->checkpoint_resource != exploit.resource) {
    throw Error::FailedPrecondition(fmt::format(
        "scheduler '{}' asked trial {} to clone trial {} at resource {}, which has no checkpoint "
        "there",
        scheduler_->name(), trial.record.id, exploit.source, exploit.resource));
  }
  const std::string checkpoint = *source->record.checkpoint;
  events_.exploit(trial.record.id, exploit, checkpoint, trial.record.config);
  apply_exploit(trial, exploit, checkpoint);
  restore_point(trial, source->restore_owner);
}

void Tuner::Loop::apply_exploit(LiveTrial& trial, const Exploit& exploit,
                                const std::string& checkpoint) {
  trial.record.config = exploit.config;
  trial.record.checkpoint = checkpoint;
  trial.checkpoint_resource = exploit.resource;
  trial.checkpoint_results = trial.record.num_results;
  trial.last_resource = exploit.resource;
  trial.lineage_resource = exploit.resource;
  trial.report_shift = exploit.resource - static_cast<double>(trial.record.num_results);
  ++trial.record.exploits;
}

void Tuner::Loop::restore_point(LiveTrial& trial, TrialId owner) {
  trial.restore_owner = owner;
  if (options_.checkpoint_keep == 0 || !trial.record.checkpoint) return;
  if (owner == trial.record.id) retention_.saved(owner, *trial.record.checkpoint);
  retention_.restore_point(trial.record.id, owner, *trial.record.checkpoint);
  discard_checkpoints();
}

void Tuner::Loop::discard_checkpoints() {
  const auto discards = retention_.take_discards();
  if (discards.empty()) return;
  // Deleting a checkpoint is visible to a resume: the log must already hold the checkpoint that
  // replaced it, or a crash before the next group commit leaves the log's latest checkpoint
  // deleted and the trial unrestorable.
  events_.flush();
  for (const auto& d : discards) executor_.discard_checkpoint(d.owner, d.checkpoint);
}

void Tuner::Loop::notify_no_more_trials(const char* reason) {
  if (no_more_trials_notified_) return;
  no_more_trials_notified_ = true;
  events_.no_more_trials(reason);
  scheduler_->on_no_more_trials();
}

// ---- Step 5: the end ----

void Tuner::Loop::end(std::string reason) {
  if (ended_) return;
  ended_ = true;
  end_reason_ = std::move(reason);
}

std::string Tuner::Loop::idle_end_reason() const {
  if (searcher_done_) return detail::kEndSearcherExhausted;
  if (rules_->trial_budget_spent(trials_.size())) return detail::kEndTrialBudgetSpent;
  return detail::kEndNothingToRun;
}

double Tuner::Loop::wait_deadline() const {
  const double deadline = ended_ ? kInf : rules_->deadline();
  if (virtual_clock_) return deadline;
  return std::min(deadline, clock_.now() + kRealClockWakeup);
}

std::optional<ExecutorEvent> Tuner::Loop::next_event() {
  // Executors keep the injected clock's seconds; the loop's own clock may be offset (resume).
  std::optional<ExecutorEvent> event =
      executor_.next_event(wait_deadline() - (clock_.now() - clock_.base().now()));
  // On a virtual clock only events move time: no event before the deadline while trials run
  // means the executor lost them, and waiting again would spin forever.
  if (!event && virtual_clock_ && running_ > 0 && (ended_ || !rules_->time_reached(clock_.now()))) {
    throw Error::FailedPrecondition(
        fmt::format("executor returned no event while {} trials are running", running_));
  }
  return event;
}

void Tuner::Loop::shut_down() {
  for (LiveTrial& trial : trials_) {
    if (!trial.running) continue;
    if (trial.on_exit == OnExit::kNone) {
      trial.on_exit = interrupted_ ? OnExit::kInterrupt : OnExit::kStop;
      trial.stop_completed = false;
      events_.flush();
      executor_.cancel(trial.record.id);
    } else if (trial.on_exit == OnExit::kResumeAfterPause) {
      trial.on_exit = OnExit::kPause;  // the experiment is over: it stays paused
    }
  }
  while (running_ > 0) {
    std::optional<ExecutorEvent> event = next_event();
    if (event) handle(*event);
  }
}

TuneResult Tuner::Loop::take_result() {
  TuneResult result;
  result.trials.reserve(trials_.size());
  for (LiveTrial& trial : trials_) {  // moved, not copied: 100 000 configs in a large simulation
    TrialRecord& record = result.trials.emplace_back(std::move(trial.record));
    if (trial.last_decision) record.last_reason = trial.last_decision->reason();
  }
  result.best = best_trial_;
  result.best_value = best_value_;
  result.elapsed = clock_.now() - start_time_;
  result.busy_slot_seconds = busy_slot_seconds_;
  std::size_t concurrency = pool_.capacity(options_.per_trial);
  if (options_.max_concurrent > 0) concurrency = std::min(concurrency, options_.max_concurrent);
  if (result.elapsed > 0 && concurrency > 0) {
    result.utilisation = busy_slot_seconds_ / (static_cast<double>(concurrency) * result.elapsed);
  }
  result.num_results = num_results_;
  result.end_reason = end_reason_;
  return result;
}

}  // namespace tuneq
