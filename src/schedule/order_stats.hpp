// An ordered multiset of (score, trial) with rank and k-th queries in O(log n): the rungs of the
// successive-halving schedulers keep their recorded values here instead of re-sorting lists on
// every report. Built on libstdc++'s policy-based tree (a red-black tree whose nodes also carry
// subtree sizes).
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <utility>

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include "tuneq/result.hpp"

namespace tuneq::detail {

class OrderStats {
 public:
  // Scores are "larger is better" (see tuneq::score); the trial id breaks ties so that equal
  // scores are distinct entries, the earlier trial ranking first.
  using Key = std::pair<double, TrialId>;

  void insert(double score, TrialId id) { tree_.insert(Key{-score, id}); }
  bool erase(double score, TrialId id) { return tree_.erase(Key{-score, id}) > 0; }
  std::size_t size() const { return tree_.size(); }
  bool empty() const { return tree_.empty(); }

  // Number of entries ranked strictly before (score, id): 0 for the best entry.
  std::size_t rank(double score, TrialId id) const { return tree_.order_of_key(Key{-score, id}); }

  // The k-th best entry (0 = best). REQUIRES: k < size().
  std::pair<double, TrialId> kth_best(std::size_t k) const {
    auto it = tree_.find_by_order(k);
    return {-it->first, it->second};
  }

  // The k-th smallest score (0 = worst). REQUIRES: k < size().
  double kth_smallest(std::size_t k) const { return kth_best(size() - 1 - k).first; }

  // The q-quantile (q in [0, 1]) of the scores with linear interpolation between closest ranks,
  // as numpy.percentile(scores, 100 q) computes it. REQUIRES: !empty().
  double quantile(double q) const {
    const double pos = q * static_cast<double>(size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(lo);
    const double a = kth_smallest(lo);
    if (frac == 0.0 || lo + 1 >= size()) return a;
    const double b = kth_smallest(lo + 1);
    if (a == b) return a;  // also keeps inf == inf from turning into NaN
    if (std::isinf(a) || std::isinf(b)) return frac < 1.0 ? (std::isinf(a) ? a : b) : b;
    return a + (b - a) * frac;
  }

 private:
  using Tree = __gnu_pbds::tree<Key, __gnu_pbds::null_type, std::less<Key>, __gnu_pbds::rb_tree_tag,
                                __gnu_pbds::tree_order_statistics_node_update>;
  Tree tree_;
};

}  // namespace tuneq::detail
