// PBT end to end: the real tuneq binary on real trial processes (tests/trials/pbt_trial.py),
// which check every restore for completeness and for lying inside their own directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace tuneq::testing {
namespace {

using ::testing::HasSubstr;

std::string pbt_spec(bool synch, int keep) {
  return "name: pbt\n"
         "command: /usr/bin/python3 " +
         (repo_root() / "tests/trials/pbt_trial.py").string() +
         " --a {a} --lr {lr} --steps 8\n"
         "metric: score\n"
         "mode: max\n"
         "resource: step\n"
         "space:\n"
         "  a: grid([10.0, 20.0, 40.0, 30.0])\n"
         "  lr: uniform(0.01, 0.1)\n"
         "searcher: {seed: 4}\n"
         "scheduler:\n"
         "  type: pbt\n"
         "  perturbation_interval: 2\n"
         "  quantile_fraction: 0.25\n"
         "  synch: " +
         (synch ? "true" : "false") +
         "\n"
         "  hyperparam_mutations:\n"
         "    lr: uniform(0.001, 1)\n"
         "pool: {cpu: 2}\n"
         "max_concurrent: 2\n"
         "checkpoint_keep: " +
         std::to_string(keep) + "\n";
}

// The population is every config the searcher gives: here the 4 grid points (the spec has no
// trial budget), then 4 x 2 with num_samples 2, then capped by a trial budget of 3.
TEST(CliPbt, PlanCountsThePopulationTheSearcherGives) {
  struct Case {
    std::string extra;
    std::string population;
  };
  for (const Case& c : {Case{"", "population of 4 trials"},
                        Case{"searcher: {seed: 4, num_samples: 2}\n", "population of 8 trials"},
                        Case{"budget: {trials: 3}\n", "population of 3 trials"}}) {
    ScratchDir d;
    std::string spec = pbt_spec(false, 1);
    const std::string searcher = "searcher: {seed: 4}\n";
    if (c.extra.starts_with("searcher:")) {
      spec.replace(spec.find(searcher), searcher.size(), c.extra);
    } else {
      spec += c.extra;
    }
    d.write("exp.yaml", spec);
    const Outcome plan = run_tuneq({"plan", "exp.yaml"}, d.path());
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_THAT(plan.out, HasSubstr(c.population)) << c.extra;
    EXPECT_THAT(plan.out, ::testing::Not(HasSubstr("@ 0 step"))) << plan.out;  // no rungs
  }
}

nlohmann::json export_json(const ScratchDir& d) {
  const Outcome exported = run_tuneq({"export", "out", "--format", "json"}, d.path());
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  return nlohmann::json::parse(exported.out);
}

// 4 trials on 2 slots, keep 1 checkpoint per trial: every restore a trial makes is complete and
// its own copy (the trial program exits 3 otherwise, and no trial may fail), exploits happened,
// and what is left on disk is bounded: at most the kept checkpoint plus one a clone still
// needed, and no restore copy.
void run_and_check(bool synch) {
  ScratchDir d;
  d.write("exp.yaml", pbt_spec(synch, 1));
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  const nlohmann::json trials = export_json(d);
  ASSERT_EQ(trials.size(), 4U);
  int exploits = 0;
  for (const auto& t : trials) {
    EXPECT_EQ(t["status"], "completed") << t.dump();
    EXPECT_EQ(t["failures"], 0) << t["error"];
    // Every trial trains to step 8: by its own reports, or (asynchronous only) by cloning at its
    // last boundary a checkpoint another trial saved at step 8, just before that trial's exit
    // arrived; the clone then has nothing left to train and ends without reporting again
    // (docs/schedulers/pbt.md, "Exploit"). Under load that race happened once in 60 runs.
    const double last_report = t["results"].back()["resource"];
    const double last_clone = t["schedule"].back()["resource"];
    EXPECT_TRUE(last_report == 8.0 || (!synch && last_clone == 8.0)) << t.dump();
    exploits += static_cast<int>(t["schedule"].size()) - 1;
    // The final config is the schedule's last (explored configs are kept).
    EXPECT_EQ(t["config"], t["schedule"].back()["config"]);
  }
  EXPECT_GT(exploits, 0);
  if (synch) {
    // As in the example: every trial ends with the best trial's score, 8 + 40.
    for (const auto& t : trials) EXPECT_EQ(t["results"].back()["score"], 48.0) << t.dump();
  }

  namespace fs = std::filesystem;
  for (const auto& entry : fs::directory_iterator(d.path() / "out" / "trials")) {
    int checkpoints = 0;
    for (const auto& file : fs::directory_iterator(entry.path())) {
      EXPECT_NE(file.path().filename(), "tuneq-restore") << "a restore copy outlived its trial";
      if (file.path().filename().string().rfind("ckpt-", 0) == 0) ++checkpoints;
    }
    EXPECT_GE(checkpoints, 1) << entry.path();
    EXPECT_LE(checkpoints, 2) << entry.path();
  }

  const Outcome status = run_tuneq({"status", "out"}, d.path());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("checkpoint_keep: 1)"));
  // Synchronous: every exploit is at the same step, so each trial saves exactly 8 checkpoints.
  EXPECT_THAT(status.out, HasSubstr(synch ? "of 32 reported on disk" : "reported on disk"));

  const Outcome best = run_tuneq({"best", "out", "--json"}, d.path());
  ASSERT_EQ(best.exit_code, 0) << best.err;
  const auto b = nlohmann::json::parse(best.out);
  ASSERT_TRUE(b["schedule"].is_array());
  EXPECT_EQ(b["schedule"][0]["resource"], 0.0);
  EXPECT_EQ(b["schedule"].back()["config"], b["config"]);
}

TEST(CliPbt, AsynchronousExploitCopiesCompleteCheckpointsAndBoundsDisk) {
  run_and_check(false);
}

TEST(CliPbt, SynchronousPopulationEndsWithTheBestScore) {
  run_and_check(true);
}

TEST(CliPbt, BestPrintsTheWinningSchedule) {
  ScratchDir d;
  d.write("exp.yaml", pbt_spec(true, 0));
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Outcome best = run_tuneq({"best", "out"}, d.path());
  ASSERT_EQ(best.exit_code, 0) << best.err;
  // The winner's own schedule or, if it cloned, the lineage: the text form lists every step.
  const nlohmann::json trials = export_json(d);
  std::size_t longest = 0;
  for (const auto& t : trials) longest = std::max(longest, t["schedule"].size());
  ASSERT_GT(longest, 1U);
  // All end at 48; the first to report it wins the tie: trial 0 or 1, the first two resumed
  // after the last ranking, which cloned an a = 40 trial at step 2 and 4.
  EXPECT_THAT(best.out, HasSubstr("best trial"));
  EXPECT_THAT(best.out, HasSubstr("schedule (the configs it trained under, by step):\n  from 0: "
                                  "a=40, lr="));
  EXPECT_THAT(best.out, HasSubstr(" (cloned trial "));
  // --json: the same schedule, cut where the best result was reported (no step from 8 on).
  const auto b = nlohmann::json::parse(run_tuneq({"best", "out", "--json"}, d.path()).out);
  ASSERT_GT(b["schedule"].size(), 1U);
  for (const auto& step : b["schedule"]) EXPECT_LT(step["resource"].get<double>(), 8.0);
  EXPECT_EQ(b["schedule"].back()["config"], b["config"]);
  EXPECT_THAT(run_tuneq({"status", "out"}, d.path()).out, HasSubstr("checkpoint_keep: all)"));
}

TEST(CliPbt, AMutationOfAnUnknownParameterIsASpecError) {
  ScratchDir d;
  std::string spec = pbt_spec(false, 1);
  spec.replace(spec.find("    lr: uniform(0.001, 1)"), 25, "    lrr: uniform(0.001, 1)");
  d.write("exp.yaml", spec);
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(run.exit_code, 3) << run.err;  // spec error
  EXPECT_THAT(run.err, HasSubstr("exp.yaml:16: scheduler.hyperparam_mutations.lrr: not a parameter "
                                 "of the space; expected one of a, lr (did you mean 'lr'?)"));
}

// Exploits so far, read from the live log (`tuneq export` reads while `tuneq run` writes).
int exploits_logged(const ScratchDir& d, const std::string& dir) {
  const Outcome o = run_tuneq({"export", dir, "--format", "json"}, d.path());
  if (o.exit_code != 0) return 0;
  int n = 0;
  for (const auto& t : nlohmann::json::parse(o.out))
    n += static_cast<int>(t["schedule"].size()) - 1;
  return n;
}

// The trial table without times and checkpoint paths (a restarted trial saves again).
nlohmann::json table(const ScratchDir& d, const std::string& dir) {
  const Outcome o = run_tuneq({"export", dir, "--format", "json"}, d.path());
  EXPECT_EQ(o.exit_code, 0) << o.err;
  nlohmann::json out = nlohmann::json::array();
  for (auto t : nlohmann::json::parse(o.out)) {
    for (auto& r : t["results"]) r.erase("time");
    t.erase("checkpoint");
    out.push_back(t);
  }
  return out;
}

// Killed with SIGKILL after 1, 2 and 3 exploits and resumed each time: one slot (so the
// uninterrupted run is reproducible), and the final table, explored configs and schedules
// included, equals the uninterrupted run's.
// (It caught an orphan: a tuneq killed while a trial was being spawned, before the child's
// PR_SET_PDEATHSIG, left that trial running; it then scribbled over the restore copy of the
// trial `tuneq resume` relaunched in the same directory. child_process.cpp now checks.)
TEST(CliPbt, KilledAfterExploitsThenResumedEqualsAnUninterruptedRun) {
  ScratchDir d;
  std::string spec = pbt_spec(false, 1);
  spec.replace(spec.find("max_concurrent: 2"), 17, "max_concurrent: 1");
  spec.replace(spec.find("--steps 8"), 9, "--steps 12");  // room for more than 3 exploits
  d.write("exp.yaml", spec);
  const Outcome whole = run_tuneq({"run", "exp.yaml", "--dir", "whole", "--quiet"}, d.path());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const nlohmann::json expected = table(d, "whole");
  ASSERT_GE(exploits_logged(d, "whole"), 4);

  pid_t pid = spawn_tuneq({"run", "exp.yaml", "--dir", "cut", "--quiet"}, d.path(), "cut0");
  int kills = 0;
  bool finished = false;
  for (const int after : {1, 2, 3}) {
    while (!finished && exploits_logged(d, "cut") < after) {
      finished = waitpid(pid, nullptr, WNOHANG) == pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (finished) break;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ++kills;
    pid = spawn_tuneq({"resume", "cut", "--quiet"}, d.path(), "cut" + std::to_string(kills));
  }
  ASSERT_FALSE(finished) << "the experiment ended before it was interrupted three times";
  const Outcome last = wait_tuneq(pid, d.path(), "cut" + std::to_string(kills));
  ASSERT_EQ(last.exit_code, 0) << last.out << last.err;
  EXPECT_EQ(kills, 3);
  EXPECT_EQ(table(d, "cut"), expected);
}

}  // namespace
}  // namespace tuneq::testing
