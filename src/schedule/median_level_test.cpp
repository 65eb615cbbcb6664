// MedianLevel (the two 4-ary heaps behind the median stopping rule) against a sorted vector,
// with levels deep enough for several heap layers.
#include "schedule/median_level.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace tuneq::detail {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The sorted reference: entries worst first (RanksBelow order); the median as numpy computes it
// over the scores, with NaN ("no mean") ranked lowest and poisoning a middle average.
class SortedLevel {
 public:
  void insert(MedianEntry e) {
    entries_.insert(std::upper_bound(entries_.begin(), entries_.end(), e, RanksBelow{}), e);
  }
  void erase_at(std::size_t i) { entries_.erase(entries_.begin() + static_cast<long>(i)); }
  const std::vector<MedianEntry>& entries() const { return entries_; }

  double median_score() const {
    const std::size_t n = entries_.size();
    const double high = entries_[n / 2].score;
    if (n % 2 == 1) return high;
    const double low = entries_[n / 2 - 1].score;
    if (std::isnan(low) || std::isnan(high)) return kNan;
    return low == high ? low : std::midpoint(low, high);
  }

 private:
  std::vector<MedianEntry> entries_;
};

bool SameScore(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Runs `ops` random operations (insert, or erase of a present entry with probability
// erase_percent: a random one, or the median one to drain the window from inside) and compares
// the medians after each one.
void Compare(std::uint64_t seed, int ops, int erase_percent, const std::vector<double>& pool,
             bool erase_median = false) {
  std::mt19937_64 rng(seed);
  MedianLevel level;
  SortedLevel reference;
  TrialId next = 0;
  for (int op = 0; op < ops; ++op) {
    const bool erase =
        !reference.entries().empty() && static_cast<int>(rng() % 100) < erase_percent;
    if (erase) {
      const std::size_t n = reference.entries().size();
      const std::size_t i = erase_median ? n / 2 : rng() % n;
      ASSERT_TRUE(level.erase(reference.entries()[i])) << "op " << op;
      reference.erase_at(i);
    } else {
      const MedianEntry e{pool[rng() % pool.size()], next++};
      level.insert(e);
      reference.insert(e);
    }
    ASSERT_EQ(level.size(), reference.entries().size());
    if (level.empty()) continue;
    ASSERT_TRUE(SameScore(level.median_score(), reference.median_score()))
        << "op " << op << ": " << level.median_score() << " vs " << reference.median_score();
  }
}

TEST(MedianLevel, MatchesASortedVector) {
  std::vector<double> continuous;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0, 1);
  for (int i = 0; i < 4096; ++i) continuous.push_back(normal(rng));
  struct Case {
    const char* name;
    std::vector<double> pool;  // scores drawn uniformly from here
    int erase_percent;
    bool erase_median = false;
  };
  const std::vector<Case> cases = {
      {"continuous values", continuous, 0},
      {"continuous values with erases", continuous, 10},
      {"heavy ties", {0, 1, 2}, 5},
      {"NaN and infinities", {kNan, -kInf, kInf, 0, 1, kNan}, 10},
      {"mostly NaN", {kNan, kNan, kNan, 2}, 5},
      {"one value", {3}, 20},
      {"erasing at the median", continuous, 45, true},
      {"erasing at the median, ties and NaN", {kNan, 0, 1, 1, 2}, 45, true},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE(cases[c].name);
    Compare(c + 1, 5000, cases[c].erase_percent, cases[c].pool, cases[c].erase_median);
  }
}

TEST(MedianLevel, ForEachVisitsEveryEntryOnce) {
  MedianLevel level;
  for (TrialId id = 0; id < 100; ++id) level.insert({double(id % 7), id});
  std::vector<TrialId> seen;
  level.for_each([&](const MedianEntry& e) { seen.push_back(e.id); });
  std::sort(seen.begin(), seen.end());
  std::vector<TrialId> all(100);
  std::iota(all.begin(), all.end(), TrialId{0});
  EXPECT_EQ(seen, all);
  EXPECT_FALSE(level.erase({99.0, 5}));  // no such entry: trial 5 has score 5
  EXPECT_TRUE(level.erase({5.0, 5}));
  EXPECT_EQ(level.size(), 99u);
}

RC_GTEST_PROP(MedianLevelProperty, MatchesASortedVectorOnRandomOperations, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto ops = *rc::gen::inRange(1, 400);
  const auto erase_percent = *rc::gen::inRange(0, 50);
  const auto erase_median = *rc::gen::arbitrary<bool>();
  const auto pool =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<double>>(rc::gen::weightedOneOf<double>(
          {{8, rc::gen::map(rc::gen::inRange(-5, 5), [](int x) { return x / 2.0; })},
           {1, rc::gen::just(kNan)},
           {1, rc::gen::element(kInf, -kInf)}})));
  Compare(seed, ops, erase_percent, pool, erase_median);
  RC_ASSERT(!::testing::Test::HasFailure());
}

}  // namespace
}  // namespace tuneq::detail
