// Schedulers decide when a trial continues, pauses or stops, and, when a slot frees, whether to
// start a new trial or resume a paused one. They never touch executors, stores or clocks: a
// scheduler is a deterministic function of the calls it has received (replayable on resume,
// reusable unchanged by the simulator). Not thread-safe: the tuner loop is the only caller.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/result.hpp"
#include "tuneq/space.hpp"
#include "tuneq/value.hpp"

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

// A scheduler's request to restart a paused trial from another trial's state (population-based
// training's exploit step): the loop restarts the trial from a copy of `source`'s latest
// checkpoint (saved at resource value `resource`), with `config`.
struct Exploit {
  TrialId source = 0;
  double resource = 0;  // the resource value of source's checkpoint that is cloned
  Config config;        // the trial's config from now on

  friend bool operator==(const Exploit&, const Exploit&) = default;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  virtual std::string name() const = 0;

  // A new trial exists with this config (as suggested). Called once per trial, in id order.
  virtual void on_trial_added(TrialId id, const Config& config) { (void)id, (void)config; }

  // A result of `id` came with a checkpoint saved at this resource value (the loop calls it
  // after the result event and before on_result). Only trials with a checkpoint may be clone
  // sources of an Exploit.
  virtual void on_checkpoint(TrialId id, double resource) { (void)id, (void)resource; }

  // A result of a running trial. The answer applies to this trial only.
  virtual Decision on_result(TrialId id, const Result& result, const LoopState& loop) = 0;

  // The trial will never run again (completed, stopped or failed).
  virtual void on_trial_finished(TrialId id, TrialEnd how) { (void)id, (void)how; }

  // A slot is free. kResume commits: the loop resumes that paused trial. The default starts a
  // new trial when the loop can, else waits.
  virtual SlotChoice on_free_slot(const LoopState& loop) {
    return loop.can_start_new ? SlotChoice::StartNew() : SlotChoice::Wait();
  }

  // Called by the loop right after on_free_slot chose Resume(id), before it relaunches the
  // trial. An Exploit means: restart `id` from a copy of `source`'s latest checkpoint, with
  // `config`. The scheduler forgets it once returned (the loop logs it and carries it out).
  virtual std::optional<Exploit> take_exploit(TrialId id) {
    (void)id;
    return std::nullopt;
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

// How population-based training changes one hyperparameter when it explores. Exactly one of
// the two forms: a domain, or a list of values.
struct Mutation {
  // Continuous or integer domain: resample from it with resample_probability, else multiply the
  // value by one of perturbation_factors; an int stays an int (rounded), and the result is
  // clamped into the domain's bounds (randn has none). A choice or grid domain is treated like
  // the list of its values.
  std::optional<Domain> domain;
  // List: move to a neighbour (index -1 or +1, clamped at the ends), or resample uniformly from
  // the list with resample_probability or when the current value is not in it.
  std::vector<Value> values;

  static Mutation Resample(Domain d) { return {std::move(d), {}}; }
  static Mutation List(std::vector<Value> v) { return {std::nullopt, std::move(v)}; }
};

// Population-based training (Jaderberg et al. 2017) with Ray Tune's parameters and semantics;
// docs/schedulers/pbt.md says where and why tuneq differs.
struct PbtOptions {
  Mode mode = Mode::kMin;
  double perturbation_interval = 60;   // resource between two exploit/explore steps of a trial
  double burn_in_period = 0;           // no exploit/explore before this resource value
  double quantile_fraction = 0.25;     // bottom/top k = ceil(N * q), at most floor(N / 2); (0, 0.5]
  double resample_probability = 0.25;  // explore: resample instead of perturbing
  std::vector<double> perturbation_factors = {1.2, 0.8};  // explore: multiply by one of these
  std::map<std::string, Mutation> hyperparam_mutations;   // at least one; every name in the config
  bool synch = false;      // true: rank the population only when every trial reached the boundary
  std::uint64_t seed = 0;  // the explore and clone-source draws
};
// Population-based training. Trials are paused at perturbation boundaries; a bottom-quantile
// trial is restarted (Scheduler::take_exploit) from a top-quantile trial's checkpoint with an
// explored config. Needs a fixed population (the searcher or the trial budget must end).
std::unique_ptr<Scheduler> make_pbt(const PbtOptions& options);

}  // namespace tuneq
