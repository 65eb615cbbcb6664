#include "sim/simulation.hpp"

#include <gtest/gtest.h>

#include "tuneq/error.hpp"

namespace tuneq::sim {
namespace {

Space branin_space() {
  Space s;
  s.add("x1", Domain::Uniform(-5, 10)).add("x2", Domain::Uniform(0, 15));
  return s;
}

TunerOptions options(std::uint64_t trials) {
  TunerOptions o;
  o.metric = "loss";
  o.resource_attr = "step";
  o.budget.max_trials = trials;
  return o;
}

SimulationOutcome fifo_on_branin(std::uint64_t seed, int workers, std::uint64_t trials) {
  const auto b = make_synthetic("branin", SyntheticOptions{5, seed});
  return run_simulation(options(trials), make_random_search(branin_space(), {seed, 0}),
                        make_fifo_scheduler(), *b, workers);
}

// FIFO, 20 trials of 5 steps on 4 workers. Every trial costs 100 lambda(1) = 100 s whatever its
// config, so the 20 trials run in 5 waves of 4: 500 s, all workers busy all the time; 100
// reports; compute 20 * 100 s and 20 * 5 steps.
TEST(Simulation, FifoOnBraninByHand) {
  const auto out = fifo_on_branin(1, 4, 20);
  EXPECT_EQ(out.result.trials.size(), 20u);
  EXPECT_EQ(out.reports, 100u);
  EXPECT_EQ(out.result.num_results, 100u);
  EXPECT_NEAR(out.result.elapsed, 500.0, 1e-9);
  EXPECT_NEAR(out.result.utilisation, 1.0, 1e-9);
  EXPECT_NEAR(out.compute_seconds, 2000.0, 1e-9);
  EXPECT_NEAR(out.compute_resource, 100.0, 1e-9);
}

TEST(Simulation, TrajectoryIsTheBestSoFarWithTheIncumbentsRegret) {
  const auto out = fifo_on_branin(3, 4, 40);
  ASSERT_FALSE(out.trajectory.empty());
  const auto b = make_synthetic("branin", SyntheticOptions{5, 3});
  for (std::size_t i = 1; i < out.trajectory.size(); ++i) {
    EXPECT_GE(out.trajectory[i].time, out.trajectory[i - 1].time);
    EXPECT_LT(out.trajectory[i].best, out.trajectory[i - 1].best);  // only improvements
  }
  for (const auto& p : out.trajectory) EXPECT_GE(p.regret, 0.0);
  // The last point is the tuner's best result; its regret is that trial's full-fidelity value
  // minus the optimum.
  ASSERT_TRUE(out.result.best.has_value());
  EXPECT_EQ(out.trajectory.back().best, out.result.best_value);
  const Config& best = out.result.trials[*out.result.best].config;
  EXPECT_DOUBLE_EQ(out.final_regret, b->final_value(best) - b->optimum());
}

TEST(Simulation, DeterministicForASeed) {
  const auto a = fifo_on_branin(7, 3, 30), same = fifo_on_branin(7, 3, 30),
             other = fifo_on_branin(8, 3, 30);
  ASSERT_EQ(a.trajectory.size(), same.trajectory.size());
  for (std::size_t i = 0; i < a.trajectory.size(); ++i) {
    EXPECT_EQ(a.trajectory[i].time, same.trajectory[i].time);
    EXPECT_EQ(a.trajectory[i].best, same.trajectory[i].best);
  }
  EXPECT_NE(a.result.best_value, other.result.best_value);
}

// ASHA stopping on the noisy curves: rungs at 1, 3, 9, 27 of 27 steps (eta 3), so most trials
// stop early and the compute spent is far below FIFO's 27 steps per trial.
TEST(Simulation, AshaStopsMostTrialsEarly) {
  Space s;
  s.add("lr", Domain::LogUniform(1e-4, 1)).add("width", Domain::Uniform(16, 512));
  s.add("dropout", Domain::Uniform(0, 0.5));
  const auto b = make_synthetic("curves", SyntheticOptions{27, 1});
  AshaOptions asha;
  asha.max_t = 27;
  asha.reduction_factor = 3;
  const auto out =
      run_simulation(options(300), make_random_search(s, {1, 0}), make_asha_stopping(asha), *b, 8);
  EXPECT_EQ(out.result.trials.size(), 300u);
  EXPECT_LT(out.compute_resource, 300.0 * 27 / 3);
  EXPECT_GE(out.compute_resource, 300.0);  // every trial reaches the first rung
  EXPECT_GT(out.result.utilisation, 0.9);
}

TEST(Simulation, NeedsAWorker) {
  const auto b = make_synthetic("branin", {});
  EXPECT_THROW(run_simulation(options(1), make_random_search(branin_space(), {}),
                              make_fifo_scheduler(), *b, 0),
               Error);
}

}  // namespace
}  // namespace tuneq::sim
