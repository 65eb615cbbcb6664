// tuneq simulate end to end: the real binary on synthetic and tabular benchmarks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace tuneq::testing {
namespace {

using ::testing::HasSubstr;

std::string branin_spec(const std::string& scheduler =
                            "scheduler: {type: asha, variant: promotion, max_t: 27, "
                            "grace_period: 1, reduction_factor: 3}\n",
                        const std::string& budget = "budget: {trials: 60}\n",
                        const std::string& space = "  x1: uniform(-5, 10)\n  x2: uniform(0, 15)\n",
                        const std::string& mode = "min") {
  return "name: branin-sim\n"
         "command: python3 train.py\n"
         "metric: val_loss\n"
         "mode: " +
         mode +
         "\n"
         "resource: epoch\n"
         "space:\n" +
         space + "searcher: {type: random, seed: 5}\n" + scheduler + budget;
}

TEST(CliSimulate, JsonReportsTrialsTrajectoryUtilisationAndCompute) {
  ScratchDir d;
  d.write("exp.yaml", branin_spec());
  const Outcome r = run_tuneq(
      {"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "4", "--json"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["benchmark"], "branin");
  EXPECT_EQ(j["workers"], 4);
  EXPECT_EQ(j["steps"], 27);  // the scheduler's max_t
  EXPECT_DOUBLE_EQ(j["optimum"].get<double>(), 0.397887357729738);
  ASSERT_EQ(j["runs"].size(), 1u);
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["seed"], 5);  // the spec's searcher.seed
  EXPECT_EQ(run["trials"], 60);
  EXPECT_EQ(run["end_reason"], "trial budget spent");
  // ASHA promotion, eta 3: every trial reaches step 1, and floor(n/3) of a rung go on.
  EXPECT_GE(run["reports"].get<int>(), 60);
  EXPECT_LT(run["reports"].get<int>(), 60 * 27);
  EXPECT_EQ(run["compute"]["resource"].get<double>(), run["reports"].get<double>());
  EXPECT_GT(run["utilisation"].get<double>(), 0.5);
  EXPECT_LE(run["utilisation"].get<double>(), 1.0);
  const auto& t = run["trajectory"];
  ASSERT_FALSE(t.empty());
  for (std::size_t i = 1; i < t.size(); ++i) {
    EXPECT_LT(t[i]["best"].get<double>(), t[i - 1]["best"].get<double>());
    EXPECT_GE(t[i]["time"].get<double>(), t[i - 1]["time"].get<double>());
  }
  EXPECT_EQ(run["best"]["value"], t.back()["best"]);
  EXPECT_EQ(run["best"]["regret"], t.back()["regret"]);
  EXPECT_GE(run["best"]["regret"].get<double>(), 0.0);
  EXPECT_TRUE(run["best"]["config"].contains("x1"));
}

TEST(CliSimulate, TwoRunsWithTheSameSeedPrintIdenticalJson) {
  ScratchDir d;
  d.write("exp.yaml", branin_spec());
  const std::vector<std::string> args = {"simulate",  "exp.yaml", "--benchmark", "curves",
                                         "--workers", "8",        "--seeds",     "2",
                                         "--json",    "--seed",   "11"};
  d.write("curves.yaml", branin_spec("scheduler: {type: asha, max_t: 27, reduction_factor: 3}\n",
                                     "budget: {trials: 100}\n",
                                     "  lr: loguniform(1e-4, 1)\n  width: randint(16, 512)\n"
                                     "  dropout: uniform(0, 0.5)\n"));
  std::vector<std::string> curves = args;
  curves[1] = "curves.yaml";
  const Outcome a = run_tuneq(curves, d.path());
  const Outcome b = run_tuneq(curves, d.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  const auto j = nlohmann::json::parse(a.out);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["seed"], 11);
  EXPECT_EQ(j["runs"][1]["seed"], 12);
  EXPECT_NE(j["runs"][0]["trajectory"], j["runs"][1]["trajectory"]);

  // Events kept or not, the decisions and so the output are the same.
  std::vector<std::string> no_events = curves;
  no_events.push_back("--no-events");
  const Outcome c = run_tuneq(no_events, d.path());
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, a.out);
}

TEST(CliSimulate, HumanTableAndMaxTime) {
  ScratchDir d;
  d.write("exp.yaml", branin_spec("scheduler: {type: fifo}\n", ""));
  // FIFO, 2 workers, 9 steps per trial, each trial 100 s: --max-time 250 ends it at 250 s.
  const Outcome r = run_tuneq({"simulate", "exp.yaml", "--benchmark", "hartmann3", "--workers", "2",
                               "--max-steps", "9", "--max-time", "250"},
                              d.path());
  // hartmann3's parameters are x1..x3: the space does not match.
  EXPECT_EQ(r.exit_code, 3);
  d.write("h3.yaml",
          branin_spec("scheduler: {type: fifo}\n", "",
                      "  x1: uniform(0, 1)\n  x2: uniform(0, 1)\n  x3: uniform(0, 1)\n"));
  const Outcome ok = run_tuneq({"simulate", "h3.yaml", "--benchmark", "hartmann3", "--workers", "2",
                                "--max-steps", "9", "--max-time", "250", "--json"},
                               d.path());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["steps"], 9);
  EXPECT_DOUBLE_EQ(j["runs"][0]["elapsed"].get<double>(), 250.0);
  // Two trials finish at 100 s, two more at 200 s, the last two are stopped by the budget.
  EXPECT_EQ(j["runs"][0]["trials"], 6);
  const Outcome human = run_tuneq({"simulate", "h3.yaml", "--benchmark", "hartmann3", "--workers",
                                   "2", "--max-steps", "9", "--max-time", "250"},
                                  d.path());
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_THAT(human.out, HasSubstr("on hartmann3 (9 steps per full trial) with 2 workers"));
  EXPECT_THAT(human.out, HasSubstr("optimum -3.86278214782076"));
  EXPECT_THAT(human.out, HasSubstr("best over simulated time"));
  EXPECT_THAT(human.out, HasSubstr("ended: time budget"));
}

TEST(CliSimulate, DirWritesAStoreThatStatusBestAndExportRead) {
  ScratchDir d;
  d.write("exp.yaml", branin_spec());
  const Outcome r =
      run_tuneq({"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "3", "--dir", "out"},
                d.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("tuneq status"));

  const Outcome exported = run_tuneq({"export", "out", "--format", "json"}, d.path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto trials = nlohmann::json::parse(exported.out);
  EXPECT_EQ(trials.size(), 60u);
  std::size_t reports = 0;
  for (const auto& t : trials) {
    EXPECT_FALSE(t["results"].empty());
    reports += t["results"].size();
  }
  const Outcome again = run_tuneq(
      {"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "3", "--json"}, d.path());
  const auto j = nlohmann::json::parse(again.out);
  EXPECT_EQ(reports, j["runs"][0]["reports"].get<std::size_t>());  // same run, in memory

  const Outcome best = run_tuneq({"best", "out", "--json"}, d.path());
  ASSERT_EQ(best.exit_code, 0) << best.err;
  const auto b = nlohmann::json::parse(best.out);
  EXPECT_EQ(b["metric"], "val_loss");
  EXPECT_EQ(b["config"], j["runs"][0]["best"]["config"]);

  const Outcome status = run_tuneq({"status", "out"}, d.path());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("rungs:"));

  const Outcome resume = run_tuneq({"resume", "out"}, d.path());
  EXPECT_EQ(resume.exit_code, 4);
  EXPECT_THAT(resume.err, HasSubstr("out holds a simulated experiment (benchmark branin, 3 "
                                    "workers); it cannot be resumed with real trials"));
  const Outcome twice =
      run_tuneq({"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "3", "--dir", "out"},
                d.path());
  EXPECT_EQ(twice.exit_code, 4);
  EXPECT_THAT(twice.err, HasSubstr("out already holds an experiment; choose another --dir"));
}

TEST(CliSimulate, TabularBenchmarkFromCsv) {
  ScratchDir d;
  d.write("curves.csv",
          "lr,solver,resource:epoch,metric:val_loss,metric:val_accuracy,elapsed\n"
          "0.001,sgd,1,0.9,0.6,1\n0.001,sgd,2,0.8,0.65,1\n0.001,sgd,3,0.7,0.7,1\n"
          "0.1,sgd,1,0.5,0.8,2\n0.1,sgd,2,0.45,0.82,2\n0.1,sgd,3,0.4,0.85,2\n"
          "0.01,adam,1,0.6,0.7,1\n0.01,adam,2,0.3,0.9,1\n0.01,adam,3,0.2,0.95,1\n");
  d.write("exp.yaml", branin_spec("scheduler: {type: fifo}\n", "budget: {trials: 20}\n",
                                  "  lr: loguniform(1e-3, 1e-1)\n  solver: choice([sgd, adam])\n"));
  const Outcome r = run_tuneq(
      {"simulate", "exp.yaml", "--benchmark", "curves.csv", "--workers", "2", "--json"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["steps"].is_null());
  EXPECT_EQ(j["optimum"], 0.2);  // adam's final val_loss
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["reports"], 60);  // 20 trials, 3 rows each
  // Every sampled adam config finds the one adam curve: the best reaches 0.2 with regret 0.
  EXPECT_EQ(run["best"]["value"], 0.2);
  EXPECT_EQ(run["best"]["regret"], 0.0);
  EXPECT_EQ(run["best"]["config"]["solver"], "adam");

  d.write("acc.yaml",
          branin_spec("scheduler: {type: fifo}\n", "budget: {trials: 20}\n",
                      "  lr: loguniform(1e-3, 1e-1)\n  solver: choice([sgd, adam])\n", "max"));
  const Outcome wrong =
      run_tuneq({"simulate", "acc.yaml", "--benchmark", "curves.csv", "--workers", "2"}, d.path());
  // The spec's metric val_loss exists; mode max makes its optimum the largest final loss (0.7).
  ASSERT_EQ(wrong.exit_code, 0) << wrong.err;
  EXPECT_THAT(wrong.out, HasSubstr("optimum 0.7"));
}

TEST(CliSimulate, ErrorsNameWhatIsWrong) {
  ScratchDir d;
  d.write("exp.yaml", branin_spec());
  d.write("nobudget.yaml", branin_spec("scheduler: {type: fifo}\n", ""));
  d.write("max.yaml", branin_spec("scheduler: {type: fifo}\n", "budget: {trials: 5}\n",
                                  "  x1: uniform(-5, 10)\n  x2: uniform(0, 15)\n", "max"));
  d.write("space.yaml", branin_spec("scheduler: {type: fifo}\n", "budget: {trials: 5}\n",
                                    "  x1: uniform(-5, 10)\n  y: uniform(0, 15)\n"));
  d.write("bad.csv", "x,resource:r,metric:m,elapsed\n1,1,0.5\n");
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"simulate", "exp.yaml", "--benchmark", "brannin", "--workers", "2"},
       2,
       "tuneq: unknown benchmark 'brannin'; expected one of branin, hartmann3, hartmann6, "
       "curves or a FILE.csv\n"},
      {{"simulate", "exp.yaml", "--benchmark", "missing.csv", "--workers", "2"},
       2,
       "tuneq: missing.csv: no such benchmark file\n"},
      {{"simulate", "exp.yaml", "--benchmark", "bad.csv", "--workers", "2"},
       3,
       "tuneq: bad.csv:2: expected 4 cells (as many as the header), found 3\n"},
      {{"simulate", "space.yaml", "--benchmark", "branin", "--workers", "2"},
       3,
       "tuneq: space.yaml: space: the spec's parameters (x1, y) do not match those of "
       "benchmark 'branin' (x1 in [-5, 10], x2 in [0, 15]); the space must name exactly the "
       "benchmark's parameters\n"},
      {{"simulate", "max.yaml", "--benchmark", "branin", "--workers", "2"},
       3,
       "tuneq: max.yaml: mode: benchmark 'branin' is to be minimised; the spec says mode: max\n"},
      {{"simulate", "nobudget.yaml", "--benchmark", "branin", "--workers", "2"},
       3,
       "tuneq: nobudget.yaml: budget: a simulation needs an end; set budget.trials, "
       "budget.time or budget.total_resource, or pass --max-time\n"},
      {{"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "2", "--seeds", "2", "--dir",
        "out"},
       2,
       "tuneq: --dir holds one experiment; it cannot take --seeds 2\n"},
      {{"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "2", "--max-time", "soon"},
       2,
       ""},
      {{"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "2", "--no-events", "--dir",
        "out"},
       2,
       "tuneq: --no-events keeps no events; it cannot take --dir\n"},
      {{"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "0"}, 2, ""},
  };
  for (const auto& c : cases) {
    const Outcome r = run_tuneq(c.args, d.path());
    EXPECT_EQ(r.exit_code, c.code) << c.args[3] << " " << r.err;
    if (!c.message.empty()) {
      EXPECT_EQ(r.err, c.message);
    }
  }
  const Outcome bad_time = run_tuneq(
      {"simulate", "exp.yaml", "--benchmark", "branin", "--workers", "2", "--max-time", "soon"},
      d.path());
  EXPECT_THAT(bad_time.err, HasSubstr("tuneq: --max-time: "));
}

}  // namespace
}  // namespace tuneq::testing
