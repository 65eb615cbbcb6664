// PB2 end to end: the real tuneq binary on real trial processes (tests/trials/pb2_trial.py,
// whose accuracy grows fastest at lr = 0.04). The bandit's choices must reach the trials'
// command lines, stay inside the declared bounds and survive in the log's lineage.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace tuneq::testing {
namespace {

using ::testing::HasSubstr;

// Line 13 is the hyperparam_bounds line (the error test below points at it).
std::string pb2_spec(const std::string& bounds) {
  return "name: pb2\n"
         "command: /usr/bin/python3 " +
         (repo_root() / "tests/trials/pb2_trial.py").string() +
         " --lr {lr} --steps 12\n"
         "metric: acc\n"
         "mode: max\n"
         "resource: step\n"
         "space:\n"
         "  lr: grid([0.002, 0.02, 0.07, 0.095])\n"
         "searcher: {seed: 4}\n"
         "scheduler:\n"
         "  type: pb2\n"
         "  perturbation_interval: 2\n"
         "  synch: true\n"
         "  hyperparam_bounds: " +
         bounds +
         "\n"
         "pool: {cpu: 2}\n"
         "max_concurrent: 2\n";
}

TEST(CliPb2, SynchronousPopulationExploresInsideTheBounds) {
  ScratchDir d;
  d.write("exp.yaml", pb2_spec("{lr: [1.0e-4, 0.1]}"));
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  const Outcome exported = run_tuneq({"export", "out", "--format", "json"}, d.path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const nlohmann::json trials = nlohmann::json::parse(exported.out);
  ASSERT_EQ(trials.size(), 4U);
  const std::set<double> grid = {0.002, 0.02, 0.07, 0.095};
  int exploits = 0;
  std::set<double> explored;  // lr values the bandit chose (not a grid value)
  std::set<double> ran;       // lr values the trial processes reported running under
  for (const auto& t : trials) {
    EXPECT_EQ(t["status"], "completed") << t.dump();
    EXPECT_EQ(t["failures"], 0) << t["error"];
    // A trial exploited at the last boundary restarts from a step-12 checkpoint and ends at
    // once: its own last report may be from step 10.
    EXPECT_GE(t["results"].back()["resource"].get<double>(), 10.0);
    exploits += static_cast<int>(t["schedule"].size()) - 1;
    EXPECT_EQ(t["config"], t["schedule"].back()["config"]);
    for (const auto& step : t["schedule"]) {
      const double lr = step["config"]["lr"].get<double>();
      EXPECT_GE(lr, 1e-4);
      EXPECT_LE(lr, 0.1);
      if (grid.count(lr) == 0) explored.insert(lr);
    }
    for (const auto& r : t["results"]) ran.insert(r["lr"].get<double>());
  }
  EXPECT_GT(exploits, 0);
  ASSERT_FALSE(explored.empty()) << "the bandit never chose a new lr";
  // At least one chosen value was trained under: it reached a trial's command line.
  bool trained = false;
  for (const double lr : explored) trained = trained || ran.count(lr) > 0;
  EXPECT_TRUE(trained);

  const Outcome plan = run_tuneq({"plan", "exp.yaml"}, d.path());
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("population based bandits"));
}

TEST(CliPb2, BadBoundsAreASpecErrorAtTheirLine) {
  ScratchDir d;
  d.write("exp.yaml", pb2_spec("\n    lr: [0.1, 1.0e-4]"));
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(run.exit_code, 3) << run.err;  // spec error
  EXPECT_THAT(run.err, HasSubstr("exp.yaml:14: scheduler.hyperparam_bounds.lr: expected [low, "
                                 "high] with low < high; got [0.1, 0.0001]"));
}

}  // namespace
}  // namespace tuneq::testing
