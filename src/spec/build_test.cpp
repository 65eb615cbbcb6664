#include "spec/build.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "spec/experiment_spec.hpp"

namespace tuneq::spec {
namespace {

// A spec with `extra` top-level lines; `space` holds block-style parameter lines.
ExperimentSpec spec_with(const std::string& extra,
                         const std::string& space = "  lr: uniform(0, 1)\n",
                         const std::string& mode = "min") {
  return parse_spec(
      "name: b\ncommand: run\nmetric: loss\nmode: " + mode + "\nspace:\n" + space + extra,
      "b.yaml");
}

// Decisions (action, completed, reason) of a scheduler fed a fixed script: 9 trials reporting at
// resources 1, 3, 9, 27 with values that differ per trial, in round-robin order.
std::vector<std::string> decisions(Scheduler& s) {
  std::vector<std::string> out;
  for (TrialId id = 0; id < 9; ++id) s.on_trial_added(id, {});
  for (double r : {1.0, 3.0, 9.0, 27.0}) {
    for (TrialId id = 0; id < 9; ++id) {
      const double value = static_cast<double>((id * 7) % 9) / r;
      const Decision d = s.on_result(id, Result{r, value}, LoopState{});
      out.push_back(fmt::format("{}:{}:{}:{}", id, to_string(d.action), d.completed, d.reason()));
    }
  }
  return out;
}

TEST(SpecBuild, SchedulerTypeAndVariantPickTheFactory) {
  EXPECT_EQ(make_scheduler(spec_with(""))->name(), "fifo");
  EXPECT_EQ(make_scheduler(spec_with("scheduler: asha\n"))->name(), "asha_stopping");
  EXPECT_EQ(make_scheduler(spec_with("scheduler: {type: asha, variant: promotion}\n"))->name(),
            "asha_promotion");
  EXPECT_EQ(make_scheduler(spec_with("scheduler: hyperband\n"))->name(), "hyperband");
  EXPECT_EQ(make_scheduler(spec_with("scheduler: median\n"))->name(), "median_stopping");
}

TEST(SpecBuild, AshaOptionsAndTheTopLevelModeAreCarried) {
  const ExperimentSpec spec =
      spec_with("scheduler: {type: asha, max_t: 27, grace_period: 1, reduction_factor: 3}\n",
                "  lr: uniform(0, 1)\n", "max");
  AshaOptions expected;
  expected.mode = Mode::kMax;
  expected.max_t = 27;
  expected.grace_period = 1;
  expected.reduction_factor = 3;
  auto built = make_scheduler(spec);
  auto direct = make_asha_stopping(expected);
  const auto got = decisions(*built);
  EXPECT_EQ(got, decisions(*direct));
  // The script is sensitive to the options: the defaults (min mode, max_t 100, eta 4) decide
  // otherwise, and max_t 27 completes trials that reach it.
  EXPECT_NE(got, decisions(*make_asha_stopping(AshaOptions{})));
  EXPECT_NE(std::find_if(got.begin(), got.end(),
                         [](const std::string& d) {
                           return d.find("true:reached max_t 27") != std::string::npos;
                         }),
            got.end());
}

TEST(SpecBuild, MedianAndHyperbandOptionsAreCarried) {
  MedianStoppingOptions median;
  median.mode = Mode::kMin;
  median.grace_period = 2;
  median.min_samples_required = 2;
  auto built = make_scheduler(
      spec_with("scheduler: {type: median, grace_period: 2, min_samples_required: 2}\n"));
  const auto got = decisions(*built);  // once: a scheduler remembers what it was fed
  EXPECT_EQ(got, decisions(*make_median_stopping(median)));
  EXPECT_NE(got, decisions(*make_median_stopping(MedianStoppingOptions{})));

  HyperbandOptions hyperband;
  hyperband.max_t = 27;
  hyperband.reduction_factor = 3;
  auto hb = make_scheduler(spec_with("scheduler: {type: hyperband, max_t: 27}\n"));
  EXPECT_EQ(decisions(*hb), decisions(*make_hyperband(hyperband)));
}

std::vector<Config> suggestions(Searcher& s, std::size_t n, std::size_t* done_after = nullptr) {
  std::vector<Config> out;
  for (TrialId id = 0; id < n; ++id) {
    Suggestion next = s.suggest(id);
    if (next.kind == Suggestion::Kind::kDone) {
      if (done_after != nullptr) *done_after = id;
      break;
    }
    out.push_back(next.config);
  }
  return out;
}

TEST(SpecBuild, RandomSearcherUsesSeedAndNumSamples) {
  const ExperimentSpec spec = spec_with("searcher: {seed: 7, num_samples: 5}\n");
  auto built = make_searcher(spec);
  auto direct = make_random_search(spec.space, {7, 5});
  std::size_t done = 0;
  const auto got = suggestions(*built, 10, &done);
  EXPECT_EQ(got, suggestions(*direct, 10));
  EXPECT_EQ(done, 5u);
  EXPECT_NE(got, suggestions(*make_random_search(spec.space, {8, 5}), 10));
}

TEST(SpecBuild, GridAxesAreCrossedWithSampledOnes) {
  // Grid type (the default with a grid axis): one pass over the 2 grid points.
  std::size_t done = 0;
  auto grid = make_searcher(spec_with("", "  lr: uniform(0, 1)\n  b: grid([32, 64])\n"));
  const auto once = suggestions(*grid, 10, &done);
  EXPECT_EQ(done, 2u);
  EXPECT_EQ(once[0].at("b"), Value(32));
  EXPECT_EQ(once[1].at("b"), Value(64));
  // Random type with a grid axis and no num_samples: passes without end, fresh lr each time.
  auto random =
      make_searcher(spec_with("searcher: random\n", "  lr: uniform(0, 1)\n  b: grid([32, 64])\n"));
  const auto many = suggestions(*random, 50);
  ASSERT_EQ(many.size(), 50u);
  for (std::size_t i = 0; i < many.size(); ++i) {
    EXPECT_EQ(many[i].at("b"), Value(i % 2 == 0 ? 32 : 64));
  }
  EXPECT_NE(many[0].at("lr"), many[2].at("lr"));
}

TEST(SpecBuild, PointsToEvaluateComeFirst) {
  auto s = make_searcher(spec_with("searcher: {points_to_evaluate: [{lr: 0.25}, {lr: 0.75}]}\n"));
  const auto got = suggestions(*s, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (Config{{"lr", 0.25}}));
  EXPECT_EQ(got[1], (Config{{"lr", 0.75}}));
}

TEST(SpecBuild, TunerOptionsMapEveryField) {
  const ExperimentSpec spec = spec_with(
      "resource: epoch\nresources: {cpu: 2, gpu: 1}\npool: {cpu: 6, gpus: [1, 3]}\n"
      "max_concurrent: 3\nbudget: {trials: 9, time: 2m, total_resource: 50, target: 0.1}\n"
      "max_failures: 4\n",
      "  lr: uniform(0, 1)\n", "max");
  const TunerOptions o = tuner_options(spec);
  EXPECT_EQ(o.metric, "loss");
  EXPECT_EQ(o.mode, Mode::kMax);
  EXPECT_EQ(o.resource_attr, "epoch");
  EXPECT_EQ(o.pool.cpu, 6);
  EXPECT_EQ(o.pool.gpus, (std::vector<int>{1, 3}));
  EXPECT_EQ(o.per_trial.cpu, 2);
  EXPECT_EQ(o.per_trial.gpu, 1);
  EXPECT_EQ(o.max_concurrent, 3u);
  EXPECT_EQ(o.budget.max_trials, std::optional<std::uint64_t>(9));
  EXPECT_EQ(o.budget.max_time, std::optional<double>(120));
  EXPECT_EQ(o.budget.max_total_resource, std::optional<double>(50));
  EXPECT_EQ(o.budget.metric_target, std::optional<double>(0.1));
  EXPECT_EQ(o.max_failures, 4);
  // pool.cpu left out: "auto", the machine's CPUs.
  const int cpus = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_EQ(tuner_options(spec_with("")).pool.cpu, cpus);
}

TEST(SpecBuild, ProcessExecutorOptionsCarryCommandEnvAndGraces) {
  const ExperimentSpec spec =
      spec_with("trial: {time_limit: 1h, stop_grace: 2s, kill_grace: 1s}\nenv: {K: v}\n");
  const ProcessExecutorOptions o = process_executor_options(spec);
  EXPECT_EQ(o.command, "run");
  EXPECT_EQ(o.time_limit, 3600);
  EXPECT_EQ(o.stop_grace, 2);
  EXPECT_EQ(o.kill_grace, 1);
  EXPECT_EQ(o.env, (std::map<std::string, std::string>{{"K", "v"}}));
  EXPECT_EQ(process_executor_options(spec_with("")).time_limit, 0);  // 0: no limit
}

}  // namespace
}  // namespace tuneq::spec
