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

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

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

// The q-quantile of an insert-only multiset of scores, equal to OrderStats::quantile(q) on the
// same scores (numpy.percentile's linear interpolation, the same handling of infinities). It
// keeps two binary heaps split at the quantile's position: low_ (a max-heap) holds the
// floor(q (n - 1)) + 1 smallest scores and high_ (a min-heap) the rest, so the two scores the
// quantile interpolates between are the heaps' tops. insert: O(log n) worst case and O(1) on
// average (a push sifts up a level or two; at most one top moves across); quantile: O(1). Heaps
// are contiguous, 8 bytes a score and no allocation per insert (vectors grow geometrically), which
// at 10^6 scores is several times cheaper than a node-based tree. The stopping variant needs
// nothing more than this: it never erases, ranks or looks up a trial.
class RunningQuantile {
 public:
  // REQUIRES: 0 <= q <= 1.
  explicit RunningQuantile(double q = 0.5) : q_(q) {}

  // REQUIRES: !isnan(score).
  void insert(double score);

  // REQUIRES: !empty().
  double quantile() const;

  std::size_t size() const { return low_.size() + high_.size(); }
  bool empty() const { return low_.empty(); }

 private:
  // How many of n scores belong in low_: those up to and including rank floor(q (n - 1)).
  std::size_t low_size_for(std::size_t n) const;

  double q_;
  std::vector<double> low_;   // max-heap (std::less)
  std::vector<double> high_;  // min-heap (std::greater)
};

// The promotion variant's record of one rung: every (score, trial) recorded there, split into
// the best k and the rest, where k = floor(n / eta) follows the number n recorded. That split is
// all promotion needs ("is this trial in the top 1/eta of its rung?"), and two binary heaps keep
// it in O(log n) per insert with O(1) average work (a heap push rarely climbs), on contiguous
// memory: at 10^6 entries an insert touches a few cache lines, where a rank structure (tree or
// sorted buckets) touches a cold node or bucket each time. Order: larger score first, then the
// earlier trial (as OrderStats).
class TopFraction {
 public:
  // REQUIRES: eta > 1.
  explicit TopFraction(double eta = 3) : eta_(eta) {}

  // Records (score, id). REQUIRES: not already present; !isnan(score) (NaN scores as -inf).
  void insert(double score, TrialId id);

  // True if (score, id), which must have been inserted, is among the best floor(n / eta).
  bool in_top(double score, TrialId id) const;

  std::size_t size() const { return top_.size() + rest_.size(); }
  std::size_t top_size() const { return top_.size(); }

 private:
  using Entry = std::pair<double, TrialId>;
  // a ranks before b: larger score, then the smaller id.
  static bool before(const Entry& a, const Entry& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  }
  struct WorstOnTop {  // heap order for top_: its root is its worst entry
    bool operator()(const Entry& a, const Entry& b) const { return before(a, b); }
  };
  struct BestOnTop {  // heap order for rest_: its root is its best entry
    bool operator()(const Entry& a, const Entry& b) const { return before(b, a); }
  };

  double eta_;
  std::vector<Entry> top_;   // the best floor(n / eta); heap, worst at the root
  std::vector<Entry> rest_;  // the others; heap, best at the root
};

// One rung of one bracket.
struct AshaRung {
  int bracket = 0;
  int index = 0;             // k: this rung's position in its bracket
  double milestone = 0;      // grace_period * eta^(k + bracket)
  double reach = 0;          // a result reaches the rung when its resource is >= reach
  std::size_t recorded = 0;  // results recorded here
  std::size_t promoted = 0;  // promotion: resumed past this rung; stopping: recorded and kept
  std::size_t paused = 0;    // promotion: trials waiting here now
  RunningQuantile cutoff;    // stopping: the scores recorded here, q = 1 - 1/eta
  TopFraction scores;        // promotion: every score recorded here, split at the top 1/eta
  // Promotion: (-score, id) of trials that paused here, a min-heap (best on top). Entries of
  // trials that were promoted or ended are dropped lazily when they reach the top.
  std::vector<std::pair<double, TrialId>> paused_heap;
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

  // A resource reaches max_t when it is >= max_reach() (max_t less the milestone tolerance, so
  // that 0.1 added ten times, 0.9999999999999999, reaches a max_t of 1 as it reaches a rung).
  double max_reach() const { return max_reach_; }

  // Every rung below max_t, in the order a free slot looks for a trial to promote: highest
  // milestone first; equal milestones: higher rung index first, then lower bracket index.
  const std::vector<AshaRung*>& promotion_order() const { return promotion_order_; }

  std::vector<RungView> views() const;

 private:
  int bracket_count_;
  double max_reach_;
  std::vector<std::vector<AshaRung>> brackets_;  // only up to the last bracket that has a rung
  std::vector<AshaRung*> promotion_order_;
};

// The score as the user reads it: the metric (min mode: -score), with -0 printed as 0.
inline double metric_of(Mode mode, double score) {
  return (mode == Mode::kMax ? score : -score) + 0.0;
}

}  // namespace tuneq::detail
