// One resource level of the median stopping rule: the running means of the trials that reached
// it, kept as two binary heaps split at the median. The rule only ever asks for the median of a
// level, never for a rank, so this beats an order-statistics tree where it matters at 10^6
// trials: no allocation per entry (two flat vectors), an O(1) median, and an insert that costs
// O(1) on average for the push plus, about every other insert, one O(log n) move between heaps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

#include "tuneq/result.hpp"

namespace tuneq::detail {

class MedianLevel {
 public:
  // score: larger is better (the mean itself under Mode::kMax, its negation under kMin);
  // NaN means "no mean" and ranks below everything, -inf included.
  struct Entry {
    double score = 0;
    TrialId id = 0;
  };

  std::size_t size() const { return lower_.size() + upper_.size(); }
  bool empty() const { return lower_.empty(); }

  void insert(Entry e) {
    if (lower_.empty() || !worse(lower_.front(), e)) {
      push(lower_, e, worse);
    } else {
      push(upper_, e, better);
    }
    rebalance();
  }

  // Removes an entry equal to e (same score bits class and id). O(size): used only when a trial
  // reports twice at the same resource. Returns false if absent.
  bool erase(Entry e) {
    if (!erase_from(lower_, e, worse) && !erase_from(upper_, e, better)) return false;
    rebalance();
    return true;
  }

  // The median score, numpy.median style: the middle entry, or the midpoint of the two middle
  // entries for an even count. NaN when a middle entry has no mean. REQUIRES: !empty().
  double median_score() const {
    const double low = lower_.front().score;
    if (lower_.size() > upper_.size()) return low;
    const double high = upper_.front().score;
    if (std::isnan(low) || std::isnan(high)) return std::nan("");
    return low == high ? low : std::midpoint(low, high);  // low == high keeps inf == inf
  }

  // Calls f(entry) for every entry, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Entry& e : lower_) f(e);
    for (const Entry& e : upper_) f(e);
  }

 private:
  // Strict weak order "a ranks below b": NaN lowest, then by score, then the later trial lower.
  static bool worse(const Entry& a, const Entry& b) {
    const bool a_nan = std::isnan(a.score);
    const bool b_nan = std::isnan(b.score);
    if (a_nan != b_nan) return a_nan;
    if (!a_nan && a.score != b.score) return a.score < b.score;
    return a.id > b.id;
  }
  static bool better(const Entry& a, const Entry& b) { return worse(b, a); }

  template <class Less>
  static void push(std::vector<Entry>& heap, Entry e, Less less) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), less);
  }

  template <class Less>
  static Entry pop(std::vector<Entry>& heap, Less less) {
    std::pop_heap(heap.begin(), heap.end(), less);
    const Entry top = heap.back();
    heap.pop_back();
    return top;
  }

  template <class Less>
  static bool erase_from(std::vector<Entry>& heap, Entry e, Less less) {
    auto it = std::find_if(heap.begin(), heap.end(), [&](const Entry& x) {
      return x.id == e.id && !worse(x, e) && !worse(e, x);
    });
    if (it == heap.end()) return false;
    *it = heap.back();
    heap.pop_back();
    std::make_heap(heap.begin(), heap.end(), less);
    return true;
  }

  // Keeps lower_.size() == upper_.size() or lower_.size() == upper_.size() + 1.
  void rebalance() {
    if (lower_.size() > upper_.size() + 1) {
      push(upper_, pop(lower_, worse), better);
    } else if (upper_.size() > lower_.size()) {
      push(lower_, pop(upper_, better), worse);
    }
  }

  std::vector<Entry> lower_;  // the lower half: a max-heap under worse(), front = its best
  std::vector<Entry> upper_;  // the upper half: a min-heap, front = its worst
};

}  // namespace tuneq::detail
