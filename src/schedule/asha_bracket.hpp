// Rung and bracket bookkeeping shared by the two ASHA schedulers (stopping and promotion
// variants) and by asha_plan. The semantics are documented in docs/schedulers/asha.md.
//
// Bracket s (s = 0..brackets-1) has rungs k = 0, 1, ... at milestones grace_period * eta^(k+s),
// for as long as the milestone is <= max_t. A milestone equal to max_t IS a rung (as in Ray
// Tune's formula); a trial reaching max_t is stopped as completed before that rung is consulted
// (unless the stopping variant runs with stop_last_trials = false). Brackets with no rung are
// allowed: their trials simply run to max_t.
//
// Trial i (ids are dense 0, 1, 2, ... in add order) belongs to bracket i mod brackets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "schedule/order_stats.hpp"
#include "tuneq/result.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq::detail {

// Relative tolerance for milestone arithmetic: a milestone that overshoots max_t by less than
// this counts as max_t, and a result reaches a milestone m when resource >= m * (1 - tolerance),
// so that 0.1 * 3 = 0.30000000000000004 is reached by a report of 0.3.
inline constexpr double kMilestoneTolerance = 1e-12;

// More rungs than this in one bracket means eta is so close to 1 that the options are a mistake
// (and the milestone loop would not end in useful time).
inline constexpr std::size_t kMaxRungsPerBracket = 1000;

// Throws Error::InvalidArgument naming the first invalid option: max_t > 0 and finite,
// grace_period > 0, grace_period <= max_t, reduction_factor > 1 and finite, brackets >= 1, and at
// most kMaxRungsPerBracket rungs.
void validate_asha_options(double max_t, double grace_period, double reduction_factor,
                           int brackets);

// The milestones of bracket s, ascending: grace_period * eta^(k+s) for k = 0, 1, ... while the
// product is <= max_t * (1 + kMilestoneTolerance). Products are formed by repeated
// multiplication (no logarithms), rounded to 12 significant digits (so 0.1 * 3 reads 0.3), and
// one within the tolerance of max_t is set to max_t exactly. REQUIRES: validated options.
std::vector<double> asha_milestones(double max_t, double grace_period, double reduction_factor,
                                    int s);

// One rung of one bracket.
struct AshaRung {
  int bracket = 0;
  int index = 0;             // k: this rung's position in its bracket
  double milestone = 0;      // grace_period * eta^(k + bracket)
  double reach = 0;          // a result reaches the rung when its resource is >= reach
  OrderStats scores;         // the score of every trial recorded here (larger is better)
  OrderStats paused;         // promotion variant: paused here and not yet promoted
  std::size_t promoted = 0;  // promotion: resumed past this rung; stopping: recorded and kept
};

// The rungs of every bracket of one scheduler. Brackets without rungs take no memory, so a huge
// `brackets` option costs nothing.
class AshaLadder {
 public:
  // REQUIRES: options already validated.
  explicit AshaLadder(const AshaOptions& options);

  AshaLadder(const AshaLadder&) = delete;
  AshaLadder& operator=(const AshaLadder&) = delete;

  int bracket_of(TrialId id) const {
    return static_cast<int>(id % static_cast<std::uint64_t>(bracket_count_));
  }

  // The rungs of bracket b, lowest milestone first (empty if the bracket has none).
  std::span<AshaRung> rungs(int b) {
    if (static_cast<std::size_t>(b) >= brackets_.size()) return {};
    return brackets_[static_cast<std::size_t>(b)];
  }

  // The highest rung index k > above of bracket b that `resource` reaches, or -1 if the result
  // reaches no rung above `above` (pass -1 for "no rung recorded yet"). O(1) when it reaches
  // nothing new, else O(rungs climbed).
  int newly_reached(int b, int above, double resource) const {
    if (static_cast<std::size_t>(b) >= brackets_.size()) return -1;
    const std::vector<AshaRung>& rungs = brackets_[static_cast<std::size_t>(b)];
    const auto size = static_cast<int>(rungs.size());
    int k = above + 1;
    if (k >= size || !(resource >= rungs[static_cast<std::size_t>(k)].reach)) return -1;
    while (k + 1 < size && resource >= rungs[static_cast<std::size_t>(k + 1)].reach) ++k;
    return k;
  }

  // Every rung below max_t, in the order a free slot looks for a trial to promote: highest
  // milestone first; equal milestones: higher rung index first, then lower bracket index.
  const std::vector<AshaRung*>& promotion_order() const { return promotion_order_; }

  std::vector<RungView> views() const;

 private:
  int bracket_count_;
  std::vector<std::vector<AshaRung>> brackets_;  // only up to the last bracket that has a rung
  std::vector<AshaRung*> promotion_order_;
};

// The score as the user reads it: the metric (min mode: -score), with -0 printed as 0.
inline double metric_of(Mode mode, double score) {
  return (mode == Mode::kMax ? score : -score) + 0.0;
}

}  // namespace tuneq::detail
