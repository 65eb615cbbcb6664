// ASHA, stopping variant: Ray Tune's AsyncHyperBandScheduler semantics.
//
// Rungs and brackets: see asha_bracket.hpp (bracket s has rungs at grace_period * eta^(k+s) <=
// max_t; trial i goes to bracket i mod brackets). On a result with resource t and value v:
// 1. t reaches max_t (t >= max_t (1 - 1e-12), the tolerance rungs use too) and
//    stop_last_trials: Stop, completed ("reached max_t {}"). With
//    stop_last_trials = false the trial runs on and rungs are consulted as below (a rung at
//    max_t then judges it).
// 2. Else the HIGHEST rung of the trial's bracket with milestone <= t is the only one looked at.
//    If the trial already has a value recorded there, or at a higher rung, the decision was made
//    before: Continue. Otherwise cutoff = the (1 - 1/eta) quantile (numpy.percentile, linear
//    interpolation) of the scores already recorded at that rung; none recorded: Continue ("first
//    at rung {} ({})"); score(v) < cutoff: Stop ("below rung {} cutoff {} (top 1/{} of {})");
//    else Continue ("passed rung {} cutoff {} (top 1/{} of {})"). The score is recorded at the
//    rung either way. Cutoffs in reasons are in the metric's units; n counts the scores the
//    cutoff was taken over. Unlike Ray, a trial that jumps over rungs is never judged later at a
//    lower rung it skipped (Ray does that unless stop_last_trials is false).
// 3. v NaN at a newly reached rung: Stop ("metric is NaN at rung {} ({})"); NOT recorded, so it
//    does not move other trials' cutoffs (like numpy.nanpercentile). +-inf are ordinary values.
// The cutoff comes from a detail::RunningQuantile per rung (two heaps split at the quantile,
// equal to OrderStats::quantile): cost per report O(1) between rungs, and at a rung O(1) to read
// the cutoff plus one heap insert (O(log n) worst case, O(1) on average). Pure: no clock, no I/O.
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "schedule/asha_bracket.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

class AshaStopping final : public Scheduler {
 public:
  explicit AshaStopping(const AshaOptions& options) : options_(options), ladder_(options) {}

  std::string name() const override { return "asha_stopping"; }

  void on_trial_added(TrialId id, const Config& /*config*/) override { track(id); }

  Decision on_result(TrialId id, const Result& result, const LoopState& /*loop*/) override {
    track(id);
    if (options_.stop_last_trials && result.resource >= ladder_.max_reach()) {
      return Decision::Complete("reached max_t {}", {options_.max_t});
    }
    const int bracket = ladder_.bracket_of(id);
    std::int16_t& highest = highest_judged_[id];
    const int k = ladder_.newly_reached(bracket, highest, result.resource);
    if (k < 0) return Decision::Continue();
    highest = static_cast<std::int16_t>(k);

    detail::AshaRung& rung = ladder_.rungs(bracket)[static_cast<std::size_t>(k)];
    const double rung_index = k;
    if (std::isnan(result.value)) {
      return Decision::Stop("metric is NaN at rung {} ({})", {rung_index, rung.milestone});
    }
    const double score = tuneq::score(options_.mode, result.value);
    ++rung.recorded;
    if (rung.cutoff.empty()) {
      rung.cutoff.insert(score);
      ++rung.promoted;
      return Decision::Continue("first at rung {} ({})", {rung_index, rung.milestone});
    }
    const double cutoff = rung.cutoff.quantile();  // q = 1 - 1/eta
    const auto n = static_cast<double>(rung.cutoff.size());
    rung.cutoff.insert(score);
    const std::array<double, 4> args = {rung_index, detail::metric_of(options_.mode, cutoff),
                                        options_.reduction_factor, n};
    if (score < cutoff) return Decision::Stop("below rung {} cutoff {} (top 1/{} of {})", args);
    ++rung.promoted;
    return Decision::Continue("passed rung {} cutoff {} (top 1/{} of {})", args);
  }

  std::vector<RungView> rungs() const override { return ladder_.views(); }

 private:
  // Ids are dense in add order, so per-trial state lives in a vector indexed by id; it grows
  // only when a new id appears.
  void track(TrialId id) {
    if (id >= highest_judged_.size()) highest_judged_.resize(id + 1, -1);
  }

  AshaOptions options_;
  detail::AshaLadder ladder_;
  std::vector<std::int16_t> highest_judged_;  // per trial: highest rung index judged, or -1
};

}  // namespace

std::unique_ptr<Scheduler> make_asha_stopping(const AshaOptions& options) {
  detail::validate_asha_options(options.max_t, options.grace_period, options.reduction_factor,
                                options.brackets);
  return std::make_unique<AshaStopping>(options);
}

}  // namespace tuneq
