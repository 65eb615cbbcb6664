#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "schedule/pbt.hpp"
#include "tuneq/error.hpp"
#include "tuneq/rng.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq {
namespace {

using detail::explore_value;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<double> kFactors = {1.2, 0.8};

// Every value explore_value gives over many seeds (each seed its own stream).
std::set<Value> outcomes(const Value& current, const Mutation& m, double p,
                         const std::vector<double>& factors = kFactors) {
  std::set<Value> seen;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    Rng rng(seed);
    seen.insert(explore_value(current, m, p, factors, rng));
  }
  return seen;
}

const std::vector<Value> kList = {3, 4, 8, 10};

// ---- Explore rules (the table; resample probability 0 unless said) ----

struct ListCase {
  Value from;
  std::set<Value> expected;
};

TEST(PbtExplore, ListMovesToANeighbourClampedAtTheEnds) {
  const std::vector<ListCase> cases = {
      {4, {3, 8}},    // index 1 -> 0 or 2
      {3, {3, 4}},    // index 0 -> clamped 0, or 1
      {10, {8, 10}},  // index 3 -> 2, or clamped 3
      {8, {4, 10}},   // index 2 -> 1 or 3
  };
  for (const ListCase& c : cases) {
    EXPECT_EQ(outcomes(c.from, Mutation::List(kList), 0.0), c.expected) << c.from.to_string();
  }
}

TEST(PbtExplore, ListValueNotInTheListIsResampledEvenWithProbabilityZero) {
  EXPECT_EQ(outcomes(5, Mutation::List(kList), 0.0), (std::set<Value>{3, 4, 8, 10}));
  // 4.0 (a float) is not the int 4: resampled too.
  EXPECT_EQ(outcomes(4.0, Mutation::List(kList), 0.0), (std::set<Value>{3, 4, 8, 10}));
}

TEST(PbtExplore, ListResamplesWithProbabilityOne) {
  EXPECT_EQ(outcomes(4, Mutation::List(kList), 1.0), (std::set<Value>{3, 4, 8, 10}));
}

TEST(PbtExplore, ChoiceDomainIsExploredLikeItsList) {
  const Mutation m = Mutation::Resample(Domain::Choice({"sgd", "adam", "rmsprop"}));
  EXPECT_EQ(outcomes("adam", m, 0.0), (std::set<Value>{"sgd", "rmsprop"}));
  EXPECT_EQ(outcomes("sgd", m, 0.0), (std::set<Value>{"sgd", "adam"}));
}

TEST(PbtExplore, ContinuousValueIsMultipliedByAFactor) {
  const Mutation m = Mutation::Resample(Domain::Uniform(0, 1000));
  const std::set<Value> seen = outcomes(100.0, m, 0.0);
  ASSERT_EQ(seen.size(), 2U);
  // 100 * 0.8 = 80 and 100 * 1.2 = 120 (both exact in binary after rounding).
  EXPECT_DOUBLE_EQ(seen.begin()->as_float(), 80.0);
  EXPECT_DOUBLE_EQ(seen.rbegin()->as_float(), 120.0);
  for (const Value& v : seen) EXPECT_TRUE(v.is_float());
}

TEST(PbtExplore, IntStaysIntRoundedToNearest) {
  const Mutation m = Mutation::Resample(Domain::RandInt(1, 1000));
  EXPECT_EQ(outcomes(10, m, 0.0), (std::set<Value>{8, 12}));  // 10*0.8 = 8, 10*1.2 = 12
  EXPECT_EQ(outcomes(3, m, 0.0), (std::set<Value>{2, 4}));    // 2.4 -> 2, 3.6 -> 4
  // An int value under a float domain stays an int as well.
  EXPECT_EQ(outcomes(10, Mutation::Resample(Domain::Uniform(0, 100)), 0.0),
            (std::set<Value>{8, 12}));
}

TEST(PbtExplore, PerturbedValueIsClampedIntoTheDomain) {
  // uniform(0, 100): 90 * 1.2 = 108 -> 100; 90 * 0.8 = 72.
  EXPECT_EQ(outcomes(90.0, Mutation::Resample(Domain::Uniform(0, 100)), 0.0),
            (std::set<Value>{72.0, 100.0}));
  // randint(0, 10) excludes 10: 9 * 1.2 = 10.8 -> 9; 9 * 0.8 = 7.2 -> 7.
  EXPECT_EQ(outcomes(9, Mutation::Resample(Domain::RandInt(0, 10)), 0.0), (std::set<Value>{7, 9}));
  // loguniform(0.01, 1): 0.011 * 0.8 = 0.0088 -> 0.01.
  const std::set<Value> low = outcomes(0.011, Mutation::Resample(Domain::LogUniform(0.01, 1)), 0);
  EXPECT_DOUBLE_EQ(low.begin()->as_float(), 0.01);
  // randn has no bounds.
  EXPECT_EQ(outcomes(-5.0, Mutation::Resample(Domain::Randn(0, 1)), 0.0).size(), 2U);
}

TEST(PbtExplore, ResampleDrawsFromTheDomainAndKeepsTheType) {
  const Domain d = Domain::LogUniform(1e-4, 1e-1);
  for (const Value& v : outcomes(0.5, Mutation::Resample(d), 1.0)) {
    EXPECT_TRUE(v.is_float());
    EXPECT_TRUE(d.contains(v)) << v.to_string();
  }
  const Domain ints = Domain::RandInt(16, 64);
  for (const Value& v : outcomes(32, Mutation::Resample(ints), 1.0)) {
    EXPECT_TRUE(v.is_int());
    EXPECT_TRUE(ints.contains(v)) << v.to_string();
  }
}

TEST(PbtExplore, OtherFactorsAreHonoured) {
  EXPECT_EQ(outcomes(10.0, Mutation::Resample(Domain::Uniform(0, 100)), 0.0, {2.0}),
            (std::set<Value>{20.0}));
}

RC_GTEST_PROP(PbtExplore, ListResultIsAlwaysAListValue, (std::uint64_t seed, int from)) {
  const double p = static_cast<double>(seed % 5) / 4.0;
  Rng rng(seed);
  const Value v = explore_value(from % 12, Mutation::List(kList), p, kFactors, rng);
  RC_ASSERT(std::find(kList.begin(), kList.end(), v) != kList.end());
}

RC_GTEST_PROP(PbtExplore, BoundedDomainResultStaysInBounds, (std::uint64_t seed, double x)) {
  RC_PRE(std::isfinite(x));
  const Domain d = Domain::Uniform(-3, 7);
  Rng rng(seed);
  const double p = static_cast<double>(seed % 3) / 2.0;
  const Value v = explore_value(x, Mutation::Resample(d), p, kFactors, rng);
  RC_ASSERT(v.is_float());
  RC_ASSERT(v.as_float() >= -3.0);
  RC_ASSERT(v.as_float() <= 7.0);
}

// ---- Options ----

PbtOptions options(double interval = 1, Mode mode = Mode::kMax) {
  PbtOptions o;
  o.mode = mode;
  o.perturbation_interval = interval;
  o.hyperparam_mutations = {{"lr", Mutation::List({0.1, 0.2, 0.3})}};
  o.resample_probability = 0;
  o.seed = 7;
  return o;
}

Config config(double lr) {
  return {{"lr", lr}};
}

TEST(Pbt, OptionsAreValidatedNamingTheOption) {
  struct Case {
    void (*edit)(PbtOptions&);
    const char* message;
  };
  const std::vector<Case> cases = {
      {[](PbtOptions& o) { o.perturbation_interval = 0; },
       "PBT option perturbation_interval must be > 0 and finite, got 0"},
      {[](PbtOptions& o) { o.burn_in_period = -1; },
       "PBT option burn_in_period must be >= 0 and finite, got -1"},
      {[](PbtOptions& o) { o.quantile_fraction = 0.6; },
       "PBT option quantile_fraction must be in (0, 0.5], got 0.6"},
      {[](PbtOptions& o) { o.quantile_fraction = 0; },
       "PBT option quantile_fraction must be in (0, 0.5], got 0"},
      {[](PbtOptions& o) { o.resample_probability = 1.5; },
       "PBT option resample_probability must be in [0, 1], got 1.5"},
      {[](PbtOptions& o) { o.perturbation_factors = {}; },
       "PBT option perturbation_factors must not be empty"},
      {[](PbtOptions& o) {
         o.perturbation_factors = {1.2, -1};
       },
       "PBT option perturbation_factors must be > 0 and finite, got -1"},
      {[](PbtOptions& o) { o.hyperparam_mutations.clear(); },
       "PBT option hyperparam_mutations must name at least one parameter"},
      {[](PbtOptions& o) { o.hyperparam_mutations["lr"] = Mutation::List({}); },
       "PBT option hyperparam_mutations 'lr': the list of values is empty"},
      {[](PbtOptions& o) {
         o.hyperparam_mutations["lr"] = Mutation{Domain::Uniform(0, 1), {0.1}};
       },
       "PBT option hyperparam_mutations 'lr': give a domain or a list of values, not both"},
  };
  for (const Case& c : cases) {
    PbtOptions o = options();
    c.edit(o);
    try {
      make_pbt(o);
      ADD_FAILURE() << "no error for " << c.message;
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), c.message);
    }
  }
}

TEST(Pbt, ConfigWithoutAMutatedParameterIsRejected) {
  auto pbt = make_pbt(options());
  try {
    pbt->on_trial_added(0, {{"momentum", 0.9}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "PBT: hyperparam_mutations names 'lr', which trial 0's config does not have");
  }
  PbtOptions o = options();
  o.hyperparam_mutations = {{"lr", Mutation::Resample(Domain::Uniform(0, 1))}};
  auto numeric = make_pbt(o);
  try {
    numeric->on_trial_added(0, {{"lr", "fast"}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "PBT: hyperparam_mutations 'lr' is a numeric domain, but trial 0 has "
                 "'fast'");
  }
}

// ---- Quantiles ----

TEST(Pbt, QuantileSizeIsCeilCappedAtHalf) {
  // q = 0.25: ceil(n/4) capped at floor(n/2); q = 0.5: ceil(n/2) capped at floor(n/2).
  const std::size_t quarter[] = {0, 0, 1, 1, 1, 2, 2, 2, 2};  // n = 0..8
  const std::size_t half[] = {0, 0, 1, 1, 2, 2, 3, 3, 4};
  const std::size_t tenth[] = {0, 0, 1, 1, 1, 1, 1, 1, 1};  // ceil(0.1 n) = 1 for n <= 8
  for (std::size_t n = 0; n <= 8; ++n) {
    EXPECT_EQ(detail::pbt_quantile_size(n, 0.25), quarter[n]) << n;
    EXPECT_EQ(detail::pbt_quantile_size(n, 0.5), half[n]) << n;
    EXPECT_EQ(detail::pbt_quantile_size(n, 0.1), tenth[n]) << n;
  }
}

// N trials report at t = 1 (value = id, mode max) and then again at t = 2: at the second round the
// bottom k by score are ids 0..k-1 and only those are paused to exploit.
TEST(Pbt, BottomQuantileExploitsForPopulationsOfOneToEight) {
  for (std::size_t n = 1; n <= 8; ++n) {
    auto pbt = make_pbt(options());
    const LoopState busy{false, 0};
    for (TrialId id = 0; id < n; ++id) pbt->on_trial_added(id, config(0.2));
    for (TrialId id = 0; id < n; ++id) {
      pbt->on_checkpoint(id, 1);
      // Each arrival is the best so far: never in the bottom.
      EXPECT_EQ(pbt->on_result(id, {1, static_cast<double>(id)}, busy).action, Action::kContinue);
    }
    const std::size_t k = detail::pbt_quantile_size(n, 0.25);
    for (TrialId id = 0; id < n; ++id) {
      const Decision d = pbt->on_result(id, {2, static_cast<double>(id)}, busy);
      if (id < k) {
        EXPECT_EQ(d.action, Action::kPause) << "n " << n << " id " << id;
        EXPECT_EQ(d.reason().rfind(fmt::format("exploit: bottom {} of {}, clone trial ", k, n), 0),
                  0U)
            << d.reason();
        EXPECT_GE(d.args[2], static_cast<double>(n - k));  // a top-k trial
      } else {
        EXPECT_EQ(d.action, Action::kContinue) << "n " << n << " id " << id;
      }
    }
  }
}

TEST(Pbt, ModeMinRanksLowValuesOnTopAndNaNAtTheBottom) {
  auto pbt = make_pbt(options(1, Mode::kMin));
  const LoopState busy{false, 0};
  for (TrialId id = 0; id < 4; ++id) pbt->on_trial_added(id, config(0.2));
  const double values[] = {0.5, kNaN, 0.1, 0.3};
  // First round without checkpoints: nobody can be cloned yet.
  for (TrialId id = 0; id < 4; ++id) {
    EXPECT_EQ(pbt->on_result(id, {1, values[id]}, busy).action, Action::kContinue);
  }
  for (TrialId id = 0; id < 4; ++id) pbt->on_checkpoint(id, 1);
  // Ranking at t = 2 (min): NaN (1) worst, then 0.5 (0), 0.3 (3), 0.1 (2); k = 1.
  EXPECT_EQ(pbt->on_result(0, {2, 0.5}, busy).action, Action::kContinue);
  const Decision d = pbt->on_result(1, {2, kNaN}, busy);
  EXPECT_EQ(d.action, Action::kPause);
  EXPECT_EQ(d.reason(), "exploit: bottom 1 of 4, clone trial 2");  // the only top-1 trial
}

TEST(Pbt, NothingHappensBetweenBoundariesOrBeforeBurnIn) {
  PbtOptions o = options(2);
  o.burn_in_period = 5;
  auto pbt = make_pbt(o);
  const LoopState waiting{false, 3};  // others wait: a boundary would yield
  pbt->on_trial_added(0, config(0.2));
  pbt->on_trial_added(1, config(0.2));
  pbt->on_checkpoint(1, 1);
  for (double t = 1; t < 5; ++t) {  // burn-in: even the worst trial goes on
    EXPECT_EQ(pbt->on_result(0, {t, -100}, waiting).action, Action::kContinue) << t;
    EXPECT_EQ(pbt->on_result(1, {t, 100}, {false, 0}).action, Action::kContinue) << t;
  }
  // t = 5: first boundary. Trial 1 (best) has a checkpoint: trial 0 clones it.
  EXPECT_EQ(pbt->on_result(1, {5, 100}, {false, 0}).action, Action::kContinue);
  const Decision d = pbt->on_result(0, {5, -100}, waiting);
  EXPECT_EQ(d.reason(), "exploit: bottom 1 of 2, clone trial 1");
}

TEST(Pbt, TrialWithoutCheckpointIsNeverACloneSource) {
  auto pbt = make_pbt(options());
  const LoopState waiting{false, 1};
  pbt->on_trial_added(0, config(0.2));
  pbt->on_trial_added(1, config(0.2));
  pbt->on_result(1, {1, 100}, {false, 0});  // top, but no checkpoint
  const Decision d = pbt->on_result(0, {1, 0}, waiting);
  // No exploit; the trial yields because another waits.
  EXPECT_EQ(d.action, Action::kPause);
  EXPECT_EQ(d.reason(), "yield at 1: 1 trials waiting");
  EXPECT_EQ(pbt->take_exploit(0), std::nullopt);
}

TEST(Pbt, AsynchronousYieldsOnlyWhenSomeoneWaits) {
  auto pbt = make_pbt(options());
  pbt->on_trial_added(0, config(0.2));
  EXPECT_EQ(pbt->on_result(0, {1, 1}, {false, 0}).action, Action::kContinue);
  EXPECT_EQ(pbt->on_result(0, {2, 1}, {true, 1}).reason(), "yield at 2: 1 trials waiting");
}

TEST(Pbt, TakeExploitExploresTheSourceConfigAndCarriesTheCheckpointResource) {
  auto pbt = make_pbt(options());
  const LoopState busy{false, 0};
  pbt->on_trial_added(0, config(0.1));
  pbt->on_trial_added(1, config(0.2));
  pbt->on_checkpoint(1, 1);
  pbt->on_result(1, {1, 10}, busy);
  EXPECT_EQ(pbt->on_result(0, {1, 5}, busy).reason(), "exploit: bottom 1 of 2, clone trial 1");
  EXPECT_EQ(pbt->take_exploit(1), std::nullopt);  // not trial 1's
  const SlotChoice c = pbt->on_free_slot({false, 1});
  ASSERT_EQ(c.kind, SlotChoice::Kind::kResume);
  EXPECT_EQ(c.trial, 0U);
  const std::optional<Exploit> x = pbt->take_exploit(0);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->source, 1U);
  EXPECT_EQ(x->resource, 1);
  // lr 0.2 in [0.1, 0.2, 0.3] moves to a neighbour.
  const double lr = x->config.at("lr").as_float();
  EXPECT_TRUE(lr == 0.1 || lr == 0.3) << lr;
  EXPECT_EQ(pbt->take_exploit(0), std::nullopt);  // taken once
}

TEST(Pbt, ExploreDependsOnlyOnSeedTrialAndExploitCount) {
  // Two schedulers reach the same exploit through different unrelated calls in between.
  auto run = [](bool extra_calls) {
    auto pbt = make_pbt(options());
    const LoopState busy{false, 0};
    for (TrialId id = 0; id < 3; ++id) pbt->on_trial_added(id, config(0.2));
    pbt->on_checkpoint(2, 1);
    pbt->on_result(2, {1, 10}, busy);
    if (extra_calls) pbt->on_result(1, {1, 7}, busy);
    pbt->on_result(0, {1, 1}, busy);
    pbt->on_free_slot({false, 1});
    return pbt->take_exploit(0);
  };
  EXPECT_EQ(run(false), run(true));
}

TEST(Pbt, FreeSlotStartsNewThenResumesTheLeastTrained) {
  auto pbt = make_pbt(options());
  for (TrialId id = 0; id < 3; ++id) pbt->on_trial_added(id, config(0.2));
  pbt->on_result(0, {3, 1}, {true, 1});  // yields at 3
  pbt->on_result(1, {1, 1}, {true, 1});  // yields at 1
  EXPECT_EQ(pbt->on_free_slot({true, 3}).kind, SlotChoice::Kind::kStartNew);
  const SlotChoice c = pbt->on_free_slot({false, 2});
  EXPECT_EQ(c.kind, SlotChoice::Kind::kResume);
  EXPECT_EQ(c.trial, 1U);
  EXPECT_EQ(pbt->on_free_slot({false, 1}).trial, 0U);
  EXPECT_EQ(pbt->on_free_slot({false, 0}).kind, SlotChoice::Kind::kWait);
}

// ---- Synchronous mode ----

TEST(PbtSynch, EveryTrialWaitsForTheSlowestThenThePopulationIsRanked) {
  PbtOptions o = options();
  o.synch = true;
  auto pbt = make_pbt(o);
  for (TrialId id = 0; id < 3; ++id) pbt->on_trial_added(id, config(0.2));
  pbt->on_no_more_trials();
  const LoopState loop{false, 0};
  for (TrialId id = 0; id < 3; ++id) pbt->on_checkpoint(id, 1);
  EXPECT_EQ(pbt->on_result(0, {1, 30}, loop).reason(),
            "synch: waiting at 1 for 2 trials to reach 1");
  EXPECT_EQ(pbt->on_result(2, {1, 10}, loop).reason(),
            "synch: waiting at 1 for 1 trials to reach 1");
  // Nobody behind the barrier may resume: the waiting trials are not candidates.
  EXPECT_EQ(pbt->on_free_slot(loop).kind, SlotChoice::Kind::kWait);
  // The slowest arrives: ranked (10 < 20 < 30): trial 2 is the bottom 1 of 3 and clones trial 0.
  EXPECT_EQ(pbt->on_result(1, {1, 20}, loop).reason(), "synch: population ranked at 1 (3 trials)");
  const SlotChoice first = pbt->on_free_slot(loop);
  ASSERT_EQ(first.kind, SlotChoice::Kind::kResume);
  EXPECT_EQ(first.trial, 0U);  // all at 1: lowest id first
  EXPECT_EQ(pbt->take_exploit(0), std::nullopt);
  EXPECT_EQ(pbt->on_free_slot(loop).trial, 1U);
  EXPECT_EQ(pbt->on_free_slot(loop).trial, 2U);
  const std::optional<Exploit> x = pbt->take_exploit(2);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->source, 0U);
}

TEST(PbtSynch, NoRankingWhileTrialsCanStillBeAdded) {
  PbtOptions o = options();
  o.synch = true;
  auto pbt = make_pbt(o);
  pbt->on_trial_added(0, config(0.2));
  EXPECT_EQ(pbt->on_result(0, {1, 1}, {true, 1}).reason(),
            "synch: waiting at 1 for 0 trials to reach 1");
  EXPECT_EQ(pbt->on_free_slot({true, 1}).kind, SlotChoice::Kind::kStartNew);
  pbt->on_trial_added(1, config(0.2));
  pbt->on_no_more_trials();
  EXPECT_EQ(pbt->on_result(1, {1, 2}, {false, 1}).reason(),
            "synch: population ranked at 1 (2 trials)");
}

TEST(PbtSynch, ATrialFinishingBehindTheBarrierReleasesTheOthers) {
  PbtOptions o = options();
  o.synch = true;
  auto pbt = make_pbt(o);
  for (TrialId id = 0; id < 3; ++id) pbt->on_trial_added(id, config(0.2));
  pbt->on_no_more_trials();
  const LoopState loop{false, 0};
  pbt->on_checkpoint(0, 1);
  pbt->on_result(0, {1, 30}, loop);
  pbt->on_result(1, {1, 10}, loop);
  EXPECT_EQ(pbt->on_free_slot(loop).kind, SlotChoice::Kind::kWait);
  pbt->on_trial_finished(2, TrialEnd::kFailed);  // Ray would wait for it forever
  // Ranked: trial 1 is the bottom 1 of 2 and clones trial 0; both run again.
  EXPECT_EQ(pbt->on_free_slot(loop).trial, 0U);
  EXPECT_EQ(pbt->on_free_slot(loop).trial, 1U);
  const std::optional<Exploit> x = pbt->take_exploit(1);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->source, 0U);
}

}  // namespace
}  // namespace tuneq
