#include "schedule/order_stats.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "schedule/asha_bracket.hpp"

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

// RunningQuantile (the stopping variant's cutoff, two heaps) must equal OrderStats::quantile on
// the same scores after every insert: same ranks, same interpolation, same infinities.
TEST(RunningQuantile, MatchesHandComputedPercentiles) {
  struct Case {
    double q;
    std::vector<double> scores;
    std::vector<double> expected;  // quantile after each insert
  };
  const Case cases[] = {
      // q = 2/3 (eta 3): {1} -> 1; {1,2} -> 1 + 2/3; {1,2,3} -> 2 + 1/3; {1,2,3,4} -> pos 2: 3.
      {2.0 / 3, {1, 2, 3, 4}, {1, 1 + 2.0 / 3, 2 + 1.0 / 3, 3}},
      // q = 1/2 (eta 2), arrivals out of order: {4} 4; {2,4} 3; {1,2,4} 2; {1,2,4,8} 3.
      {0.5, {4, 2, 1, 8}, {4, 3, 2, 3}},
      // q = 3/4 (eta 4) with ties: {5} 5; {5,5} 5; {0,5,5} pos 1.5: 5; {0,0,5,5} pos 2.25: 5.
      {0.75, {5, 5, 0, 0}, {5, 5, 5, 5}},
      // Infinities: {inf} inf; {1, inf} pos 0.5: inf; {-inf, 1, inf} pos 1: 1.
      {0.5, {kInf, 1, -kInf}, {kInf, kInf, 1}},
  };
  for (const Case& c : cases) {
    RunningQuantile running(c.q);
    for (std::size_t i = 0; i < c.scores.size(); ++i) {
      running.insert(c.scores[i]);
      EXPECT_DOUBLE_EQ(running.quantile(), c.expected[i]) << "q=" << c.q << " i=" << i;
      EXPECT_EQ(running.size(), i + 1);
    }
  }
}

RC_GTEST_PROP(RunningQuantile, EqualsOrderStatsQuantileAfterEveryInsert, ()) {
  const int eta = *rc::gen::inRange(2, 6);
  const double q = 1.0 - 1.0 / eta;
  const auto scores = *rc::gen::container<std::vector<double>>(rc::gen::weightedOneOf<double>(
      {{8, rc::gen::map(rc::gen::inRange(-8, 8), [](int x) { return x / 2.0; })},
       {1, rc::gen::just(kInf)},
       {1, rc::gen::just(-kInf)}}));
  RunningQuantile running(q);
  OrderStats tree;
  TrialId id = 0;
  for (double s : scores) {
    running.insert(s);
    tree.insert(s, id++);
    const double want = tree.quantile(q);
    const double got = running.quantile();
    RC_ASSERT(got == want);  // bitwise: the same two scores, the same arithmetic
  }
}

// TopFraction (the promotion variant's record of a rung) must say "in the top floor(n / eta)"
// exactly when OrderStats ranks the entry below floor(n / eta), after every insert, for every
// entry. Scores with many ties and infinities; ids out of order.
RC_GTEST_PROP(TopFraction, SplitsLikeOrderStatsRanks, ()) {
  const auto n = static_cast<std::size_t>(*rc::gen::inRange(0, 400));
  const int spread = *rc::gen::inRange(1, 50);
  const double eta = *rc::gen::element(2.0, 3.0, 4.0, 2.5);
  auto scores = *rc::gen::container<std::vector<int>>(n, rc::gen::inRange(-spread, spread));
  TopFraction top(eta);
  OrderStats tree;
  std::vector<std::pair<double, TrialId>> inserted;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const TrialId id = (i * 7919) % (scores.size() + 1);
    const double s = scores[i] == spread ? kInf : scores[i] == -spread ? -kInf : scores[i];
    top.insert(s, id);
    tree.insert(s, id);
    inserted.emplace_back(s, id);
    const auto k = static_cast<std::size_t>(std::floor(static_cast<double>(i + 1) / eta));
    RC_ASSERT(top.size() == i + 1);
    RC_ASSERT(top.top_size() == k);
    for (const auto& [score, who] : inserted) {
      RC_ASSERT(top.in_top(score, who) == (tree.rank(score, who) < k));
    }
  }
}

}  // namespace
}  // namespace tuneq::detail
