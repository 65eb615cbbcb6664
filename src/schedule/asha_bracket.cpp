// Rung and bracket bookkeeping shared by the ASHA schedulers and asha_plan.
//
// Semantics (see docs/schedulers/asha.md):
// - Options: max_t > 0 (finite), grace_period > 0, grace_period <= max_t, reduction_factor
//   (eta) > 1 (finite), brackets >= 1, else Error::InvalidArgument naming the option.
// - Bracket s has rungs k = 0, 1, ... at grace_period * eta^(k+s) while that is <= max_t; the
//   products are formed by repeated multiplication with a relative tolerance of 1e-12 (no
//   floating logarithms), rounded to 12 significant digits, and a milestone equal to max_t is a
//   rung. Brackets with no rung are fine.
// - Trial i goes to bracket i mod brackets.
// No clock, no I/O.
#include "schedule/asha_bracket.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
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

AshaLadder::AshaLadder(const AshaOptions& options) : bracket_count_(options.brackets) {
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
      views.push_back(RungView{rung.bracket, rung.milestone, rung.scores.size(), rung.promoted,
                               rung.paused.size()});
    }
  }
  return views;
}

}  // namespace tuneq::detail
