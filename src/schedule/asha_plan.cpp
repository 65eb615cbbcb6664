// asha_plan: the rungs of each ASHA bracket, computed without running anything.
//
// One BracketPlan per bracket s = 0..brackets-1 (s = 0 starts at grace_period, the most
// aggressive), with one RungPlan {trials: 0, resource: milestone} per rung (milestones
// grace_period * eta^(k+s) <= max_t, see asha_bracket.hpp; ASHA has no fixed population, so
// trial counts are 0), then a final {0, max_t} entry when the last milestone is below max_t (or
// the bracket has no rung). Options are validated like AshaOptions (Error::InvalidArgument).
// Pure: no clock, no I/O.
#include <vector>

#include "schedule/asha_bracket.hpp"
#include "tuneq/plan.hpp"

namespace tuneq {

std::vector<BracketPlan> asha_plan(double max_t, double grace_period, double eta, int brackets) {
  detail::validate_asha_options(max_t, grace_period, eta, brackets);
  std::vector<BracketPlan> plans;
  plans.reserve(static_cast<std::size_t>(brackets));
  for (int s = 0; s < brackets; ++s) {
    BracketPlan& plan = plans.emplace_back();
    plan.s = s;
    for (double milestone : detail::asha_milestones(max_t, grace_period, eta, s)) {
      plan.rungs.push_back(RungPlan{0, milestone});
    }
    if (plan.rungs.empty() || plan.rungs.back().resource < max_t) {
      plan.rungs.push_back(RungPlan{0, max_t});
    }
  }
  return plans;
}

}  // namespace tuneq
