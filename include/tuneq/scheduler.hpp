// Schedulers decide when a trial continues, pauses or stops, and, when a slot frees, whether to
// start a new trial or resume a paused one. They never touch executors, stores or clocks: a
// scheduler is a deterministic function of the calls it has received (replayable on resume,
// reusable unchanged by the simulator). Not thread-safe: the tuner loop is the only caller.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tuneq/result.hpp"

namespace tuneq {

// What the loop tells a scheduler about the world outside it, when it must decide.
struct LoopState {
  bool can_start_new = true;  // the searcher and the budget allow starting another trial
  std::size_t waiting = 0;    // trials that could use a slot now (pending new + resumable paused)
};

// The answer to "a slot is free: what should run on it?".
struct SlotChoice {
  enum class Kind : std::uint8_t { kStartNew, kResume, kWait };
  Kind kind = Kind::kStartNew;
  TrialId trial = 0;  // for kResume

  static SlotChoice StartNew() { return {Kind::kStartNew, 0}; }
  static SlotChoice Resume(TrialId id) { return {Kind::kResume, id}; }
  static SlotChoice Wait() { return {Kind::kWait, 0}; }
};

// Occupancy of one rung, for the progress table and `tuneq status`.
struct RungView {
  int bracket = 0;
  double resource = 0;       // the rung's milestone
  std::size_t recorded = 0;  // results recorded at this rung
  std::size_t promoted = 0;  // trials that went on past it (promotion variants)
  std::size_t paused = 0;    // trials waiting at it
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  virtual std::string name() const = 0;

  // A new trial exists (its config was suggested). Called once per trial, in id order.
  virtual void on_trial_added(TrialId id) { (void)id; }

  // A result of a running trial. The answer applies to this trial only.
  virtual Decision on_result(TrialId id, const Result& result, const LoopState& loop) = 0;

  // The trial will never run again (completed, stopped or failed).
  virtual void on_trial_finished(TrialId id, TrialEnd how) { (void)id, (void)how; }

  // A slot is free. kResume commits: the loop resumes that paused trial. The default starts a
  // new trial when the loop can, else waits.
  virtual SlotChoice on_free_slot(const LoopState& loop) {
    return loop.can_start_new ? SlotChoice::StartNew() : SlotChoice::Wait();
  }

  // No new trial will ever be added (searcher exhausted or trial budget spent). Schedulers that
  // wait for a full rung (synchronous Hyperband) close their brackets with what they have.
  virtual void on_no_more_trials() {}

  // Paused trials the scheduler has decided will never run again (e.g. the losers of a completed
  // synchronous rung); the loop ends them as stopped. Drained by the call.
  virtual std::vector<TrialId> take_trials_to_stop() { return {}; }

  virtual std::vector<RungView> rungs() const { return {}; }
};

// ---- The schedulers tuneq ships. Each option struct documents its fields and defaults. ----

// First in, first out: every trial runs to its end.
std::unique_ptr<Scheduler> make_fifo_scheduler();

struct AshaOptions {
  Mode mode = Mode::kMin;
  double max_t = 100;            // a trial reaching this resource value is stopped as completed
  double grace_period = 1;       // the first rung; no trial is stopped before it
  double reduction_factor = 4;   // eta: rungs at grace_period * eta^k; keep the top 1/eta
  int brackets = 1;              // > 1: asynchronous Hyperband (bracket s starts at grace * eta^s)
  bool stop_last_trials = true;  // stopping variant: stop trials at max_t (false: let them run on)
};
// ASHA, stopping variant (Ray Tune's AsyncHyperBandScheduler).
std::unique_ptr<Scheduler> make_asha_stopping(const AshaOptions& options);
// ASHA, promotion variant (Li et al., "A System for Massively Parallel Hyperparameter Tuning").
std::unique_ptr<Scheduler> make_asha_promotion(const AshaOptions& options);

struct HyperbandOptions {
  Mode mode = Mode::kMin;
  double max_t = 81;            // R: the most resource one trial may use
  double reduction_factor = 3;  // eta, an integer >= 2
};
// Synchronous Hyperband (Li et al., JMLR 2018): brackets s = s_max..0 run one after another.
std::unique_ptr<Scheduler> make_hyperband(const HyperbandOptions& options);

struct MedianStoppingOptions {
  Mode mode = Mode::kMin;
  double grace_period = 60;              // no decision before this resource value
  std::size_t min_samples_required = 3;  // other trials needed to take a median
  double min_time_slice = 0;             // with too few samples: yield (pause) at most this often
  bool hard_stop = true;  // false: pause instead of stop, resumed when nothing else waits
};
// Median stopping rule (Golovin et al., Vizier), with Ray Tune's semantics.
std::unique_ptr<Scheduler> make_median_stopping(const MedianStoppingOptions& options);

}  // namespace tuneq
