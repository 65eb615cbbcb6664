// The tuneq command end to end: the real binary on real trial processes (tests/trials/curve.py).
#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace tuneq::testing {
namespace {

using ::testing::HasSubstr;

std::string curve_spec(const std::string& extra_scheduler = "", const std::string& metric = "loss",
                       int trials = 6, const std::string& args = "") {
  return "name: curve\n"
         "command: /usr/bin/python3 " +
         (repo_root() / "tests/trials/curve.py").string() + " --x {x} --steps 9" + args +
         "\n"
         "metric: " +
         metric +
         "\n"
         "mode: min\n"
         "resource: step\n"
         "space:\n"
         "  x: uniform(0, 1)\n"
         "searcher: {type: random, seed: 3}\n" +
         (extra_scheduler.empty()
              ? std::string(
                    "scheduler: {type: asha, variant: promotion, max_t: 9, grace_period: 1, "
                    "reduction_factor: 3}\n")
              : extra_scheduler) +
         "pool: {cpu: 2}\n"
         "max_concurrent: 2\n"
         "budget: {trials: " +
         std::to_string(trials) + "}\n";
}

TEST(CliRun, RunsAnAshaExperimentAndTheQueriesReadIt) {
  ScratchDir d;
  d.write("exp.yaml", curve_spec());
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("best trial"));
  EXPECT_THAT(run.out, HasSubstr("everything is in"));

  const Outcome exported = run_tuneq({"export", "out", "--format", "json"}, d.path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto trials = nlohmann::json::parse(exported.out);
  ASSERT_EQ(trials.size(), 6u);
  std::size_t reached_3 = 0, reached_9 = 0;
  for (const auto& t : trials) {
    EXPECT_TRUE(t["config"].contains("x"));
    EXPECT_FALSE(t["results"].empty());
    EXPECT_FALSE(t["decisions"].empty());
    const std::string status = t["status"];
    EXPECT_TRUE(status == "completed" || status == "paused" || status == "stopped") << status;
    const double reached = t["results"].back()["resource"];
    reached_3 += reached >= 3;
    reached_9 += reached >= 9;
  }
  // 6 trials, eta 3: rung 1 records 6, so floor(6/3) = 2 are promoted to step 3 (by the end the
  // top 2 always include an unpromoted one until both are used); rung 3 records those 2, and
  // floor(2/3) = 0 go on to step 9.
  EXPECT_EQ(reached_3, 2u);
  EXPECT_EQ(reached_9, 0u);

  const Outcome best = run_tuneq({"best", "out", "--json"}, d.path());
  ASSERT_EQ(best.exit_code, 0) << best.err;
  const auto b = nlohmann::json::parse(best.out);
  EXPECT_EQ(b["metric"], "loss");
  EXPECT_TRUE(b["config"].contains("x"));
  EXPECT_THAT(b["trial_dir"].get<std::string>(), HasSubstr("out/trials/"));

  const Outcome status = run_tuneq({"status", "out"}, d.path());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("== tuneq · curve"));
  EXPECT_THAT(status.out, HasSubstr("rungs:"));

  const Outcome csv = run_tuneq({"export", "out", "--format", "csv"}, d.path());
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_THAT(csv.out, HasSubstr("config/x"));
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 7);  // header + 6 trials

  // The finished experiment can be queried by trial through its index (made at the end).
  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2((d.path() / "out/events.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_trial'",
                         -1, &stmt, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(CliRun, ASecondRunOnTheSameDirectoryRefuses) {
  ScratchDir d;
  d.write("exp.yaml", curve_spec("", "loss", 4, " --sleep 0.2"));
  const pid_t first =
      spawn_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path(), "first");
  // Wait until the first run holds the directory.
  for (int i = 0; i < 100 && !std::filesystem::exists(d.path() / "out/events.db"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const Outcome second = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(second.exit_code, 5) << second.err;
  EXPECT_THAT(second.err, HasSubstr("in use by another tuneq process"));
  const Outcome done = wait_tuneq(first, d.path(), "first");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const Outcome again = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_THAT(again.err, HasSubstr("already holds an experiment"));
  EXPECT_THAT(again.err, HasSubstr("tuneq resume"));
}

TEST(CliRun, SpecErrorsNameFileLineAndKey) {
  ScratchDir d;
  d.write("bad.yaml", curve_spec("scheduler: {type: ashaa}\n"));
  const Outcome o = run_tuneq({"run", "bad.yaml", "--quiet"}, d.path());
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_THAT(o.err, HasSubstr("bad.yaml:9: scheduler.type: unknown scheduler 'ashaa'"));
  EXPECT_THAT(o.err, HasSubstr("did you mean 'asha'?"));
}

TEST(CliRun, AMetricTheFirstTrialNeverReportsIsASpecError) {
  ScratchDir d;
  d.write("exp.yaml", curve_spec("", "val_loss", 4, " --metric loss"));
  const Outcome o = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_THAT(o.err, HasSubstr("exp.yaml:3: metric: 'val_loss' was never reported by trial"));
  EXPECT_THAT(o.err, HasSubstr("loss, step"));
}

TEST(CliRun, PlanPrintsHyperbandBracketsAsJson) {
  ScratchDir d;
  d.write("hb.yaml", curve_spec("scheduler: {type: hyperband, max_t: 81, reduction_factor: 3}\n"));
  const Outcome o = run_tuneq({"plan", "hb.yaml", "--json"}, d.path());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  ASSERT_EQ(j["brackets"].size(), 5u);
  EXPECT_EQ(j["brackets"][0]["s"], 4);
  EXPECT_EQ(j["brackets"][0]["rungs"][0]["trials"], 81);
  EXPECT_EQ(j["brackets"][0]["rungs"][0]["resource"], 1.0);
  EXPECT_EQ(j["brackets"][4]["rungs"][0]["trials"], 5);
  EXPECT_EQ(j["brackets"][4]["rungs"][0]["resource"], 81.0);
}

TEST(CliRun, QueriesOnANonExperimentFailClearly) {
  ScratchDir d;
  const Outcome o = run_tuneq({"status", "nowhere"}, d.path());
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_THAT(o.err, HasSubstr("nowhere is not a tuneq experiment"));
}

}  // namespace
}  // namespace tuneq::testing

namespace tuneq::testing {
namespace {

std::string shell_spec(const std::string& script, const std::string& extra) {
  return "name: faults\n"
         "command: /bin/sh " +
         (repo_root() / "tests/trials" / script).string() +
         " {x}\n"
         "metric: loss\n"
         "mode: min\n"
         "space: {x: \"uniform(0, 1)\"}\n"
         "scheduler: fifo\n"
         "pool: {cpu: 2}\n" +
         extra;
}

TEST(CliFaults, AFailingTrialIsRetriedThenFailedWithItsExitStatusAndLogTail) {
  ScratchDir d;
  d.write("exp.yaml", shell_spec("fail.sh", "budget: {trials: 2}\nmax_failures: 2\n"));
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(run.exit_code, 1) << "every trial failed: " << run.out << run.err;
  const auto trials =
      nlohmann::json::parse(run_tuneq({"export", "out", "--format", "json"}, d.path()).out);
  ASSERT_EQ(trials.size(), 2u);
  for (const auto& t : trials) {
    EXPECT_EQ(t["status"], "failed");
    EXPECT_EQ(t["failures"], 3) << "the first run and 2 retries";
    EXPECT_THAT(t["error"].get<std::string>(), HasSubstr("exit status 3"));
    EXPECT_THAT(t["error"].get<std::string>(), HasSubstr("err 5"));  // the log's tail
  }
}

TEST(CliFaults, AHangingTrialIsKilledAtItsTimeLimitAndTheExperimentGoesOn) {
  ScratchDir d;
  d.write("exp.yaml", shell_spec("ignore_stdin.sh",
                                 "budget: {trials: 2}\ntrial: {time_limit: 1s, kill_grace: 1s}\n"));
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const auto trials =
      nlohmann::json::parse(run_tuneq({"export", "out", "--format", "json"}, d.path()).out);
  ASSERT_EQ(trials.size(), 2u);
  for (const auto& t : trials) {
    EXPECT_EQ(t["status"], "failed");
    EXPECT_THAT(t["error"].get<std::string>(), HasSubstr("time limit 1 s exceeded"));
    EXPECT_EQ(t["results"].size(), 3u) << "its reports before the hang are kept";
  }
}

TEST(CliFaults, MalformedReportLinesAreLoggedWithTheTrialAndIgnored) {
  ScratchDir d;
  d.write("exp.yaml", shell_spec("malformed.sh", "budget: {trials: 1}\n"));
  const Outcome run = run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string log = slurp(d.path() / "out/tuneq.log");
  EXPECT_THAT(log, HasSubstr("trial 0: malformed report line ignored: @tuneq {bad"));
  EXPECT_THAT(log, HasSubstr("trial 0: malformed report line ignored: @tuneq [1]"));
  const auto trials =
      nlohmann::json::parse(run_tuneq({"export", "out", "--format", "json"}, d.path()).out);
  ASSERT_EQ(trials[0]["results"].size(), 1u);
  EXPECT_EQ(trials[0]["results"][0]["loss"], 2.0);
  EXPECT_TRUE(trials[0]["results"][0]["acc"].is_null()) << "null is a NaN metric, kept";
  EXPECT_THAT(slurp(d.path() / "out/trials/0/trial.log"), HasSubstr("got continue"));
}

TEST(CliFaults, AStringValueIsNeverShellCode) {
  ScratchDir d;
  d.write("exp.yaml",
          "name: inject\n"
          "command: /usr/bin/python3 " +
              (repo_root() / "tests/trials/curve.py").string() +
              " --x 0.5 --steps 1 --metric {evil}\n"
              "metric: loss\nmode: min\n"
              "space: {evil: {type: choice, values: [\"x; touch PWNED\"]}}\n"
              "budget: {trials: 1}\n");
  run_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path());
  EXPECT_FALSE(std::filesystem::exists(d.path() / "PWNED"));
  EXPECT_FALSE(std::filesystem::exists(d.path() / "out/trials/0/PWNED"));
  const auto trials =
      nlohmann::json::parse(run_tuneq({"export", "out", "--format", "json"}, d.path()).out);
  ASSERT_EQ(trials.size(), 1u);
  // The whole value arrived as one argument: the trial reported a metric by that very name.
  EXPECT_TRUE(trials[0]["results"][0].contains("x; touch PWNED")) << trials.dump();
}

}  // namespace
}  // namespace tuneq::testing
