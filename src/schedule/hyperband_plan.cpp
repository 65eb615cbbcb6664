// hyperband_plan: the brackets of synchronous Hyperband (Li et al., JMLR 2018, Algorithm 1),
// computed with integer arithmetic so that plans never depend on floating-point logarithms:
// log_3(243) evaluates to 4.999... in floating point, which would silently drop a bracket.
#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "tuneq/error.hpp"
#include "tuneq/plan.hpp"

namespace tuneq {
namespace {

// Largest max_t accepted: every eta^s <= max_t and (s_max + 1) * eta^s then stay exact in 64-bit
// integers and in doubles.
constexpr double kMaxResource = 9007199254740992.0;  // 2^53

std::uint64_t power(std::uint64_t base, int exponent) {
  std::uint64_t p = 1;
  for (int k = 0; k < exponent; ++k) p *= base;
  return p;
}

}  // namespace

std::vector<BracketPlan> hyperband_plan(double max_t, int eta) {
  if (eta < 2) {
    throw Error::InvalidArgument(
        fmt::format("hyperband: eta (reduction_factor) must be an integer >= 2, got {}", eta));
  }
  if (!(max_t >= 1) || !(max_t <= kMaxResource)) {  // also rejects NaN
    throw Error::InvalidArgument(
        fmt::format("hyperband: max_t must be in [1, 2^53], got {}", max_t));
  }
  const auto base = static_cast<std::uint64_t>(eta);
  // s_max = largest s with eta^s <= R. eta^s is an integer, so eta^s <= R <=> eta^s <= floor(R),
  // and p * eta <= floor(R) <=> p <= floor(R) / eta in integer division (no overflow).
  const auto whole_r = static_cast<std::uint64_t>(std::floor(max_t));
  int s_max = 0;
  for (std::uint64_t p = 1; p <= whole_r / base; p *= base) ++s_max;

  std::vector<BracketPlan> plan;
  plan.reserve(static_cast<std::size_t>(s_max) + 1);
  for (int s = s_max; s >= 0; --s) {
    const auto brackets = static_cast<std::uint64_t>(s_max) + 1;
    const auto width = static_cast<std::uint64_t>(s) + 1;
    // n = ceil((s_max + 1) * eta^s / (s + 1)).
    const std::uint64_t n = (brackets * power(base, s) + width - 1) / width;
    BracketPlan bracket;
    bracket.s = s;
    bracket.rungs.reserve(width);
    for (int i = 0; i <= s; ++i) {
      // R divided by an integer power: the last rung (i == s) is exactly R.
      const double resource = max_t / static_cast<double>(power(base, s - i));
      bracket.rungs.push_back(RungPlan{n / power(base, i), resource});
    }
    plan.push_back(std::move(bracket));
  }
  return plan;
}

}  // namespace tuneq
