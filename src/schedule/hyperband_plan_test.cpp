#include <cstdint>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tuneq/error.hpp"
#include "tuneq/plan.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

// One expected bracket: s, then (trials, resource) per rung.
struct ExpectedBracket {
  int s;
  std::vector<std::pair<std::uint64_t, double>> rungs;
};

struct PlanCase {
  double max_t;
  int eta;
  std::vector<ExpectedBracket> brackets;
};

void ExpectPlan(const PlanCase& c) {
  SCOPED_TRACE(testing::Message() << "max_t=" << c.max_t << " eta=" << c.eta);
  const std::vector<BracketPlan> plan = hyperband_plan(c.max_t, c.eta);
  ASSERT_EQ(plan.size(), c.brackets.size());
  for (std::size_t b = 0; b < plan.size(); ++b) {
    SCOPED_TRACE(testing::Message() << "bracket s=" << c.brackets[b].s);
    EXPECT_EQ(plan[b].s, c.brackets[b].s);
    ASSERT_EQ(plan[b].rungs.size(), c.brackets[b].rungs.size());
    for (std::size_t i = 0; i < plan[b].rungs.size(); ++i) {
      EXPECT_EQ(plan[b].rungs[i].trials, c.brackets[b].rungs[i].first) << "rung " << i;
      EXPECT_DOUBLE_EQ(plan[b].rungs[i].resource, c.brackets[b].rungs[i].second) << "rung " << i;
    }
    // The last rung of every bracket is exactly max_t (R divided by eta^0).
    EXPECT_EQ(plan[b].rungs.back().resource, c.max_t);
  }
}

TEST(HyperbandPlan, MatchesTheTablesByHand) {
  const std::vector<PlanCase> cases = {
      // The Hyperband paper's table (Li et al. 2018, Table 1): R = 81, eta = 3, s_max = 4.
      // n = ceil(5 * 3^s / (s + 1)): s=4: 81, s=3: ceil(33.75) = 34, s=2: 15, s=1: ceil(7.5) = 8,
      // s=0: 5; rung i keeps floor(n / 3^i) at 81 / 3^(s-i).
      {81,
       3,
       {{4, {{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}}},
        {3, {{34, 3}, {11, 9}, {3, 27}, {1, 81}}},
        {2, {{15, 9}, {5, 27}, {1, 81}}},
        {1, {{8, 27}, {2, 81}}},
        {0, {{5, 81}}}}},
      // R = 243, eta = 3: 3^5 = 243 <= 243, so s_max = 5 (log_3(243) in floating point is
      // 4.999..., which would lose a bracket). n = ceil(6 * 3^s / (s + 1)):
      // s=5: 243, s=4: ceil(97.2) = 98, s=3: ceil(40.5) = 41, s=2: 18, s=1: 9, s=0: 6.
      {243,
       3,
       {{5, {{243, 1}, {81, 3}, {27, 9}, {9, 27}, {3, 81}, {1, 243}}},
        {4, {{98, 3}, {32, 9}, {10, 27}, {3, 81}, {1, 243}}},
        {3, {{41, 9}, {13, 27}, {4, 81}, {1, 243}}},
        {2, {{18, 27}, {6, 81}, {2, 243}}},
        {1, {{9, 81}, {3, 243}}},
        {0, {{6, 243}}}}},
      // R = 1000, eta = 10: s_max = 3. n = ceil(4 * 10^s / (s + 1)):
      // s=3: 1000, s=2: ceil(133.3) = 134, s=1: 20, s=0: 4.
      {1000,
       10,
       {{3, {{1000, 1}, {100, 10}, {10, 100}, {1, 1000}}},
        {2, {{134, 10}, {13, 100}, {1, 1000}}},
        {1, {{20, 100}, {2, 1000}}},
        {0, {{4, 1000}}}}},
      // The tiny plan the scheduler tests drive: R = 9, eta = 3, s_max = 2.
      // s=2: n = 9; s=1: ceil(4.5) = 5; s=0: 3.
      {9, 3, {{2, {{9, 1}, {3, 3}, {1, 9}}}, {1, {{5, 3}, {1, 9}}}, {0, {{3, 9}}}}},
      // R not a power of eta: R = 10, eta = 3 -> s_max = 2 (9 <= 10 < 27), resources 10/9, 10/3.
      {10,
       3,
       {{2, {{9, 10.0 / 9}, {3, 10.0 / 3}, {1, 10}}},
        {1, {{5, 10.0 / 3}, {1, 10}}},
        {0, {{3, 10}}}}},
      // R = 1: a single bracket with a single trial at 1.
      {1, 2, {{0, {{1, 1}}}}},
  };
  for (const PlanCase& c : cases) ExpectPlan(c);
}

TEST(HyperbandPlan, RejectsBadArguments) {
  const auto expect_invalid = [](double max_t, int eta) {
    try {
      hyperband_plan(max_t, eta);
      ADD_FAILURE() << "no error for max_t=" << max_t << " eta=" << eta;
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument()) << e.what();
    }
  };
  expect_invalid(81, 1);  // eta must be >= 2
  expect_invalid(81, 0);
  expect_invalid(0, 3);  // max_t must be >= 1
  expect_invalid(0.5, 3);
  expect_invalid(std::numeric_limits<double>::quiet_NaN(), 3);
  expect_invalid(1e300, 3);  // beyond 2^53: trial counts would not be exact
}

TEST(HyperbandPlan, NonIntegerEtaIsRejectedByTheScheduler) {
  // hyperband_plan takes an int; the scheduler's reduction_factor is a double and must be an
  // integer >= 2.
  for (double eta : {2.5, 1.0, 0.0, -3.0, std::numeric_limits<double>::quiet_NaN()}) {
    HyperbandOptions options;
    options.reduction_factor = eta;
    try {
      make_hyperband(options);
      ADD_FAILURE() << "no error for reduction_factor=" << eta;
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument()) << e.what();
      EXPECT_NE(std::string(e.what()).find("reduction_factor"), std::string::npos) << e.what();
    }
  }
  HyperbandOptions zero_max_t;
  zero_max_t.max_t = 0;
  EXPECT_THROW(make_hyperband(zero_max_t), Error);
}

}  // namespace
}  // namespace tuneq
