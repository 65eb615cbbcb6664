// Exact resume: an ASHA experiment on real processes is killed with SIGKILL at several points
// and resumed each time; its final trial table must equal that of an uninterrupted run with the
// same seed. One trial runs at a time so that the uninterrupted run is itself reproducible (with
// several slots the order in which reports arrive depends on the OS scheduler).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace tuneq::testing {
namespace {

std::string spec() {
  return "name: resume\n"
         "command: /usr/bin/python3 " +
         (repo_root() / "tests/trials/curve.py").string() +
         " --x {x} --steps 9 --sleep 0.03\n"
         "metric: loss\n"
         "mode: min\n"
         "resource: step\n"
         "space: {x: \"uniform(0, 1)\"}\n"
         "searcher: {type: random, seed: 11}\n"
         "scheduler: {type: asha, variant: promotion, max_t: 9, grace_period: 1, "
         "reduction_factor: 3}\n"
         "max_concurrent: 1\n"
         "budget: {trials: 9}\n";
}

// The trial table without times: per trial its config, final status, every result and every
// decision's action and reason.
nlohmann::json table(const std::filesystem::path& cwd, const std::string& dir) {
  const Outcome o = run_tuneq({"export", dir, "--format", "json"}, cwd);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  nlohmann::json out = nlohmann::json::array();
  for (auto t : nlohmann::json::parse(o.out)) {
    for (auto& r : t["results"]) r.erase("time");
    t.erase("checkpoint");  // the same step, but a restarted trial may name it again
    out.push_back(t);
  }
  return out;
}

TEST(CliResume, KilledRepeatedlyThenResumedEqualsAnUninterruptedRun) {
  ScratchDir d;
  d.write("exp.yaml", spec());
  const Outcome whole = run_tuneq({"run", "exp.yaml", "--dir", "whole", "--quiet"}, d.path());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const nlohmann::json expected = table(d.path(), "whole");
  ASSERT_EQ(expected.size(), 9u);

  pid_t pid = spawn_tuneq({"run", "exp.yaml", "--dir", "cut", "--quiet"}, d.path(), "cut0");
  int kills = 0;
  bool finished = false;
  // Kill points by progress, not by time: when trial 1, 3, 5 and 7 have started (and a little
  // later, so that the kill lands inside a trial's run).
  for (const int trial : {1, 3, 5, 7}) {
    const auto started = d.path() / "cut/trials" / std::to_string(trial);
    while (!std::filesystem::exists(started) && !finished) {
      finished = waitpid(pid, nullptr, WNOHANG) == pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (finished) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(40 * trial % 90));
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      finished = true;
      break;
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ++kills;
    pid = spawn_tuneq({"resume", "cut", "--quiet"}, d.path(), "cut" + std::to_string(kills));
  }
  ASSERT_FALSE(finished) << "the experiment ended before it was interrupted four times";
  const Outcome last = wait_tuneq(pid, d.path(), "cut" + std::to_string(kills));
  ASSERT_EQ(last.exit_code, 0) << last.out << last.err;
  EXPECT_EQ(kills, 4);
  EXPECT_EQ(table(d.path(), "cut"), expected);
}

TEST(CliResume, InterruptedBySigintExitsResumableAndResumes) {
  ScratchDir d;
  d.write("exp.yaml", spec());
  const pid_t pid = spawn_tuneq({"run", "exp.yaml", "--dir", "out", "--quiet"}, d.path(), "run");
  while (!std::filesystem::exists(d.path() / "out/trials/2")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGINT);
  const Outcome interrupted = wait_tuneq(pid, d.path(), "run");
  EXPECT_EQ(interrupted.exit_code, 130) << interrupted.out << interrupted.err;
  const Outcome resumed = run_tuneq({"resume", "out", "--quiet"}, d.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(table(d.path(), "out").size(), 9u);
}

TEST(CliResume, ResumeOfANonExperimentFails) {
  ScratchDir d;
  const Outcome o = run_tuneq({"resume", "nothing-here"}, d.path());
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_THAT(o.err, ::testing::HasSubstr("is not a tuneq experiment"));
}

}  // namespace
}  // namespace tuneq::testing
