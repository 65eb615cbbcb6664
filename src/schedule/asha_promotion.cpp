// ASHA, promotion variant (Li et al., "A System for Massively Parallel Hyperparameter Tuning",
// MLSys 2020, Algorithm 2).
//
// Rungs and brackets: see asha_bracket.hpp (bracket s has rungs at grace_period * eta^(k+s) <=
// max_t; trial i goes to bracket i mod brackets). On a result with resource t and value v of a
// running trial:
// - t reaches max_t (t >= max_t (1 - 1e-12), the tolerance rungs use too): Stop, completed
//   ("reached max_t {}"), recorded first at the highest rung newly reached, if any, so rung counts
//   include finishers. stop_last_trials is ignored.
// - t reaches a rung above the trial's last one (only the highest such rung counts; a rung is
//   recorded only the first time a trial reaches it): score(v) is recorded there and the trial
//   pauses: Pause ("paused at rung {} ({}), in the top 1/{} of {}" or "... not in the top ...",
//   for the trial's place among the n recorded at that moment).
//   v NaN: recorded as worst (score -inf, counts in n) and Stop ("metric is NaN at rung {} ({})"),
//   since it could never be promoted.
// - otherwise Continue.
// on_free_slot: rungs below max_t are visited highest milestone first (ties: higher rung index,
// then lower bracket). In a rung with n recorded scores the candidate is its best paused,
// not-yet-promoted trial; it is promoted iff (a) its rank among all n (0 = best) is < floor(n/eta)
// and (b) fewer than floor(n/eta) trials were promoted from the rung so far. Guard (b) is stricter
// than the paper: there the promotable set is "top floor(n/eta) minus already promoted", and as a
// rung grows an early promotee can drop out of the top while newcomers enter it, so promotions
// could exceed floor(n/eta); (b) keeps "promoted <= floor(n/eta)" true at all times. Found:
// Resume(id), the trial runs on toward its next rung. Else StartNew if the loop can, else Wait.
// on_trial_finished removes a paused trial from the candidates. A result for a paused trial (in
// flight when it paused) answers Pause ("already paused at rung {} ({})"); one for an ended trial
// answers Stop ("trial has already ended"). Ties in score: earlier trial ranks first.
// Per rung: a detail::TopFraction of every recorded score (the best floor(n/eta) apart) and a
// lazy-deletion heap of paused trials. Cost: O(1) between rungs, O(log n) at a rung, O(rungs +
// log n) amortized per free slot. Pure: no clock, no I/O.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "schedule/asha_bracket.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

enum class TrialState : std::uint8_t { kRunning, kPaused, kEnded };

// What a promotion scheduler keeps per trial: 4 bytes, in a vector indexed by id (the score of
// a paused trial lives in its rung's heap entry).
struct TrialSlot {
  std::int16_t rung = -1;  // highest rung index recorded, -1 if none
  TrialState state = TrialState::kRunning;
};

class AshaPromotion final : public Scheduler {
 public:
  explicit AshaPromotion(const AshaOptions& options) : options_(options), ladder_(options) {}

  std::string name() const override { return "asha_promotion"; }

  void on_trial_added(TrialId id, const Config& /*config*/) override { track(id); }

  Decision on_result(TrialId id, const Result& result, const LoopState& /*loop*/) override {
    track(id);
    TrialSlot& trial = trials_[id];
    if (trial.state == TrialState::kEnded) return Decision::Stop("trial has already ended");
    const int bracket = ladder_.bracket_of(id);
    if (trial.state == TrialState::kPaused) {
      // A report that was in flight when the trial was told to pause: the answer stands.
      const detail::AshaRung& rung = ladder_.rungs(bracket)[static_cast<std::size_t>(trial.rung)];
      return Decision::Pause("already paused at rung {} ({})",
                             {static_cast<double>(trial.rung), rung.milestone});
    }
    const int k = ladder_.newly_reached(bracket, trial.rung, result.resource);
    const bool at_max_t = result.resource >= ladder_.max_reach();
    if (k < 0) {
      if (!at_max_t) return Decision::Continue();
      trial.state = TrialState::kEnded;
      return Decision::Complete("reached max_t {}", {options_.max_t});
    }

    detail::AshaRung& rung = ladder_.rungs(bracket)[static_cast<std::size_t>(k)];
    const bool is_nan = std::isnan(result.value);
    trial.rung = static_cast<std::int16_t>(k);
    const double score = tuneq::score(options_.mode, result.value);  // NaN -> -inf
    rung.scores.insert(score, id);
    ++rung.recorded;
    if (at_max_t) {
      trial.state = TrialState::kEnded;
      return Decision::Complete("reached max_t {}", {options_.max_t});
    }
    if (is_nan) {
      trial.state = TrialState::kEnded;
      return Decision::Stop("metric is NaN at rung {} ({})",
                            {static_cast<double>(k), rung.milestone});
    }
    rung.paused_heap.emplace_back(-score, id);
    std::push_heap(rung.paused_heap.begin(), rung.paused_heap.end(), std::greater<>());
    ++rung.paused;
    trial.state = TrialState::kPaused;
    const std::array<double, 4> args = {static_cast<double>(k), rung.milestone,
                                        options_.reduction_factor,
                                        static_cast<double>(rung.recorded)};
    return rung.scores.in_top(score, id)
               ? Decision::Pause("paused at rung {} ({}), in the top 1/{} of {}", args)
               : Decision::Pause("paused at rung {} ({}), not in the top 1/{} of {}", args);
  }

  void on_trial_finished(TrialId id, TrialEnd /*how*/) override {
    track(id);
    TrialSlot& trial = trials_[id];
    if (trial.state == TrialState::kPaused) {
      // Its heap entry goes when it reaches the top (see best_paused).
      --ladder_.rungs(ladder_.bracket_of(id))[static_cast<std::size_t>(trial.rung)].paused;
    }
    trial.state = TrialState::kEnded;
  }

  SlotChoice on_free_slot(const LoopState& loop) override {
    for (detail::AshaRung* rung : ladder_.promotion_order()) {
      if (rung->paused == 0) continue;
      const auto quota = static_cast<std::size_t>(
          std::floor(static_cast<double>(rung->recorded) / options_.reduction_factor));
      if (rung->promoted >= quota) continue;
      const auto [neg_score, id] = best_paused(*rung);
      // Every trial ranked before the best paused one is not paused, so its rank is at most
      // recorded - paused: below the quota, no rank query is needed (the common case).
      if (rung->recorded - rung->paused >= quota && !rung->scores.in_top(-neg_score, id)) {
        continue;
      }
      std::pop_heap(rung->paused_heap.begin(), rung->paused_heap.end(), std::greater<>());
      rung->paused_heap.pop_back();
      --rung->paused;
      ++rung->promoted;
      trials_[id].state = TrialState::kRunning;
      return SlotChoice::Resume(id);
    }
    return loop.can_start_new ? SlotChoice::StartNew() : SlotChoice::Wait();
  }

  std::vector<RungView> rungs() const override { return ladder_.views(); }

 private:
  // (-score, id) of the best trial paused at `rung`, left on top of its heap. Entries of trials
  // that are no longer paused there (promoted, or ended by the loop) are popped on the way: each
  // entry is pushed and popped once, so this is O(log n) amortized. REQUIRES: rung.paused > 0.
  std::pair<double, TrialId> best_paused(detail::AshaRung& rung) {
    auto& heap = rung.paused_heap;
    while (true) {
      const TrialSlot& trial = trials_[heap.front().second];
      if (trial.state == TrialState::kPaused && trial.rung == rung.index) return heap.front();
      std::pop_heap(heap.begin(), heap.end(), std::greater<>());
      heap.pop_back();
    }
  }

  // Ids are dense in add order; the vector grows only when a new id appears.
  void track(TrialId id) {
    if (id >= trials_.size()) trials_.resize(id + 1);
  }

  AshaOptions options_;
  detail::AshaLadder ladder_;
  std::vector<TrialSlot> trials_;
};

}  // namespace

std::unique_ptr<Scheduler> make_asha_promotion(const AshaOptions& options) {
  detail::validate_asha_options(options.max_t, options.grace_period, options.reduction_factor,
                                options.brackets);
  return std::make_unique<AshaPromotion>(options);
}

}  // namespace tuneq
