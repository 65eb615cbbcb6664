// Tuner::Loop: the single-threaded event loop behind tuneq::Tuner. The semantics are written
// down at the top of tuner_loop.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "run/budget.hpp"
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

 private:
  void validate() const;

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
  TuneResult make_result() const;

  TunerOptions options_;
  std::unique_ptr<Searcher> searcher_;
  std::unique_ptr<Scheduler> scheduler_;
  Executor& executor_;
  const Clock& clock_;
  bool virtual_clock_;  // a ManualClock: only the executor moves time, deadlines may be +inf
  detail::EventBuilder events_;
  detail::ResourceAllocator pool_;
  std::optional<detail::BudgetRules> rules_;  // set by run()
  detail::TrialTable trials_;

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
};

}  // namespace tuneq
