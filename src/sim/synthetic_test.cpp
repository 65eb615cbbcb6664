#include <cmath>
#include <numbers>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim/benchmark.hpp"
#include "tuneq/error.hpp"

namespace tuneq::sim {
namespace {

constexpr double kPi = std::numbers::pi;

std::unique_ptr<Benchmark> make(const std::string& name, std::uint64_t steps = 10,
                                std::uint64_t seed = 0) {
  return make_synthetic(name, SyntheticOptions{steps, seed});
}

Config point(const std::vector<double>& xs) {
  Config c;
  for (std::size_t i = 0; i < xs.size(); ++i) c[fmt::format("x{}", i + 1)] = xs[i];
  return c;
}

struct KnownOptimum {
  const char* benchmark;
  std::vector<double> minimiser;
  double value;      // the literature's value at the (rounded) minimiser
  double tolerance;  // the minimiser is given to ~6 digits
};

// Full fidelity (the last step) at the published minimisers equals the published optimum:
//   Branin 0.397887357729738 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475);
//   Hartmann-3 -3.86278 at (0.114614, 0.555649, 0.852547);
//   Hartmann-6 -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)
//   (Surjanovic and Bingham's test-function library; Hartmann negated: we minimise).
TEST(SyntheticBenchmark, KnownOptimaAtTheKnownMinimisersAtFullFidelity) {
  const std::vector<KnownOptimum> table = {
      {"branin", {-kPi, 12.275}, 0.397887357729738, 1e-9},
      {"branin", {kPi, 2.275}, 0.397887357729738, 1e-9},
      {"branin", {9.42478, 2.475}, 0.397887357729738, 1e-6},
      {"hartmann3", {0.114614, 0.555649, 0.852547}, -3.86278, 1e-5},
      {"hartmann6", {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}, -3.32237, 1e-5},
  };
  for (const auto& row : table) {
    const auto b = make(row.benchmark, 27);
    const Config c = point(row.minimiser);
    EXPECT_NEAR(b->final_value(c), row.value, row.tolerance) << row.benchmark;
    EXPECT_EQ(b->value(c, 27), b->final_value(c)) << row.benchmark;
    EXPECT_NEAR(b->optimum(), row.value, row.tolerance) << row.benchmark;
    EXPECT_GE(b->final_value(c), b->optimum() - 1e-9) << row.benchmark;
  }
}

// Lower fidelity perturbs the constants (BOCA): b - 0.01(1-z), c - 0.1(1-z), t + 0.05(1-z) for
// Branin; alpha_i - 0.1(1-z) for Hartmann. Values computed by hand (Python, same formulas):
//   Branin (pi, 2.275), z = 0:  0.9443117574834332
//   Branin (0, 0), z = 1: 55.602112642270264; z = 0.5 (t only, x1 = 0): 55.352112642270264
//   Hartmann-3 minimiser, z = 0: -3.7054610928262526
TEST(SyntheticBenchmark, LowerFidelityPerturbsTheConstants) {
  const auto branin = make("branin", 2);  // step 1 is z = 0.5, step 2 is z = 1
  EXPECT_NEAR(branin->value(point({0, 0}), 2), 55.602112642270264, 1e-9);
  EXPECT_NEAR(branin->value(point({0, 0}), 1), 55.352112642270264, 1e-9);
  const auto branin_many = make("branin", 1000000);  // step 1 is z = 1e-6, nearly 0
  EXPECT_NEAR(branin_many->value(point({kPi, 2.275}), 1), 0.9443117574834332, 1e-4);
  const auto h3 = make("hartmann3", 1000000);
  EXPECT_NEAR(h3->value(point({0.114614, 0.555649, 0.852547}), 1), -3.7054610928262526, 1e-5);
}

// Cost of reaching fidelity z: 100 (0.05 + 0.95 z^3) s. With 3 steps (z = 1/3, 2/3, 1):
//   step 1: 100 (0.05 + 0.95/27)       = 8.518518...
//   step 2: 100 * 0.95 (8 - 1) / 27    = 24.629629...
//   step 3: 100 * 0.95 (27 - 8) / 27   = 66.851851...   (sum 100)
TEST(SyntheticBenchmark, StepCostsByHand) {
  for (const char* name : {"branin", "hartmann3", "hartmann6"}) {
    const auto b = make(name, 3);
    const Config c = point(std::vector<double>(b->parameters().size(), 0.5));
    EXPECT_NEAR(b->step_cost(c, 1), 100 * (0.05 + 0.95 / 27), 1e-9) << name;
    EXPECT_NEAR(b->step_cost(c, 2), 100 * 0.95 * 7 / 27, 1e-9) << name;
    EXPECT_NEAR(b->step_cost(c, 3), 100 * 0.95 * 19 / 27, 1e-9) << name;
    EXPECT_EQ(b->steps(c), 3u);
    EXPECT_EQ(b->resource(c, 2), 2.0);
  }
}

RC_GTEST_PROP(SyntheticBenchmark, CostGrowsWithFidelity, ()) {
  const std::string name = *rc::gen::element<std::string>("branin", "hartmann3", "hartmann6");
  const auto steps = *rc::gen::inRange<std::uint64_t>(1, 300);
  const auto b = make(name, steps);
  const Config c = name == "branin" ? point({1, 1}) : point({0.3, 0.3, 0.3, 0.3, 0.3, 0.3});
  double total = 0, previous_step = 0;
  for (std::uint64_t k = 1; k <= steps; ++k) {
    const double cost = b->step_cost(c, k);
    RC_ASSERT(cost > 0);
    // lambda is convex: from the second step on each step costs more (the first also pays the
    // 0.05 startup)
    if (k > 2) RC_ASSERT(cost > previous_step);
    previous_step = cost;
    total += cost;
  }
  RC_ASSERT(std::abs(total - 100.0) < 1e-6);  // a full trial costs 100 lambda(1) = 100 s
}

Config curves_config(double lr, double width, double dropout) {
  return Config{{"lr", lr}, {"width", width}, {"dropout", dropout}};
}

// The optimum of curves: lr = 10^-1.5, width = 264, dropout = 0.2 (u* = (0.625, 0.5, 0.4)), where
// the final value is 0.1; far away (lr = 1, width = 16, dropout = 0.5: u = (1, 0, 1), d^2 =
// (0.140625 + 0.25 + 0.36) / 3 = 0.25020833) it is 0.1 + 1.2 d^2 = 0.40025.
TEST(CurvesBenchmark, FinalValuesByHand) {
  const auto b = make("curves", 81);
  EXPECT_NEAR(b->final_value(curves_config(std::pow(10, -1.5), 264, 0.2)), 0.1, 1e-12);
  EXPECT_NEAR(b->final_value(curves_config(1, 16, 0.5)), 0.40025, 1e-12);
  EXPECT_EQ(b->optimum(), 0.1);
  // Step cost 1 + 2 (width - 16) / 496 seconds: width 264 -> 2 s.
  EXPECT_NEAR(b->step_cost(curves_config(0.01, 264, 0.2), 5), 2.0, 1e-12);
}

TEST(CurvesBenchmark, NoiseIsDeterministicPerSeedAndCentred) {
  const auto a = make("curves", 100, 1), same = make("curves", 100, 1),
             other = make("curves", 100, 2);
  const Config c = curves_config(0.01, 100, 0.1);
  EXPECT_EQ(a->value(c, 7), same->value(c, 7));
  EXPECT_NE(a->value(c, 7), other->value(c, 7));
  // At the last step the mean is the final value; the noise has sd 0.02 and mean 0.
  double sum = 0, sum2 = 0;
  const int n = 2000;
  for (int s = 0; s < n; ++s) {
    const double e = make("curves", 100, s)->value(c, 100) - a->final_value(c);
    sum += e;
    sum2 += e * e;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.002);               // 0.02 / sqrt(2000) = 0.00045 per sd
  EXPECT_NEAR(std::sqrt(sum2 / n), 0.02, 0.002);  // sd of the sd estimate ~ 0.0003
}

// Crossings: every config at RMS distance >= 0.3 from the optimum (in the unit cube) looks better
// than the optimum a tenth of the way in, and ends worse. A scheduler that judges by early values
// drops the best config.
RC_GTEST_PROP(CurvesBenchmark, FastStartersEndWorse, ()) {
  const double u0 = *rc::gen::inRange(0, 1001) / 1000.0;
  const double u1 = *rc::gen::inRange(0, 1001) / 1000.0;
  const double u2 = *rc::gen::inRange(0, 1001) / 1000.0;
  const double d2 =
      ((u0 - 0.625) * (u0 - 0.625) + (u1 - 0.5) * (u1 - 0.5) + (u2 - 0.4) * (u2 - 0.4)) / 3;
  RC_PRE(d2 >= 0.09);
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  const auto b = make("curves", 100, seed);
  const Config far = curves_config(std::pow(10, 4 * u0 - 4), 16 + 496 * u1, 0.5 * u2);
  const Config best = curves_config(std::pow(10, -1.5), 264, 0.2);
  RC_ASSERT(b->value(far, 10) < b->value(best, 10));  // noisy, but the gap is > 0.15
  RC_ASSERT(b->final_value(far) > b->final_value(best));
}

TEST(SyntheticBenchmark, UnknownNameListsTheKnownOnes) {
  try {
    make("brannin");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound());
    EXPECT_STREQ(e.what(),
                 "unknown benchmark 'brannin'; expected one of branin, hartmann3, hartmann6, "
                 "curves or a FILE.csv");
  }
}

std::string space_error(const std::string& benchmark, const Space& space) {
  try {
    check_space(*make(benchmark), space, "exp.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CheckSpace, AcceptsDomainsWithinTheRanges) {
  Space s;
  s.add("x1", Domain::Uniform(-5, 10)).add("x2", Domain::QUniform(0, 15, 0.5));
  EXPECT_EQ(space_error("branin", s), "");
  Space h;
  h.add("x1", Domain::Choice({0.0, 1.0})).add("x2", Domain::Uniform(0.2, 0.3));
  h.add("x3", Domain::Grid({0.5}));
  EXPECT_EQ(space_error("hartmann3", h), "");
  Space c;
  c.add("lr", Domain::LogUniform(1e-4, 1)).add("width", Domain::RandInt(16, 513));
  c.add("dropout", Domain::Uniform(0, 0.5));
  EXPECT_EQ(space_error("curves", c), "");
}

TEST(CheckSpace, MessagesNameBothSides) {
  Space names;
  names.add("x", Domain::Uniform(0, 1)).add("x2", Domain::Uniform(0, 1));
  EXPECT_EQ(space_error("branin", names),
            "exp.yaml: space: the spec's parameters (x, x2) do not match those of benchmark "
            "'branin' (x1 in [-5, 10], x2 in [0, 15]); the space must name exactly the "
            "benchmark's parameters");
  Space wide;
  wide.add("x1", Domain::Uniform(-10, 10)).add("x2", Domain::Uniform(0, 15));
  EXPECT_EQ(space_error("branin", wide),
            "exp.yaml: space.x1: uniform(-10, 10) reaches outside benchmark 'branin''s range "
            "(x1 in [-5, 10])");
  Space open_int;  // randint's high is exclusive: randint(16, 514) reaches 513 > 512
  open_int.add("lr", Domain::LogUniform(1e-4, 1)).add("width", Domain::RandInt(16, 514));
  open_int.add("dropout", Domain::Uniform(0, 0.5));
  EXPECT_EQ(space_error("curves", open_int),
            "exp.yaml: space.width: randint(16, 514) reaches outside benchmark 'curves''s range "
            "(width in [16, 512])");
  Space normal;
  normal.add("x1", Domain::Randn(0, 1)).add("x2", Domain::Uniform(0, 15));
  EXPECT_EQ(space_error("branin", normal),
            "exp.yaml: space.x1: randn(0, 1) is unbounded, but benchmark 'branin' is defined on "
            "x1 in [-5, 10] only");
  Space text;
  text.add("x1", Domain::Choice({"a", "b"})).add("x2", Domain::Uniform(0, 15));
  EXPECT_EQ(space_error("branin", text),
            "exp.yaml: space.x1: choice([\"a\", \"b\"]) holds 'a', but the benchmark's parameter "
            "is numeric");
}

}  // namespace
}  // namespace tuneq::sim
