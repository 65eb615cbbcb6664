// One resource level of the median stopping rule: the running means of the trials that reached
// it. The rule only ever asks for the median of a level, never for a rank, so the entries are
// split in three: a small sorted window around the median ranks, every entry ranked below it in
// a max-heap, every entry above it in a min-heap. The median is read from the window in O(1);
// an insert is, almost always, a heap push (O(1) on average: no allocation per entry, flat
// vectors) or, with probability window/size, a short sorted insert into the cache-resident
// window. Only when the median drifts out of the window are a few dozen heap tops moved into it
// (O(log n) each), so the deep, cache-missing heap sifts of a plain two-heap median (one per
// other insert; measured: most of a report's cost at 10^6 trials) become rare. The heaps are
// 4-ary: half the depth of binary heaps, and the children of a node are adjacent in memory.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "tuneq/result.hpp"

namespace tuneq::detail {

// score: larger is better (the mean itself under Mode::kMax, its negation under kMin); NaN means
// "no mean" and ranks below everything, -inf included.
struct MedianEntry {
  double score = 0;
  TrialId id = 0;
};

// Strict weak order "a ranks below b": NaN lowest, then by score, then the later trial lower.
struct RanksBelow {
  bool operator()(const MedianEntry& a, const MedianEntry& b) const {
    const bool a_nan = std::isnan(a.score);
    const bool b_nan = std::isnan(b.score);
    if (a_nan != b_nan) return a_nan;
    if (!a_nan && a.score != b.score) return a.score < b.score;
    return a.id > b.id;
  }
};
struct RanksAbove {
  bool operator()(const MedianEntry& a, const MedianEntry& b) const { return RanksBelow{}(b, a); }
};

// A 4-ary heap with std::push_heap's convention: the top is the greatest entry under Less (the
// best one for Less = RanksBelow, the worst one for Less = RanksAbove).
template <class Less>
class QuadHeap {
 public:
  std::size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  const MedianEntry& top() const { return v_.front(); }
  const std::vector<MedianEntry>& entries() const { return v_; }

  void push(MedianEntry e) {
    v_.push_back(e);
    sift_up(v_.size() - 1);
  }

  // Removes the top and inserts e in one sift; returns the old top.
  MedianEntry replace_top(MedianEntry e) {
    const MedianEntry old = v_.front();
    v_.front() = e;
    sift_down(0);
    return old;
  }

  MedianEntry pop() {
    const MedianEntry last = v_.back();
    v_.pop_back();
    if (v_.empty()) return last;
    return replace_top(last);
  }

  // Removes the entry at index i. O(size) is fine: callers find i by a linear scan.
  void erase_at(std::size_t i) {
    v_[i] = v_.back();
    v_.pop_back();
    if (i < v_.size()) {
      sift_up(i);
      sift_down(i);
    }
  }

 private:
  static constexpr std::size_t kArity = 4;

  void sift_up(std::size_t i) {
    const MedianEntry e = v_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (!less_(v_[parent], e)) break;
      v_[i] = v_[parent];
      i = parent;
    }
    v_[i] = e;
  }

  void sift_down(std::size_t i) {
    const MedianEntry e = v_[i];
    const std::size_t n = v_.size();
    while (true) {
      const std::size_t first = i * kArity + 1;
      if (first >= n) break;
      const std::size_t last = std::min(first + kArity, n);
      std::size_t best = first;
      for (std::size_t c = first + 1; c < last; ++c) {
        if (less_(v_[best], v_[c])) best = c;
      }
      if (!less_(e, v_[best])) break;
      v_[i] = v_[best];
      i = best;
    }
    v_[i] = e;
  }

  std::vector<MedianEntry> v_;
  [[no_unique_address]] Less less_;
};

class MedianLevel {
 public:
  using Entry = MedianEntry;

  std::size_t size() const { return lower_.size() + middle_.size() + upper_.size(); }
  bool empty() const { return size() == 0; }

  void insert(Entry e) {
    if (!middle_.empty() && RanksBelow{}(e, middle_.front())) {
      lower_.push(e);
    } else if (!middle_.empty() && RanksBelow{}(middle_.back(), e)) {
      upper_.push(e);
    } else {
      middle_.insert(std::upper_bound(middle_.begin(), middle_.end(), e, RanksBelow{}), e);
    }
    recentre();
  }

  // Removes an entry equal to e (same id, equal score or both NaN). O(size): used only when a
  // trial reports twice at the same resource. Returns false if absent.
  bool erase(Entry e) {
    const auto same = [&](const Entry& x) {
      return x.id == e.id && !RanksBelow{}(x, e) && !RanksBelow{}(e, x);
    };
    if (auto it = std::find_if(middle_.begin(), middle_.end(), same); it != middle_.end()) {
      middle_.erase(it);
    } else if (!erase_from(lower_, same) && !erase_from(upper_, same)) {
      return false;
    }
    recentre();
    return true;
  }

  // The median score, numpy.median style: the middle entry, or the midpoint of the two middle
  // entries for an even count. NaN when a middle entry has no mean. REQUIRES: !empty().
  double median_score() const {
    const std::size_t n = size();
    const double low = middle_[(n - 1) / 2 - lower_.size()].score;
    if (n % 2 == 1) return low;
    const double high = middle_[n / 2 - lower_.size()].score;
    if (std::isnan(low) || std::isnan(high)) return std::numeric_limits<double>::quiet_NaN();
    return low == high ? low : std::midpoint(low, high);  // low == high keeps inf == inf
  }

  // Calls f(entry) for every entry, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Entry& e : lower_.entries()) f(e);
    for (const Entry& e : middle_) f(e);
    for (const Entry& e : upper_.entries()) f(e);
  }

 private:
  // The window keeps this many entries beyond the median ranks on each side when it is refilled
  // or trimmed, and is trimmed when it holds more than kMaxWindow.
  static constexpr std::size_t kMargin = 32;
  static constexpr std::size_t kMaxWindow = 8 * kMargin;

  template <class Heap, class Same>
  static bool erase_from(Heap& heap, Same same) {
    const std::vector<Entry>& v = heap.entries();
    const auto it = std::find_if(v.begin(), v.end(), same);
    if (it == v.end()) return false;
    heap.erase_at(static_cast<std::size_t>(it - v.begin()));
    return true;
  }

  // Restores: the median ranks (n-1)/2 and n/2, counted worst first, fall inside middle_; then
  // trims a window grown too wide. Pulls move heap tops, which border the window, so the order
  // lower_ < middle_ < upper_ holds throughout.
  void recentre() {
    const std::size_t n = size();
    if (n == 0) return;
    const std::size_t lo = (n - 1) / 2;
    const std::size_t hi = n / 2;
    while (true) {
      if (lower_.size() > lo) {  // the median moved down into lower_: pull its best entries up
        const std::size_t take = std::min(lower_.size(), lower_.size() - lo + kMargin);
        scratch_.clear();
        for (std::size_t k = 0; k < take; ++k) scratch_.push_back(lower_.pop());  // best first
        middle_.insert(middle_.begin(), scratch_.rbegin(), scratch_.rend());
      } else if (lower_.size() + middle_.size() <= hi) {  // it moved up into upper_
        const std::size_t take =
            std::min(upper_.size(), hi + 1 - lower_.size() - middle_.size() + kMargin);
        for (std::size_t k = 0; k < take; ++k) middle_.push_back(upper_.pop());  // worst first
      } else {
        break;
      }
    }
    if (middle_.size() <= kMaxWindow) return;
    const std::size_t below = lo - lower_.size();  // window entries ranked below the median
    const std::size_t above = lower_.size() + middle_.size() - 1 - hi;
    const std::size_t drop_low = below > kMargin ? below - kMargin : 0;
    const std::size_t drop_high = above > kMargin ? above - kMargin : 0;
    for (std::size_t k = 0; k < drop_high; ++k) {
      upper_.push(middle_.back());
      middle_.pop_back();
    }
    for (std::size_t k = 0; k < drop_low; ++k) lower_.push(middle_[k]);
    middle_.erase(middle_.begin(), middle_.begin() + static_cast<std::ptrdiff_t>(drop_low));
  }

  QuadHeap<RanksBelow> lower_;  // ranked below every entry of middle_; top = its best
  std::vector<Entry> middle_;   // sorted worst first; holds the median ranks
  QuadHeap<RanksAbove> upper_;  // ranked above every entry of middle_; top = its worst
  std::vector<Entry> scratch_;  // reused by recentre()
};

}  // namespace tuneq::detail
