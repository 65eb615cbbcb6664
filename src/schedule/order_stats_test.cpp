#include "schedule/order_stats.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace tuneq::detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

OrderStats make(const std::vector<double>& scores) {
  OrderStats stats;
  TrialId id = 0;
  for (double s : scores) stats.insert(s, id++);
  return stats;
}

// numpy.percentile(scores, 100 q) with its default linear interpolation: sort ascending,
// pos = q (n - 1), result = x[floor(pos)] + (x[floor(pos) + 1] - x[floor(pos)]) * frac(pos).
// Every expectation below is computed by hand that way.
TEST(OrderStats, QuantileMatchesNumpyPercentileLinear) {
  struct Case {
    std::vector<double> scores;  // insertion order, deliberately unsorted
    double q;
    double expected;
  };
  const Case cases[] = {
      {{10}, 0.0, 10},  // one entry: every quantile is that entry
      {{10}, 0.7, 10},
      {{3, 1, 2}, 0.0, 1},          // q = 0: the minimum
      {{3, 1, 2}, 1.0, 3},          // q = 1: the maximum
      {{3, 1, 2}, 0.5, 2},          // pos = 1: exactly x[1]
      {{4, 1, 3, 2}, 0.5, 2.5},     // pos = 1.5: 2 + (3 - 2) * 0.5
      {{0, 10}, 0.3, 3},            // pos = 0.3: 0 + 10 * 0.3
      {{5, 1, 4, 2, 3}, 0.25, 2},   // pos = 1: x[1] = 2
      {{9, 1, 7, 3, 5}, 0.375, 4},  // pos = 1.5: 3 + (5 - 3) * 0.5
      {{9, 1, 7, 3, 5}, 0.625, 6},  // pos = 2.5: 5 + (7 - 5) * 0.5
      {{9, 1, 7, 3, 5}, 0.1, 1.8},  // pos = 0.4: 1 + (3 - 1) * 0.4
      {{2, 4}, 0.5, 3},             // Ray's _Bracket docstring: cutoff of {2, 4} at rf = 2
      {{2, 4, 1}, 0.5, 2},          // ... and of {2, 4, 1}
      {{-1, -2, -3}, 2.0 / 3, -1 - 2.0 / 3},  // pos = 4/3: -2 + (-1 - -2) / 3 = -5/3
      {{5, 2, 2, 2}, 0.5, 2},                 // ties: pos = 1.5 between 2 and 2
      {{5, 2, 2, 2}, 0.9, 4.1},               // pos = 2.7: 2 + (5 - 2) * 0.7
      {{2, 2, 2}, 0.3, 2},                    // all equal
  };
  for (const Case& c : cases) {
    const OrderStats stats = make(c.scores);
    EXPECT_NEAR(stats.quantile(c.q), c.expected, 1e-12)
        << "q=" << c.q << " first=" << c.scores.front() << " n=" << c.scores.size();
  }
}

TEST(OrderStats, QuantileOfThirdsIsNumpysTwoThirdsPercentile) {
  // ASHA with eta = 3 takes the (1 - 1/3) quantile. Of {1, 2, 3}: pos = 2/3 * 2 = 4/3, so
  // 2 + (3 - 2) / 3 = 2.333...
  EXPECT_NEAR(make({1, 2, 3}).quantile(1 - 1.0 / 3), 7.0 / 3, 1e-12);
}

TEST(OrderStats, QuantileWithInfinities) {
  struct Case {
    std::vector<double> scores;
    double q;
    double expected;
  };
  const Case cases[] = {
      {{kInf, kInf}, 0.5, kInf},  // inf == inf: no inf - inf = NaN
      {{-kInf, -kInf}, 0.5, -kInf},
      {{1, kInf}, 0.5, kInf},        // any positive weight on +inf gives +inf
      {{1, 2, kInf}, 0.75, kInf},    // pos = 1.5 between 2 and +inf
      {{1, 2, kInf}, 0.5, 2},        // pos = 1: exactly 2, inf not involved
      {{-kInf, 1, 2}, 0.25, -kInf},  // pos = 0.5 between -inf and 1
      {{-kInf, 1, 2}, 0.75, 1.5},    // pos = 1.5 between 1 and 2: finite
      {{-kInf, 1}, 1.0, 1},          // q = 1: the maximum
  };
  for (const Case& c : cases) {
    const double got = make(c.scores).quantile(c.q);
    EXPECT_FALSE(std::isnan(got)) << "q=" << c.q;
    EXPECT_EQ(got, c.expected) << "q=" << c.q << " n=" << c.scores.size();
  }
}

TEST(OrderStats, RanksBreakTiesByEarlierTrial) {
  OrderStats stats;
  stats.insert(3.0, 0);
  stats.insert(1.0, 1);
  stats.insert(3.0, 2);
  stats.insert(2.0, 3);
  // Best first: (3, #0), (3, #2), (2, #3), (1, #1).
  struct Case {
    double score;
    TrialId id;
    std::size_t rank;
  };
  const Case cases[] = {
      {3.0, 0, 0}, {3.0, 2, 1},  {2.0, 3, 2},
      {1.0, 1, 3}, {2.5, 99, 2},  // not a member: counts the entries ranked before it
      {9.0, 7, 0}, {-kInf, 0, 4}};
  for (const Case& c : cases) {
    EXPECT_EQ(stats.rank(c.score, c.id), c.rank) << c.score << " #" << c.id;
  }
  EXPECT_EQ(stats.kth_best(0), std::make_pair(3.0, TrialId{0}));
  EXPECT_EQ(stats.kth_best(1), std::make_pair(3.0, TrialId{2}));
  EXPECT_EQ(stats.kth_best(3), std::make_pair(1.0, TrialId{1}));
  EXPECT_EQ(stats.kth_smallest(0), 1.0);
  EXPECT_EQ(stats.kth_smallest(1), 2.0);
  EXPECT_EQ(stats.kth_smallest(3), 3.0);
}

TEST(OrderStats, EraseRemovesExactlyOneEntry) {
  OrderStats stats = make({3, 1, 3});  // (3, #0), (1, #1), (3, #2)
  EXPECT_EQ(stats.size(), 3u);
  EXPECT_FALSE(stats.erase(3.0, 5));  // right score, wrong trial
  EXPECT_TRUE(stats.erase(3.0, 0));
  EXPECT_FALSE(stats.erase(3.0, 0));  // already gone
  EXPECT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats.kth_best(0), std::make_pair(3.0, TrialId{2}));
  EXPECT_EQ(stats.rank(1.0, 1), 1u);
  EXPECT_TRUE(stats.erase(3.0, 2));
  EXPECT_TRUE(stats.erase(1.0, 1));
  EXPECT_TRUE(stats.empty());
}

TEST(OrderStats, InfinitiesRankAsNumbers) {
  OrderStats stats = make({-kInf, 0, kInf});
  EXPECT_EQ(stats.kth_best(0).first, kInf);
  EXPECT_EQ(stats.kth_best(2).first, -kInf);
  EXPECT_EQ(stats.rank(-kInf, 0), 2u);
}

}  // namespace
}  // namespace tuneq::detail
