// Rung and bracket bookkeeping shared by the ASHA schedulers and asha_plan.
//
// Semantics (see docs/schedulers/asha.md):
// - Options: max_t > 0 (finite), grace_period > 0, grace_period <= max_t, reduction_factor
//   (eta) > 1 (finite), brackets >= 1, else Error::InvalidArgument naming the option.
// - Bracket s has rungs k = 0, 1, ... at grace_period * eta^(k+s) while that is <= max_t; the
//   products are formed by repeated multiplication with a relative tolerance of 1e-12 (no
//   floating logarithms), rounded to 12 significant digits, and a milestone equal to max_t is a
//   rung. Brackets with no rung are fine. A resource reaches a milestone m (max_t included) when
//   it is >= m (1 - 1e-12).
// - Trial i goes to bracket i mod brackets.
// - The per-rung records: RunningQuantile (stopping: the cutoff) and ScoreRanks (promotion: the
//   ranks), both checked against OrderStats by the tests in order_stats_test.cpp.
// No clock, no I/O.
#include "schedule/asha_bracket.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <tuple>

#include <fmt/format.h>

#include "tuneq/error.hpp"

namespace tuneq::detail {
namespace {

// x rounded to 12 significant digits (0.30000000000000004 -> 0.3), via the shortest decimal
// text, which is exact and locale-independent.
double round_to_12_digits(double x) {
  char text[64];
  const auto end = fmt::format_to_n(text, sizeof text - 1, "{:.12g}", x).out;
  double rounded = x;
  std::from_chars(text, end, rounded);
  return rounded;
}

std::size_t count_rungs(double max_t, double grace_period, double eta) {
  const double limit = max_t * (1 + kMilestoneTolerance);
  std::size_t count = 0;
  for (double m = grace_period; m <= limit && count <= kMaxRungsPerBracket; m *= eta) ++count;
  return count;
}

// The first index of sorted values[0, n) for which `before` is false (before must hold on a
// prefix). Branch-free: the comparison feeds a conditional move, so the search does not stall on
// mispredicted jumps, which cost more than the comparisons in a bucket of random scores.
template <typename Before>
std::size_t first_index(const double* values, std::size_t n, Before before) {
  if (n == 0) return 0;
  const double* base = values;
  while (n > 1) {
    const std::size_t half = n / 2;
    base += before(base[half]) ? half : 0;
    n -= half;
  }
  return static_cast<std::size_t>(base - values) + (before(*base) ? 1 : 0);
}

// Entries (neg_scores[i], ids[i]), i < n, sorted ascending. The first index whose entry is not
// before (neg_score, id) (lower) or is after it (upper). Ids are consulted only inside a run of
// equal scores.
std::size_t lower_entry(const double* neg_scores, const TrialId* ids, std::size_t n,
                        double neg_score, TrialId id) {
  const std::size_t at = first_index(neg_scores, n, [=](double x) { return x < neg_score; });
  if (at == n || neg_scores[at] != neg_score) return at;
  const std::size_t end = first_index(neg_scores, n, [=](double x) { return x <= neg_score; });
  return static_cast<std::size_t>(std::lower_bound(ids + at, ids + end, id) - ids);
}

std::size_t upper_entry(const double* neg_scores, const TrialId* ids, std::size_t n,
                        double neg_score, TrialId id) {
  const std::size_t at = first_index(neg_scores, n, [=](double x) { return x < neg_score; });
  if (at == n || neg_scores[at] != neg_score) return at;
  const std::size_t end = first_index(neg_scores, n, [=](double x) { return x <= neg_score; });
  return static_cast<std::size_t>(std::upper_bound(ids + at, ids + end, id) - ids);
}

}  // namespace

void validate_asha_options(double max_t, double grace_period, double reduction_factor,
                           int brackets) {
  // Written as !(x > y) so that NaN fails every check.
  if (!(max_t > 0) || !std::isfinite(max_t)) {
    throw Error::InvalidArgument(
        fmt::format("ASHA option max_t must be > 0 and finite, got {}", max_t));
  }
  if (!(grace_period > 0)) {
    throw Error::InvalidArgument(
        fmt::format("ASHA option grace_period must be > 0, got {}", grace_period));
  }
  if (!(grace_period <= max_t)) {
    throw Error::InvalidArgument(
        fmt::format("ASHA option grace_period must be <= max_t, got grace_period {} > max_t {}",
                    grace_period, max_t));
  }
  if (!(reduction_factor > 1) || !std::isfinite(reduction_factor)) {
    throw Error::InvalidArgument(fmt::format(
        "ASHA option reduction_factor must be > 1 and finite, got {}", reduction_factor));
  }
  if (brackets < 1) {
    throw Error::InvalidArgument(
        fmt::format("ASHA option brackets must be >= 1, got {}", brackets));
  }
  if (count_rungs(max_t, grace_period, reduction_factor) > kMaxRungsPerBracket) {
    throw Error::InvalidArgument(fmt::format(
        "ASHA option reduction_factor {} is too close to 1: grace_period {} to max_t {} would "
        "need more than {} rungs",
        reduction_factor, grace_period, max_t, kMaxRungsPerBracket));
  }
}

std::vector<double> asha_milestones(double max_t, double grace_period, double reduction_factor,
                                    int s) {
  const double limit = max_t * (1 + kMilestoneTolerance);
  double m = grace_period;
  for (int i = 0; i < s && m <= limit; ++i) m *= reduction_factor;
  std::vector<double> milestones;
  for (; m <= limit; m *= reduction_factor) {
    const double rounded = std::abs(m - max_t) <= max_t * kMilestoneTolerance
                               ? max_t
                               : std::min(round_to_12_digits(m), max_t);
    milestones.push_back(rounded);
  }
  return milestones;
}

std::size_t RunningQuantile::low_size_for(std::size_t n) const {
  // The same floating computation as OrderStats::quantile, so both pick the same ranks.
  return static_cast<std::size_t>(std::floor(q_ * static_cast<double>(n - 1))) + 1;
}

void RunningQuantile::insert(double score) {
  if (low_.empty() || score <= low_.front()) {
    low_.push_back(score);
    std::push_heap(low_.begin(), low_.end());
  } else {
    high_.push_back(score);
    std::push_heap(high_.begin(), high_.end(), std::greater<>());
  }
  // low_size_for grows by at most one per insert, so at most one top moves across.
  const std::size_t want = low_size_for(size());
  while (low_.size() > want) {
    std::pop_heap(low_.begin(), low_.end());
    high_.push_back(low_.back());
    low_.pop_back();
    std::push_heap(high_.begin(), high_.end(), std::greater<>());
  }
  while (low_.size() < want) {
    std::pop_heap(high_.begin(), high_.end(), std::greater<>());
    low_.push_back(high_.back());
    high_.pop_back();
    std::push_heap(low_.begin(), low_.end());
  }
}

double RunningQuantile::quantile() const {
  // pos = q (n - 1); a = x[floor(pos)] is low_'s top, b = x[floor(pos) + 1] is high_'s top.
  const double pos = q_ * static_cast<double>(size() - 1);
  const double frac = pos - std::floor(pos);
  const double a = low_.front();
  if (frac == 0.0 || high_.empty()) return a;
  const double b = high_.front();
  if (a == b) return a;  // also keeps inf == inf from turning into NaN
  if (std::isinf(a) || std::isinf(b)) return frac < 1.0 ? (std::isinf(a) ? a : b) : b;
  return a + (b - a) * frac;
}

std::size_t ScoreRanks::insert(double score, TrialId id) {
  const double neg_score = -score;
  ++size_;
  if (pool_.empty()) {
    pool_.emplace_back();
    pool_[0].neg_scores[0] = neg_score;
    pool_[0].ids[0] = id;
    order_.push_back(0);
    sizes_.push_back(1);
    first_neg_scores_.push_back(neg_score);
    first_ids_.push_back(id);
    fenwick_.assign(2, 1);
    return 0;
  }
  const std::size_t b = bucket_of(neg_score, id);
  Bucket& bucket = pool_[order_[b]];
  const std::size_t n = sizes_[b];
  // A binary search in a cold bucket waits for one cache miss after another; asking for every
  // line at once lets the misses overlap (the memmove below reads half of them anyway).
  const char* bytes = reinterpret_cast<const char*>(bucket.neg_scores.data());
  for (std::size_t offset = 0; offset < n * sizeof(double); offset += 64) {
    __builtin_prefetch(bytes + offset);
  }
  const std::size_t at = lower_entry(bucket.neg_scores.data(), bucket.ids.data(), n, neg_score, id);
  const std::size_t rank = count_before(b) + at;
  // n < kBucketMax: a bucket splits as soon as it is full.
  std::copy_backward(bucket.neg_scores.begin() + static_cast<std::ptrdiff_t>(at),
                     bucket.neg_scores.begin() + static_cast<std::ptrdiff_t>(n),
                     bucket.neg_scores.begin() + static_cast<std::ptrdiff_t>(n + 1));
  std::copy_backward(bucket.ids.begin() + static_cast<std::ptrdiff_t>(at),
                     bucket.ids.begin() + static_cast<std::ptrdiff_t>(n),
                     bucket.ids.begin() + static_cast<std::ptrdiff_t>(n + 1));
  bucket.neg_scores[at] = neg_score;
  bucket.ids[at] = id;
  if (at == 0) {
    first_neg_scores_[b] = neg_score;
    first_ids_[b] = id;
  }
  ++sizes_[b];
  for (std::size_t i = b + 1; i < fenwick_.size(); i += i & (~i + 1)) ++fenwick_[i];
  if (sizes_[b] == kBucketMax) split(b);
  return rank;
}

std::size_t ScoreRanks::rank(double score, TrialId id) const {
  if (size_ == 0) return 0;
  const std::size_t b = bucket_of(-score, id);
  const Bucket& bucket = pool_[order_[b]];
  return count_before(b) +
         lower_entry(bucket.neg_scores.data(), bucket.ids.data(), sizes_[b], -score, id);
}

std::size_t ScoreRanks::bucket_of(double neg_score, TrialId id) const {
  // The last bucket whose first entry is not after the probe; the first bucket for a probe
  // before every entry.
  const std::size_t after = upper_entry(first_neg_scores_.data(), first_ids_.data(),
                                        first_neg_scores_.size(), neg_score, id);
  return after == 0 ? 0 : after - 1;
}

std::size_t ScoreRanks::count_before(std::size_t bucket) const {
  std::size_t sum = 0;
  for (std::size_t i = bucket; i > 0; i -= i & (~i + 1)) sum += fenwick_[i];
  return sum;
}

void ScoreRanks::split(std::size_t b) {
  const auto fresh = static_cast<std::uint32_t>(pool_.size());
  pool_.emplace_back();  // may move the pool: take references after
  const Bucket& full = pool_[order_[b]];
  Bucket& upper = pool_[fresh];
  const std::size_t half = kBucketMax / 2;
  std::copy(full.neg_scores.begin() + half, full.neg_scores.end(), upper.neg_scores.begin());
  std::copy(full.ids.begin() + half, full.ids.end(), upper.ids.begin());
  sizes_[b] = static_cast<std::uint32_t>(half);
  const auto after = static_cast<std::ptrdiff_t>(b + 1);
  order_.insert(order_.begin() + after, fresh);
  sizes_.insert(sizes_.begin() + after, static_cast<std::uint32_t>(kBucketMax - half));
  first_neg_scores_.insert(first_neg_scores_.begin() + after, upper.neg_scores[0]);
  first_ids_.insert(first_ids_.begin() + after, upper.ids[0]);
  // Rebuild the Fenwick tree in O(buckets): each node adds itself to its parent.
  fenwick_.assign(sizes_.size() + 1, 0);
  for (std::size_t i = 1; i < fenwick_.size(); ++i) {
    fenwick_[i] += sizes_[i - 1];
    const std::size_t parent = i + (i & (~i + 1));
    if (parent < fenwick_.size()) fenwick_[parent] += fenwick_[i];
  }
}

AshaLadder::AshaLadder(const AshaOptions& options)
    : bracket_count_(options.brackets), max_reach_(options.max_t * (1 - kMilestoneTolerance)) {
  // Bracket s has rungs iff s < (rungs of bracket 0), so that bounds the stored brackets.
  const std::size_t base_rungs =
      count_rungs(options.max_t, options.grace_period, options.reduction_factor);
  const std::size_t stored = std::min(static_cast<std::size_t>(options.brackets), base_rungs);
  brackets_.resize(stored);
  for (std::size_t s = 0; s < stored; ++s) {
    const std::vector<double> milestones = asha_milestones(
        options.max_t, options.grace_period, options.reduction_factor, static_cast<int>(s));
    std::vector<AshaRung>& rungs = brackets_[s];
    rungs.reserve(milestones.size());
    for (std::size_t k = 0; k < milestones.size(); ++k) {
      AshaRung& rung = rungs.emplace_back();
      rung.bracket = static_cast<int>(s);
      rung.index = static_cast<int>(k);
      rung.milestone = milestones[k];
      rung.reach = milestones[k] * (1 - kMilestoneTolerance);
      rung.cutoff = RunningQuantile(1.0 - 1.0 / options.reduction_factor);
    }
  }
  // Taken only once every vector is complete, so the pointers stay valid.
  for (auto& rungs : brackets_) {
    for (auto& rung : rungs) {
      if (rung.milestone < options.max_t) promotion_order_.push_back(&rung);
    }
  }
  std::sort(promotion_order_.begin(), promotion_order_.end(),
            [](const AshaRung* a, const AshaRung* b) {
              return std::make_tuple(-a->milestone, -a->index, a->bracket) <
                     std::make_tuple(-b->milestone, -b->index, b->bracket);
            });
}

std::vector<RungView> AshaLadder::views() const {
  std::vector<RungView> views;
  for (const auto& rungs : brackets_) {
    for (const auto& rung : rungs) {
      views.push_back(
          RungView{rung.bracket, rung.milestone, rung.recorded, rung.promoted, rung.paused});
    }
  }
  return views;
}

}  // namespace tuneq::detail
