// Bracket and rung plans, computed without running anything (`tuneq plan`, docs, tests).
#pragma once

#include <cstdint>
#include <vector>

namespace tuneq {

struct RungPlan {
  std::uint64_t trials = 0;  // trials that run up to this rung
  double resource = 0;       // resource each of them has used when it gets there
};

struct BracketPlan {
  int s = 0;  // bracket index as in the paper: s_max for the most aggressive bracket
  std::vector<RungPlan> rungs;
};

// Synchronous Hyperband (Li et al., JMLR 2018, Algorithm 1) with R = max_t and eta:
// s_max = floor(log_eta(R)) computed with integer arithmetic (the largest s with eta^s <= R),
// n = ceil((s_max+1)/(s+1) * eta^s), r = R * eta^-s; rung i keeps floor(n * eta^-i) trials at
// r * eta^i. Brackets are listed s = s_max..0.
// REQUIRES: eta integer >= 2, max_t >= 1 (else Error::InvalidArgument).
std::vector<BracketPlan> hyperband_plan(double max_t, int eta);

// The rungs of ASHA bracket s: milestones grace * eta^(k+s) <= max_t (resource only; trial
// counts are 0 because ASHA has no fixed population).
std::vector<BracketPlan> asha_plan(double max_t, double grace_period, double eta, int brackets);

}  // namespace tuneq
