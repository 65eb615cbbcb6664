// Synchronous Hyperband (Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
// Optimization", JMLR 2018, Algorithm 1). See docs/schedulers/hyperband.md.
//
// The plan (hyperband_plan) lists brackets s = s_max..0. They run one after another, and after
// bracket 0 the loop starts over at s_max (another Hyperband iteration) for as long as the tuner
// keeps starting trials. Exactly one bracket is active at a time:
//
// - A free slot resumes a promoted trial of the active bracket (best first), else starts a new
//   trial while the bracket has fewer than n trials, else, when every trial of the bracket has
//   ended (or been marked a loser), moves to the next bracket; otherwise it waits. Waiting is the
//   synchronisation: workers idle at a rung boundary until the whole rung has reported.
// - A trial in rung i of bracket s runs until its resource reaches r_i. There it is paused and
//   its value recorded. Once every member of the rung still alive has recorded (and rung 0 has
//   all n trials, or on_no_more_trials was called) the rung is ranked once: the best
//   quota_{i+1} = floor(quota_i / eta) trials are promoted to rung i+1 (quota_0 = n, or the
//   number of trials the bracket got when the experiment ran out of new trials), the others are
//   losers. NaN ranks last; ties go to the earlier trial.
// - The trial whose report completes a rung learns its fate at once: Continue if promoted (it
//   runs on to r_{i+1} without a pause/resume round trip), Stop if not. Losers that are already
//   paused are handed to the loop by take_trials_to_stop(), which ends them as stopped.
// - At the last rung (r_s == max_t) a trial is stopped as completed.
// - A trial that ends early (failed, stopped by the loop) stops counting in its rung, so it can
//   never block the rung.
//
// Cost: O(1) per report and per slot; ranking a rung of m trials is one O(m log m) sort,
// amortised over its m reports. Per-trial state lives in a vector indexed by TrialId.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tuneq/error.hpp"
#include "tuneq/plan.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

enum class Phase : std::uint8_t {
  kUnknown,   // never added
  kRunning,   // running towards its rung's resource
  kWaiting,   // paused at its rung, recorded, the rung not yet ranked
  kPromoted,  // paused, promoted to the next rung, waiting for a slot
  kLoser,     // paused, not promoted; will never run again
  kEnded,     // finished, or told to stop
};

struct TrialState {
  std::uint64_t bracket = 0;  // serial number of the bracket the trial joined
  std::uint32_t rung = 0;     // the rung it runs towards or waits at (promoted: the next one)
  Phase phase = Phase::kUnknown;
};

struct Entry {
  double value = 0;
  TrialId id = 0;
};

struct Rung {
  double resource = 0;
  std::uint64_t quota = 0;    // trials this rung may receive (rung 0: the bracket's n)
  std::uint64_t members = 0;  // trials that entered it (rung 0: added; rung i: promoted)
  std::uint64_t dropped = 0;  // members that ended before recording here
  std::uint64_t promoted = 0;
  std::uint64_t ranked = 0;  // recorded members still alive when the rung was ranked
  bool open = false;         // membership is final
  bool complete = false;     // ranked (last rung: every member arrived or ended)
  std::vector<Entry> recorded;
};

int checked_eta(double reduction_factor) {
  if (!(reduction_factor >= 2) || reduction_factor > 1e9 ||
      reduction_factor != std::floor(reduction_factor)) {
    throw Error::InvalidArgument(fmt::format(
        "hyperband: reduction_factor must be an integer >= 2, got {}", reduction_factor));
  }
  return static_cast<int>(reduction_factor);
}

class Hyperband final : public Scheduler {
 public:
  explicit Hyperband(const HyperbandOptions& options)
      : mode_(options.mode),
        eta_(checked_eta(options.reduction_factor)),
        max_t_(options.max_t),
        plan_(hyperband_plan(options.max_t, eta_)),
        rungs_(plan_.front().rungs.size()) {
    start_bracket(0);
  }

  std::string name() const override { return "hyperband"; }

  void on_trial_added(TrialId id, const Config& /*config*/) override {
    if (id >= trials_.size()) trials_.resize(id + 1);
    if (trials_[id].phase != Phase::kUnknown) {
      throw Error::FailedPrecondition(fmt::format("hyperband: trial {} added twice", id));
    }
    if (bracket_full() && bracket_done()) next_bracket();
    if (rungs_[0].complete) {
      throw Error::FailedPrecondition(fmt::format(
          "hyperband: trial {} added after rung 0 of bracket {} was ranked; add trials only "
          "after on_free_slot answers StartNew",
          id, bracket_s()));
    }
    trials_[id] = TrialState{serial_, 0, Phase::kRunning};
    ++added_;
    ++unsettled_;
    ++rungs_[0].members;
    if (!rungs_[0].open && bracket_full()) open_first_rung();
  }

  Decision on_result(TrialId id, const Result& result, const LoopState& loop) override {
    (void)loop;
    if (id >= trials_.size() || trials_[id].phase == Phase::kUnknown) {
      throw Error::FailedPrecondition(fmt::format("hyperband: result for unknown trial {}", id));
    }
    TrialState& trial = trials_[id];
    switch (trial.phase) {
      case Phase::kWaiting:  // a late result while paused: it stays paused
        return pause_decision(trial.rung);
      case Phase::kLoser:
        trial.phase = Phase::kEnded;
        return loser_decision(trial.rung);
      case Phase::kEnded:
        return Decision::Stop("trial is no longer scheduled by hyperband");
      case Phase::kPromoted:  // resumed without asking on_free_slot: it is running now
        trial.phase = Phase::kRunning;
        break;
      case Phase::kRunning:
      case Phase::kUnknown:
        break;
    }
    const std::uint32_t i = trial.rung;
    Rung& rung = rungs_[i];
    // Reached within a relative 1e-12 (as ASHA): R / eta^k is rarely exact, so a report of 1.2
    // reaches the milestone 10.8 / 9 = 1.2000000000000002.
    if (std::isnan(result.resource) || result.resource < rung.resource * (1 - 1e-12)) {
      return Decision::Continue();
    }

    rung.recorded.push_back(Entry{result.value, id});
    if (static_cast<int>(i) == bracket_s()) {  // last rung: r_s == max_t
      trial.phase = Phase::kEnded;
      --unsettled_;
      try_complete(i);
      return Decision::Complete("reached max_t {}", {max_t_});
    }
    trial.phase = Phase::kWaiting;
    try_complete(i);
    switch (trial.phase) {
      case Phase::kPromoted:  // this report completed the rung: go on without pausing
        trial.phase = Phase::kRunning;
        return Decision::Continue(
            "promoted at rung {} ({}) of bracket {}, one of the top {}",
            {double(i), rung.resource, double(bracket_s()), double(rung.promoted)});
      case Phase::kLoser:
        trial.phase = Phase::kEnded;
        return loser_decision(i);
      default:
        return pause_decision(i);
    }
  }

  void on_trial_finished(TrialId id, TrialEnd how) override {
    (void)how;
    if (id >= trials_.size()) return;
    TrialState& trial = trials_[id];
    const Phase was = trial.phase;
    if (was == Phase::kUnknown || was == Phase::kEnded) return;
    trial.phase = Phase::kEnded;
    if (was == Phase::kLoser || trial.bracket != serial_) return;  // already settled
    --unsettled_;
    // A running or promoted member has not recorded at its rung: it no longer counts there.
    // A waiting one has recorded; ranking skips it.
    if (was != Phase::kWaiting) ++rungs_[trial.rung].dropped;
    try_complete(trial.rung);
  }

  SlotChoice on_free_slot(const LoopState& loop) override {
    for (int attempt = 0; attempt < 2; ++attempt) {
      while (resume_next_ < resume_queue_.size()) {
        const TrialId id = resume_queue_[resume_next_++];
        if (trials_[id].phase == Phase::kPromoted) {
          trials_[id].phase = Phase::kRunning;
          return SlotChoice::Resume(id);
        }
      }
      if (!no_more_trials_ && !bracket_full() && loop.can_start_new) return SlotChoice::StartNew();
      if (no_more_trials_ || !bracket_done()) return SlotChoice::Wait();
      next_bracket();
    }
    return SlotChoice::Wait();
  }

  void on_no_more_trials() override {
    no_more_trials_ = true;
    if (!rungs_[0].open) open_first_rung();
  }

  std::vector<TrialId> take_trials_to_stop() override {
    std::vector<TrialId> out;
    for (TrialId id : to_stop_) {
      if (trials_[id].phase == Phase::kLoser) out.push_back(id);
    }
    to_stop_.clear();
    return out;
  }

  std::vector<RungView> rungs() const override {
    std::vector<RungView> views;
    const auto s = static_cast<std::uint32_t>(bracket_s());
    for (std::uint32_t i = 0; i <= s; ++i) {
      const Rung& rung = rungs_[i];
      RungView view{bracket_s(), rung.resource, rung.recorded.size(), rung.promoted, 0};
      for (const Entry& e : rung.recorded) {
        const TrialState& t = trials_[e.id];
        const bool here = t.bracket == serial_ && t.rung == i &&
                          (t.phase == Phase::kWaiting || t.phase == Phase::kLoser);
        const bool promoted_here = t.phase == Phase::kPromoted && t.rung == i + 1;
        if (here || promoted_here) ++view.paused;
      }
      views.push_back(view);
    }
    return views;
  }

 private:
  const BracketPlan& bracket() const { return plan_[plan_index_]; }
  int bracket_s() const { return bracket().s; }
  std::uint64_t bracket_n() const { return bracket().rungs.front().trials; }
  bool bracket_full() const { return added_ >= bracket_n(); }
  // Every trial of the bracket has ended or lost, and no more will join it.
  bool bracket_done() const { return (bracket_full() || no_more_trials_) && unsettled_ == 0; }

  void start_bracket(std::size_t plan_index) {
    plan_index_ = plan_index;
    ++serial_;
    added_ = 0;
    unsettled_ = 0;
    const auto& planned = bracket().rungs;
    for (std::size_t i = 0; i < rungs_.size(); ++i) {
      Rung& rung = rungs_[i];
      rung.recorded.clear();  // keeps its capacity for the next bracket
      rung.resource = i < planned.size() ? planned[i].resource : 0;
      rung.quota = i < planned.size() ? planned[i].trials : 0;
      rung.members = rung.dropped = rung.promoted = rung.ranked = 0;
      rung.open = rung.complete = false;
    }
    resume_queue_.clear();
    resume_next_ = 0;
  }

  void next_bracket() { start_bracket((plan_index_ + 1) % plan_.size()); }

  // Rung 0's membership is final: the bracket is full, or no more trials will come. A bracket
  // cut short by the end of new trials promotes from what it has: quota_0 = trials added.
  void open_first_rung() {
    Rung& first = rungs_[0];
    first.open = true;
    first.quota = std::min(first.quota, added_);
    for (int i = 1; i <= bracket_s(); ++i) {
      rungs_[i].quota = rungs_[i - 1].quota / static_cast<std::uint64_t>(eta_);
    }
    try_complete(0);
  }

  // Ranks rung i once all its members have recorded or ended, promotes the best, and opens the
  // next rung (which may complete at once when nobody was promoted).
  void try_complete(std::uint32_t i) {
    while (true) {
      Rung& rung = rungs_[i];
      if (!rung.open || rung.complete || rung.recorded.size() + rung.dropped < rung.members) return;
      rung.complete = true;
      if (static_cast<int>(i) == bracket_s()) return;  // last rung: nothing to rank
      rank_and_promote(i);
      ++i;
    }
  }

  void rank_and_promote(std::uint32_t i) {
    Rung& rung = rungs_[i];
    auto alive_end =
        std::partition(rung.recorded.begin(), rung.recorded.end(),
                       [&](const Entry& e) { return trials_[e.id].phase == Phase::kWaiting; });
    const Mode mode = mode_;
    std::sort(rung.recorded.begin(), alive_end, [mode](const Entry& a, const Entry& b) {
      if (better(mode, a.value, b.value)) return true;
      if (better(mode, b.value, a.value)) return false;
      return a.id < b.id;  // equal values (or both NaN): the earlier trial first
    });
    Rung& next = rungs_[i + 1];
    rung.ranked = static_cast<std::uint64_t>(alive_end - rung.recorded.begin());
    rung.promoted = std::min(next.quota, rung.ranked);
    for (std::uint64_t k = 0; k < rung.ranked; ++k) {
      TrialState& t = trials_[rung.recorded[k].id];
      if (k < rung.promoted) {
        t.phase = Phase::kPromoted;
        t.rung = i + 1;
        resume_queue_.push_back(rung.recorded[k].id);
      } else {
        t.phase = Phase::kLoser;
        --unsettled_;
        to_stop_.push_back(rung.recorded[k].id);
      }
    }
    next.members = rung.promoted;
    next.open = true;
  }

  Decision pause_decision(std::uint32_t i) const {
    const Rung& rung = rungs_[i];
    const std::uint64_t expected = rung.open ? rung.members : std::max(rung.members, rung.quota);
    const std::uint64_t have = rung.recorded.size() + rung.dropped;
    const std::uint64_t missing = expected > have ? expected - have : 0;
    return Decision::Pause("paused at rung {} ({}) of bracket {}, waiting for {} more",
                           {double(i), rung.resource, double(bracket_s()), double(missing)});
  }

  Decision loser_decision(std::uint32_t i) const {
    const Rung& rung = rungs_[i];
    return Decision::Stop("not promoted at rung {} ({}) of bracket {}: only the top {} go on",
                          {double(i), rung.resource, double(bracket_s()), double(rung.promoted)});
  }

  const Mode mode_;
  const int eta_;
  const double max_t_;
  const std::vector<BracketPlan> plan_;
  std::size_t plan_index_ = 0;
  std::uint64_t serial_ = 0;
  std::uint64_t added_ = 0;      // trials that joined the active bracket
  std::uint64_t unsettled_ = 0;  // of those, neither ended nor losers
  bool no_more_trials_ = false;
  std::vector<Rung> rungs_;            // s_max + 1 slots, reused by every bracket
  std::vector<TrialId> resume_queue_;  // promoted trials of the active bracket, best first
  std::size_t resume_next_ = 0;
  std::vector<TrialId> to_stop_;  // paused losers not yet handed to the loop
  std::vector<TrialState> trials_;
};

}  // namespace

std::unique_ptr<Scheduler> make_hyperband(const HyperbandOptions& options) {
  return std::make_unique<Hyperband>(options);
}

}  // namespace tuneq
