// Replay: re-drives a fresh searcher and scheduler through the calls an experiment's event log
// records, in the order the tuner loop made them, so that they end in the state they had when
// the log was written. Decision logic is deterministic, so this rebuilds ASHA rungs, Hyperband
// brackets and median levels exactly, with no snapshot of their internals (DESIGN: "the event
// log is the truth"). Used by `tuneq resume` (through the tuner loop) and by `tuneq status` (to
// show rung occupancy).
//
// The loop's call order, which apply() mirrors event by event:
//   trial_added  <- scheduler.on_free_slot() answered StartNew, searcher.suggest(id) gave the
//                   config, scheduler.on_trial_added(id, config)
//   resumed      <- scheduler.on_free_slot() answered Resume(id), scheduler.take_exploit(id)
//   exploit      <- (the Exploit take_exploit returned, checked against the log)
//   checkpoint   <- scheduler.on_checkpoint(id, resource)
//   result       <- (held until its decision)
//   decision     <- scheduler.on_result(id, result, loop), searcher.on_result(id, result)
//   finished     <- scheduler/searcher.on_trial_finished(id, completed | stopped)
//   failed       <- with "final": on_trial_finished(id, failed)
//   no_more_trials <- scheduler.on_no_more_trials()
// After each on_free_slot and on_result, take_trials_to_stop() is drained: the log's finished
// events carry what the loop did with those trials, and owed_stops() lists those whose end the
// log does not have yet.
//
// Thread safety: none. Pure: no clock, no I/O.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tuneq/event.hpp"
#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"

namespace tuneq::detail {

class Replayer {
 public:
  // Borrows both; searcher may be null (then suggestions are not re-drawn or checked).
  // `metric` and `resource_attr` are the experiment's, as the loop used them.
  Replayer(Searcher* searcher, Scheduler& scheduler, std::string metric, std::string resource_attr);

  // Applies one event. Throws Error::Corruption naming the seq when the log and the decision
  // logic disagree (a different config, decision or resume choice: the spec, the seed or the
  // tuneq version changed), or when the payload is malformed.
  void apply(const Event& event);

  // A result whose decision was never logged (the tuner died between the two), if any: its
  // trial, resource and metrics. The loop decides it anew after replay.
  struct PendingResult {
    TrialId trial = 0;
    Result result;
    std::uint64_t seq = 0;
  };
  const std::optional<PendingResult>& pending_result() const { return pending_; }

  // Trials the scheduler handed out through take_trials_to_stop whose end the log does not
  // record yet (the tuner died between the two): the loop ends them after replay.
  std::vector<TrialId> owed_stops() const { return {owed_.begin(), owed_.end()}; }

  // An exploit the scheduler chose with the log's last kResumed whose kExploit the log does not
  // have (the tuner died between the two): the loop logs and carries it out after replay.
  struct PendingExploit {
    TrialId trial = 0;
    Exploit exploit;
  };
  const std::optional<PendingExploit>& pending_exploit() const { return exploit_; }

 private:
  void take_trials_to_stop();

  void expect_slot_choice(const Event& e, SlotChoice::Kind kind, LoopState loop);

  Searcher* searcher_;
  Scheduler& scheduler_;
  std::string metric_;
  std::string resource_attr_;
  std::optional<PendingResult> pending_;
  std::optional<PendingExploit> exploit_;
  std::set<TrialId> owed_;
};

// Reads the loop state a decision or resumed event recorded ({"loop": {"can_start_new": b,
// "waiting": n}}); logs without it give {can_start_new: true, waiting: 0}.
LoopState loop_state_of(const std::string& data);

}  // namespace tuneq::detail
