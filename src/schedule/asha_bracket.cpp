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
// - The per-rung records: RunningQuantile (stopping: the cutoff) and TopFraction (promotion: the
//   best floor(n / eta)), both checked against OrderStats by the tests in order_stats_test.cpp.
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

void TopFraction::insert(double score, TrialId id) {
  const Entry e{score, id};
  if (!top_.empty() && before(e, top_.front())) {
    top_.push_back(e);
    std::push_heap(top_.begin(), top_.end(), WorstOnTop{});
  } else {
    rest_.push_back(e);
    std::push_heap(rest_.begin(), rest_.end(), BestOnTop{});
  }
  // k grows by at most one per insert, and one entry moved: one move restores the split.
  const auto k = static_cast<std::size_t>(std::floor(static_cast<double>(size()) / eta_));
  while (top_.size() > k) {
    std::pop_heap(top_.begin(), top_.end(), WorstOnTop{});
    rest_.push_back(top_.back());
    top_.pop_back();
    std::push_heap(rest_.begin(), rest_.end(), BestOnTop{});
  }
  while (top_.size() < k && !rest_.empty()) {
    std::pop_heap(rest_.begin(), rest_.end(), BestOnTop{});
    top_.push_back(rest_.back());
    rest_.pop_back();
    std::push_heap(top_.begin(), top_.end(), WorstOnTop{});
  }
}

bool TopFraction::in_top(double score, TrialId id) const {
  return !top_.empty() && !before(top_.front(), Entry{score, id});
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
      rung.scores = TopFraction(options.reduction_factor);
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
