// Properties of PB2's GP bandit over generated populations: the new setting is always inside the
// bounds, pending points never raise a variance nor move a mean, and on a smooth 1-d reward-change
// function the suggestion lands near the function's argmax once the data cover the range.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "schedule/pb2_bandit.hpp"

namespace tuneq::detail {
namespace {

// A population of `trials` trials reporting at times 1..steps; each keeps a random config for a
// few steps, then jumps to another (as after an exploit). Rewards are random walks.
std::vector<Pb2Observation> RandomPopulation(Rng& rng, const std::vector<Pb2Bound>& bounds,
                                             int trials, int steps) {
  std::vector<Pb2Observation> obs;
  for (int i = 0; i < trials; ++i) {
    std::vector<double> x(bounds.size());
    double reward = rng.uniform(-5, 5);
    for (int t = 1; t <= steps; ++t) {
      if (t == 1 || rng.below(4) == 0) {
        for (std::size_t j = 0; j < bounds.size(); ++j) {
          x[j] = rng.uniform(bounds[j].low, bounds[j].high);
        }
      }
      reward += rng.normal();
      obs.push_back({static_cast<TrialId>(i), static_cast<double>(t), x, reward});
    }
  }
  return obs;
}

RC_GTEST_PROP(Pb2BanditProperty, TheNewSettingIsInsideTheBounds, ()) {
  const auto d = *rc::gen::inRange<std::size_t>(1, 4);
  const auto trials = *rc::gen::inRange(2, 7);
  const auto steps = *rc::gen::inRange(2, 8);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  Rng rng(seed);
  std::vector<Pb2Bound> bounds;
  for (std::size_t j = 0; j < d; ++j) {
    const double low = rng.uniform(-100, 100);
    const double width = std::pow(10.0, rng.uniform(-4, 3));
    bounds.push_back({low, low + width});
  }
  const std::vector<Pb2Observation> obs = RandomPopulation(rng, bounds, trials, steps);
  std::vector<std::vector<double>> pending(*rc::gen::inRange(0, 4));
  for (auto& p : pending) {
    for (const Pb2Bound& b : bounds) p.push_back(rng.uniform(b.low, b.high));
  }
  Pb2BanditOptions options;
  options.candidates = 64;
  const auto source = static_cast<TrialId>(rng.below(static_cast<std::uint64_t>(trials)));
  const auto choice = pb2_select(obs, bounds, source, pending, options, rng);
  // No answer exactly when the source has no row (a config jump can leave a trial without one).
  const std::vector<Pb2Row> rows = pb2_rows(obs, options.max_rows);
  const bool has_row =
      std::any_of(rows.begin(), rows.end(), [&](const Pb2Row& r) { return r.trial == source; });
  RC_ASSERT(choice.has_value() == has_row);
  if (!choice) return;
  RC_ASSERT(choice->x.size() == d);
  for (std::size_t j = 0; j < d; ++j) {
    RC_ASSERT(choice->x[j] >= bounds[j].low);
    RC_ASSERT(choice->x[j] <= bounds[j].high);
    RC_ASSERT(choice->unit_x[j] >= 0.0);
    RC_ASSERT(choice->unit_x[j] <= 1.0);
  }
  RC_ASSERT(std::isfinite(choice->acquisition));
}

RC_GTEST_PROP(Pb2BanditProperty, PendingPointsKeepMeansAndNeverRaiseVariances, ()) {
  const auto n = *rc::gen::inRange(1, 15);
  const auto p = *rc::gen::inRange(1, 4);
  Rng rng(*rc::gen::arbitrary<std::uint64_t>());
  const TvKernel kernel{rng.uniform(0.2, 3), rng.uniform(0.01, 1), rng.uniform(0, 0.5),
                        rng.uniform(1e-3, 0.5)};
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    x.row(i) << rng.uniform01(), rng.uniform01(), rng.uniform01();
    y(i) = rng.uniform(-2, 2);
  }
  Eigen::MatrixXd pending(p, 3);
  for (int i = 0; i < p; ++i) pending.row(i) << 1.0, rng.uniform01(), rng.uniform01();
  const TvGp gp(x, y, kernel);
  const TvGp with = gp.with_pending(pending);
  for (int q = 0; q < 20; ++q) {
    Eigen::RowVectorXd at(3);
    at << rng.uniform01(), rng.uniform01(), rng.uniform01();
    if (q < p) at = pending.row(q);
    const TvGp::Prediction before = gp.predict(at);
    const TvGp::Prediction after = with.predict(at);
    RC_ASSERT(std::abs(after.mean - before.mean) <= 1e-6 * (1 + std::abs(before.mean)));
    RC_ASSERT(after.variance <= before.variance + 1e-9);
    if (q < p) RC_ASSERT(after.variance < before.variance);  // strictly lower at the point
  }
}

// Reward change g(u) = exp(-(u - u*)^2 / (2 * 0.12^2)) of the normalised setting u, observed with
// small noise at 60 settings spread over [0, 1] (one per sixtieth, jittered) and times 0..59.
// With data covering the range, UCB's exploration bonus is small everywhere and its maximiser is
// the mean's: within 0.08 of u*.
RC_GTEST_PROP(Pb2BanditProperty, SuggestionLandsNearTheArgmaxOfASmoothFunction, ()) {
  const double best = *rc::gen::inRange(15, 86) / 100.0;
  Rng rng(*rc::gen::arbitrary<std::uint64_t>());
  const int n = 60;
  std::vector<Pb2Row> rows;
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  for (int i = n - 1; i > 0; --i) {  // shuffle which setting is tried when
    std::swap(order[static_cast<std::size_t>(i)],
              order[rng.below(static_cast<std::uint64_t>(i + 1))]);
  }
  for (int i = 0; i < n; ++i) {
    const double u = (order[static_cast<std::size_t>(i)] + rng.uniform01()) / n;
    const double g = std::exp(-std::pow(u - best, 2) / (2 * 0.12 * 0.12)) + 0.02 * rng.normal();
    rows.push_back({static_cast<TrialId>(i % 8), static_cast<double>(i), 1.0, 1.0 + g, {u}, g});
  }
  const std::vector<Pb2Bound> bounds = {{0, 1}};
  const Pb2Dataset ds = pb2_dataset(rows, bounds, rows.back());
  Pb2BanditOptions options;
  options.candidates = 64;
  const Pb2Choice choice = pb2_choose(ds, bounds, {}, options, rng);
  RC_ASSERT(std::abs(choice.unit_x[0] - best) < 0.08);
}

}  // namespace
}  // namespace tuneq::detail
