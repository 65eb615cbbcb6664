// Same seed, same space, same simulated curves => the same experiment, event for event, for
// every shipped scheduler; another seed => another experiment. This is what makes replay on
// resume and the simulator's numbers trustworthy.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "experiment_fixture.hpp"

namespace tuneq {
namespace {

// PBT over demo_space: lr perturbed or resampled, the optimizer moved in its list.
PbtOptions demo_pbt_options(bool synch) {
  PbtOptions o;
  o.mode = Mode::kMin;
  o.perturbation_interval = 4;
  o.synch = synch;
  o.seed = 11;
  o.hyperparam_mutations = {{"lr", Mutation::Resample(Domain::LogUniform(1e-4, 1e-1))},
                            {"optimizer", Mutation::List({"adam", "sgd"})}};
  return o;
}

struct SchedulerCase {
  const char* name;
  std::function<std::unique_ptr<Scheduler>()> make;
};

const SchedulerCase kSchedulers[] = {
    {"asha_promotion",
     [] {
       return make_asha_promotion(AshaOptions{Mode::kMin, 27, 1, 3, 1, true});
     }},
    {"asha_stopping",
     [] {
       return make_asha_stopping(AshaOptions{Mode::kMin, 27, 1, 3, 1, true});
     }},
    {"hyperband",
     [] {
       return make_hyperband(HyperbandOptions{Mode::kMin, 27, 3});
     }},
    {"median_stopping",
     [] {
       return make_median_stopping(MedianStoppingOptions{Mode::kMin, 3, 3, 0, true});
     }},
    {"pbt", [] { return make_pbt(demo_pbt_options(false)); }},
    {"pbt_synch", [] { return make_pbt(demo_pbt_options(true)); }},
};

// PB2 fits a GP at every exploit, so its population is smaller than the 200 trials above.
Pb2Options demo_pb2_options(bool synch, std::uint64_t seed) {
  Pb2Options o;
  o.mode = Mode::kMin;
  o.perturbation_interval = 4;
  o.synch = synch;
  o.seed = seed;
  o.hyperparam_bounds = {{"lr", {1e-4, 1e-1}}, {"dropout", {0, 0.5}}, {"width", {16, 256}}};
  return o;
}

TEST(Determinism, Pb2SameSeedSameEventsAnotherSeedAnotherExperiment) {
  for (const bool synch : {false, true}) {
    SCOPED_TRACE(synch ? "pb2 synch" : "pb2");
    const auto first =
        experiment::run_simulated(make_pb2(demo_pb2_options(synch, 11)), 7, 4, 16, 27, true);
    const auto second =
        experiment::run_simulated(make_pb2(demo_pb2_options(synch, 11)), 7, 4, 16, 27, true);
    const auto exploits =
        std::count_if(first.events.begin(), first.events.end(),
                      [](const Event& e) { return e.kind == Event::Kind::kExploit; });
    EXPECT_GE(exploits, 4);
    EXPECT_TRUE(first.events == second.events);
    EXPECT_EQ(first.result.best, second.result.best);
    EXPECT_EQ(first.result.best_value, second.result.best_value);
    const auto other =
        experiment::run_simulated(make_pb2(demo_pb2_options(synch, 12)), 8, 4, 16, 27, true);
    EXPECT_FALSE(first.events == other.events);
  }
}

TEST(Determinism, SameSeedGivesTheSameEventsAndBest) {
  for (const SchedulerCase& c : kSchedulers) {
    SCOPED_TRACE(c.name);
    const auto first = experiment::run_simulated(c.make(), 7, 8, 200, 27, true);
    const auto second = experiment::run_simulated(c.make(), 7, 8, 200, 27, true);
    ASSERT_GT(first.events.size(), 600u);  // 200 trials: added, started, finished at least
    EXPECT_EQ(first.events.size(), second.events.size());
    EXPECT_TRUE(first.events == second.events);
    ASSERT_TRUE(first.result.best.has_value());
    EXPECT_EQ(first.result.best, second.result.best);
    EXPECT_EQ(first.result.best_value, second.result.best_value);
    EXPECT_EQ(first.result.elapsed, second.result.elapsed);
    EXPECT_EQ(first.result.trials.size(), 200u);
  }
}

TEST(Determinism, AnotherSeedGivesAnotherExperiment) {
  for (const SchedulerCase& c : kSchedulers) {
    SCOPED_TRACE(c.name);
    const auto a = experiment::run_simulated(c.make(), 7, 8, 200, 27, true);
    const auto b = experiment::run_simulated(c.make(), 8, 8, 200, 27, true);
    if (std::string(c.name).rfind("pbt", 0) == 0) {  // the population did exploit
      EXPECT_NE(a.events.end(), std::find_if(a.events.begin(), a.events.end(), [](const Event& e) {
                  return e.kind == Event::Kind::kExploit;
                }));
    }
    EXPECT_FALSE(a.events == b.events);
    // The configs themselves differ, not only the order of what happens to them.
    EXPECT_NE(a.events.front().data, b.events.front().data);
  }
}

}  // namespace
}  // namespace tuneq
