#include "tuneq/rng.hpp"

#include <map>

#include <gtest/gtest.h>

namespace tuneq {
namespace {

TEST(Rng, SameSeedSameStream) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs |= x != c.next_u64();
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, TrialStreamsDependOnSeedAndIdOnly) {
  EXPECT_EQ(Rng::ForTrial(7, 3).next_u64(), Rng::ForTrial(7, 3).next_u64());
  EXPECT_NE(Rng::ForTrial(7, 3).next_u64(), Rng::ForTrial(7, 4).next_u64());
  EXPECT_NE(Rng::ForTrial(7, 3).next_u64(), Rng::ForTrial(3, 7).next_u64());
  EXPECT_NE(Rng::ForTrial(7, 3).next_u64(), Rng::ForStream(7, 0, 3).next_u64());
}

TEST(Rng, UniformStaysInItsHalfOpenRange) {
  Rng r(1);
  for (int i = 0; i < 10000; ++i) {
    const double x = r.uniform(2.0, 3.0);
    ASSERT_GE(x, 2.0);
    ASSERT_LT(x, 3.0);
  }
}

TEST(Rng, BelowIsRoughlyUniform) {
  Rng r(9);
  std::map<std::uint64_t, int> counts;
  for (int i = 0; i < 60000; ++i) ++counts[r.below(6)];
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [k, n] : counts) EXPECT_NEAR(n, 10000, 500) << k;
}

TEST(Rng, NormalHasUnitMoments) {
  Rng r(5);
  double sum = 0, sq = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    sum += x;
    sq += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.02);
  EXPECT_NEAR(sq / n, 1.0, 0.02);
}

}  // namespace
}  // namespace tuneq
