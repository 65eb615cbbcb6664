// Tuner::Loop: the single-threaded event loop behind tuneq::Tuner. The semantics are written
// down at the top of tuner_loop.cpp.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "run/budget.hpp"
#include "run/checkpoint_store.hpp"
#include "run/event_builder.hpp"
#include "run/resource_pool.hpp"
#include "run/trial_table.hpp"
#include "tuneq/clock.hpp"
#include "tuneq/event.hpp"
#include "tuneq/executor.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq {
namespace detail {

// Events behind "continue" replies are committed in groups: once the oldest of them is this many
// clock seconds old (checked at each reply and each wake-up of the loop, at least every 0.5 s).
inline constexpr double kGroupCommitSeconds = 0.25;

// The loop's clock: the injected one, shifted so that a resumed experiment's time continues
// from its log's last event instead of starting again at zero.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(const Clock& base) : base_(base) {}
  double now() const override { return base_.now() + offset_; }
  void set_offset(double offset) { offset_ = offset; }
  const Clock& base() const { return base_; }

 private:
  const Clock& base_;
  double offset_ = 0;
};

}  // namespace detail

class Tuner::Loop {
 public:
  // Borrows executor, clock and sink (nullable). Options are checked by run().
  Loop(TunerOptions options, std::unique_ptr<Searcher> searcher,
       std::unique_ptr<Scheduler> scheduler, Executor& executor, const Clock& clock,
       EventSink* sink);

  // Runs the experiment to its end. Throws Error::InvalidArgument for unusable options and
  // Error::FailedPrecondition when called twice or when a scheduler or executor breaks its
  // contract (resuming a trial that is not paused, an event for an unknown trial).
  TuneResult run();
  // Replays `history` (see Tuner::resume), then runs like run().
  TuneResult resume(const std::vector<Event>& history);

  void set_observer(ProgressObserver* observer, double interval) {
    observer_ = observer;
    progress_interval_ = interval;
  }
  void request_stop(std::string reason) { end(std::move(reason)); }
  void interrupt(std::string reason) {
    interrupted_ = true;
    end(std::move(reason));
  }

 private:
  void validate() const;
  void begin();            // validation and the budget rules (once, by run or resume)
  TuneResult main_loop();  // steps 1 to 5 until the end

  // Resume (tuner_loop_resume.cpp): rebuilds trials and counters from the log while a Replayer
  // rebuilds the searcher and scheduler, then restarts what was running.
  void replay(const std::vector<Event>& history);
  TuneResult run_fresh_after_begin();
  void restart_interrupted();

  // Progress for the observer, at most every progress_interval_ seconds (and at the end).
  void report_progress(bool final);

  // Step 1: asks the scheduler (and through it the searcher) what to run on free slots.
  void fill_slots();
  bool slot_free() const;
  bool can_start_new() const;
  LoopState loop_state() const;
  void start_new_trial(Config config);
  void resume(TrialId id, const LoopState& loop);
  void relaunch(detail::LiveTrial& trial);  // a paused trial, from its latest checkpoint
  Allocation take_slot();
  void launch(detail::LiveTrial& trial, Allocation allocation,
              const std::optional<std::string>& restore);
  void notify_no_more_trials(const char* reason);
  // An exploit chosen by the scheduler for a trial it resumes: logged (kExploit) and applied.
  void exploit(detail::LiveTrial& trial, const Exploit& exploit);
  // Makes `checkpoint` (of `source`) the trial's restore point with the new config.
  void apply_exploit(detail::LiveTrial& trial, const Exploit& exploit,
                     const std::string& checkpoint);
  // A trial's restore point changed: retention bookkeeping, and discards carried out.
  void restore_point(detail::LiveTrial& trial, TrialId owner);
  void discard_checkpoints();

  // Steps 3 and 4: what an executor event does.
  void handle(ExecutorEvent& event);
  void on_result(detail::LiveTrial& trial, ExecutorEvent& event);
  void on_exited(detail::LiveTrial& trial, const ExecutorEvent& event);
  void on_failure(detail::LiveTrial& trial, const ExecutorEvent& event);
  void finish(detail::LiveTrial& trial, TrialStatus status);
  // Ends what scheduler.take_trials_to_stop() named (see tuner_loop.cpp, step 4).
  void end_trials_to_stop(const std::vector<TrialId>& ids);

  // Step 5: the end.
  void end(std::string reason);
  std::string idle_end_reason() const;
  double wait_deadline() const;
  std::optional<ExecutorEvent> next_event();
  void shut_down();
  // The result, with the trial records moved out of the table: the last thing the loop does.
  TuneResult take_result();

  TunerOptions options_;
  std::unique_ptr<Searcher> searcher_;
  std::unique_ptr<Scheduler> scheduler_;
  Executor& executor_;
  detail::OffsetClock clock_;
  bool virtual_clock_;  // a ManualClock: only the executor moves time, deadlines may be +inf
  detail::EventBuilder events_;
  detail::ResourceAllocator pool_;
  std::optional<detail::BudgetRules> rules_;  // set by run()
  detail::TrialTable trials_;
  detail::CheckpointRetention retention_;

  bool has_run_ = false;
  bool searcher_done_ = false;
  bool no_more_trials_notified_ = false;
  bool ended_ = false;
  std::string end_reason_;
  bool has_resource_attr_;
  std::size_t running_ = 0;  // trials holding a slot
  std::size_t paused_ = 0;   // trials with status kPaused
  std::size_t num_results_ = 0;
  double total_resource_ = 0;  // sum over trials of their largest resource
  double busy_slot_seconds_ = 0;
  double start_time_ = 0;
  std::optional<TrialId> best_trial_;
  double best_value_;

  bool interrupted_ = false;  // shut down leaving running trials unfinished (resumable)
  ProgressObserver* observer_ = nullptr;
  double progress_interval_ = 1;
  double last_progress_ = -std::numeric_limits<double>::infinity();
};

}  // namespace tuneq
