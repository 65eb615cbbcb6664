// The process executor with real child processes: the test trials are in tests/trials/ (Python
// ones use python/tuneq_trial.py). Graces are a few tenths of a second so each test stays fast.
#include "run/process_executor_test_util.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace tuneq::process_test {
namespace {

using Kind = ExecutorEvent::Kind;

TEST_F(ProcessExecutorTest, PythonTrialReportsAndObeysTheReplies) {
  auto executor = make(python_trial("reporter.py"));
  executor->launch(request(1, {{"steps", Value(5)}}));
  const Action answers[] = {Action::kContinue, Action::kContinue, Action::kStop};
  for (int step = 1; step <= 3; ++step) {
    const ExecutorEvent result = next(*executor);
    ASSERT_EQ(result.kind, Kind::kResult) << result.error;
    EXPECT_EQ(result.trial, 1u);
    // "note" is a string: not a metric.
    EXPECT_EQ(result.metrics, (Metrics{{"step", step}, {"loss", 1.0 / step}}));
    EXPECT_EQ(result.checkpoint, (trial_dir(1) / fmt::format("ckpt-{}", step)).string());
    EXPECT_GE(result.time, 0);
    executor->reply(1, answers[step - 1]);
  }
  const ExecutorEvent exited = next(*executor);
  EXPECT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_EQ(exited.exit_code, 0);
  EXPECT_EQ(exited.error, "");
  // On "stop" the helper exits before the script records the word.
  EXPECT_EQ(read_file(trial_dir(1) / "replies.txt"), "continue\ncontinue\n");
  // Non-report stdout and all stderr went to the log; reports did not.
  const std::string log = read_file(trial_dir(1) / "trial.log");
  EXPECT_NE(log.find("hello from trial 1\n"), std::string::npos) << log;
  EXPECT_NE(log.find("a line on stderr\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("@tuneq"), std::string::npos) << log;
  EXPECT_FALSE(executor->next_event(clock_->now() + 0.01));  // nothing runs any more
}

TEST_F(ProcessExecutorTest, HelperHandsBackTheWordWhenAskedNotToExit) {
  auto executor = make(python_trial("reporter.py"));
  executor->launch(request(2, {{"steps", Value(5)}, {"exit_on_stop", Value(false)}}));
  ASSERT_EQ(next(*executor).kind, Kind::kResult);
  executor->reply(2, Action::kContinue);
  ASSERT_EQ(next(*executor).kind, Kind::kResult);
  executor->reply(2, Action::kPause);
  const ExecutorEvent exited = next(*executor);
  EXPECT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_EQ(read_file(trial_dir(2) / "replies.txt"), "continue\npause\n");
}

TEST_F(ProcessExecutorTest, PausedTrialResumesFromItsCheckpoint) {
  auto executor = make(python_trial("reporter.py"));
  executor->launch(request(3, {{"steps", Value(4)}}));
  ASSERT_EQ(next(*executor).kind, Kind::kResult);
  executor->reply(3, Action::kContinue);
  const ExecutorEvent second = next(*executor);
  ASSERT_EQ(second.kind, Kind::kResult);
  ASSERT_TRUE(second.checkpoint);
  executor->reply(3, Action::kPause);
  const ExecutorEvent paused = next(*executor);
  ASSERT_EQ(paused.kind, Kind::kExited);
  EXPECT_TRUE(paused.ok);

  LaunchRequest resume = request(3, {{"steps", Value(4)}});
  resume.restore = second.checkpoint;
  executor->launch(resume);
  for (int step = 3; step <= 4; ++step) {  // continues after step 2, saving ckpt-3 and ckpt-4
    const ExecutorEvent result = next(*executor);
    ASSERT_EQ(result.kind, Kind::kResult) << result.error;
    EXPECT_EQ(result.metrics.at("step"), step);
    EXPECT_EQ(result.checkpoint, (trial_dir(3) / fmt::format("ckpt-{}", step)).string());
    executor->reply(3, Action::kContinue);
  }
  const ExecutorEvent done = next(*executor);
  EXPECT_EQ(done.kind, Kind::kExited);
  EXPECT_TRUE(done.ok);
  const nlohmann::json env = nlohmann::json::parse(read_file(trial_dir(3) / "env.json"))["env"];
  EXPECT_EQ(env["TUNEQ_RESTORE"], (trial_dir(3) / "ckpt-2").string());
  // Both launches appended to one log.
  const std::string log = read_file(trial_dir(3) / "trial.log");
  const std::size_t first = log.find("hello from trial 3\n");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_NE(log.find("hello from trial 3\n", first + 1), std::string::npos) << log;
}

TEST_F(ProcessExecutorTest, TrialThatIgnoresStdinIsTerminatedAfterTheStopGrace) {
  auto executor = make(shell_trial("ignore_stdin.sh"));
  executor->launch(request(4));
  const ExecutorEvent first = next(*executor);
  ASSERT_EQ(first.kind, Kind::kResult);
  EXPECT_EQ(first.metrics.at("loss"), 1);
  const double stopped_at = clock_->now();
  executor->reply(4, Action::kStop);  // the queued reports 2 and 3 came after the decision
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);  // told to stop: fine however it ended
  EXPECT_EQ(exited.exit_code, -SIGTERM);
  EXPECT_GE(exited.time - stopped_at, kStopGrace);
  EXPECT_LT(exited.time - stopped_at, kStopGrace + kKillGrace);
}

TEST_F(ProcessExecutorTest, TrialThatIgnoresSigtermIsKilled) {
  auto executor = make(shell_trial("ignore_term.sh"));
  executor->launch(request(5));
  ASSERT_EQ(next(*executor).kind, Kind::kResult);
  const double stopped_at = clock_->now();
  executor->reply(5, Action::kPause);
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_EQ(exited.exit_code, -SIGKILL);
  EXPECT_GE(exited.time - stopped_at, kStopGrace + kKillGrace);
}

TEST_F(ProcessExecutorTest, StoppingKillsTheWholeProcessGroup) {
  auto executor = make(shell_trial("spawn_child.sh") + " wait");
  executor->launch(request(6));
  const ExecutorEvent report = next(*executor);
  ASSERT_EQ(report.kind, Kind::kResult);
  const pid_t grandchild = static_cast<pid_t>(report.metrics.at("child"));
  const pid_t group = getpgid(grandchild);
  ASSERT_GT(group, 0);
  EXPECT_NE(group, getpgrp());  // the trial has a group of its own
  executor->reply(6, Action::kStop);
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_TRUE(group_is_gone(group));
}

TEST_F(ProcessExecutorTest, LeftoversDieWhenTheTrialExitsAndDoNotHoldItsPipe) {
  // The grandchild keeps the stdout pipe open after the trial exits 0: kExited must still come
  // promptly, and the grandchild must not outlive the trial.
  auto executor = make(shell_trial("spawn_child.sh") + " exit");
  executor->launch(request(7));
  const ExecutorEvent report = next(*executor);
  ASSERT_EQ(report.kind, Kind::kResult);
  const pid_t group = getpgid(static_cast<pid_t>(report.metrics.at("child")));
  const double reported_at = clock_->now();
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_LT(exited.time - reported_at, 0.5);
  ASSERT_GT(group, 0);
  EXPECT_TRUE(group_is_gone(group));
}

TEST_F(ProcessExecutorTest, ConcurrentTrialsKeepTheirReportsAndRepliesApart) {
  auto executor = make(shell_trial("count_replies.sh") + " {n}");
  constexpr int kTrials = 6;
  constexpr int kReports = 20;
  for (TrialId id = 1; id <= kTrials; ++id) executor->launch(request(id, {{"n", Value(kReports)}}));
  std::map<TrialId, int> last_seen;
  int exited = 0;
  while (exited < kTrials) {
    const ExecutorEvent e = next(*executor);
    if (e.kind == Kind::kExited) {
      EXPECT_TRUE(e.ok) << e.error;
      EXPECT_EQ(last_seen[e.trial], kReports);
      ++exited;
      continue;
    }
    ASSERT_FALSE(e.metrics.empty());
    EXPECT_EQ(e.metrics.at("i"), ++last_seen[e.trial]);  // in order, none lost
    executor->reply(e.trial, Action::kContinue);
  }
  for (TrialId id = 1; id <= kTrials; ++id) {
    EXPECT_EQ(read_file(trial_dir(id) / "trial.log"), "read 20 replies\n");
  }
}

TEST_F(ProcessExecutorTest, TrialThatClosesStdoutEarlyIsStillReaped) {
  auto executor = make("/bin/sh -c 'echo bye; exec >&-; sleep 0.2; exit 4'");
  executor->launch(request(21));
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_FALSE(exited.ok);
  EXPECT_EQ(exited.exit_code, 4);
  EXPECT_EQ(exited.error, "exit status 4; last lines of trial.log:\nbye");
}

TEST_F(ProcessExecutorTest, TrialLogIsCreatedAtTheFirstByteAndKeepsStderrAsWritten) {
  auto executor = make("/bin/sh -c 'if [ {n} = 1 ]; then printf \"no newline\" >&2; fi'");
  executor->launch(request(30, {{"n", Value(0)}}));
  executor->launch(request(31, {{"n", Value(1)}}));
  for (int i = 0; i < 2; ++i) {
    const ExecutorEvent exited = next(*executor);
    ASSERT_EQ(exited.kind, Kind::kExited);
    EXPECT_TRUE(exited.ok) << exited.error;
  }
  // A silent trial gets its directory but no log file.
  EXPECT_TRUE(fs::is_directory(trial_dir(30)));
  EXPECT_FALSE(fs::exists(trial_dir(30) / "trial.log"));
  // Stderr is appended byte for byte, an unfinished last line included.
  EXPECT_EQ(read_file(trial_dir(31) / "trial.log"), "no newline");
}

TEST_F(ProcessExecutorTest, TrialDirectoryThatCannotBeUsedIsAFailedTrial) {
  // The child makes <trials>/<id> itself; here a regular file is in its way.
  fs::create_directories(trial_dir(32).parent_path());
  { std::ofstream(trial_dir(32)) << "x"; }
  auto executor = make("/bin/true");
  executor->launch(request(32));
  ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_FALSE(exited.ok);
  EXPECT_EQ(exited.exit_code, 127);
  EXPECT_EQ(exited.error, fmt::format("cannot enter the trial directory '{}': Not a directory",
                                      trial_dir(32).string()));
  // The trials directory itself, made by the executor at the first launch, is a file.
  ProcessExecutorOptions options = this->options("/bin/true");
  options.trials_dir = trial_dir(32);
  auto second = make(options);
  second->launch(request(33));
  exited = next(*second);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_FALSE(exited.ok);
  EXPECT_EQ(exited.exit_code, 127);
  EXPECT_EQ(
      exited.error.rfind(
          fmt::format("cannot create the trial directory '{}/33'", trial_dir(32).string()), 0),
      0u)
      << exited.error;
}

TEST_F(ProcessExecutorTest, FailureCarriesTheExitStatusAndTheLogTail) {
  ProcessExecutorOptions options = this->options(shell_trial("fail.sh"));
  options.log_tail_lines = 3;
  auto executor = make(options);
  executor->launch(request(8));
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_FALSE(exited.ok);
  EXPECT_EQ(exited.exit_code, 3);
  EXPECT_EQ(exited.error, "exit status 3; last lines of trial.log:\nerr 3\nerr 4\nerr 5");
}

TEST_F(ProcessExecutorTest, TimeLimitKillsAndFails) {
  ProcessExecutorOptions options = this->options("/bin/sleep 30");
  options.time_limit = 0.3;
  auto executor = make(options);
  const double launched_at = clock_->now();
  executor->launch(request(9));
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_FALSE(exited.ok);
  EXPECT_EQ(exited.exit_code, -SIGTERM);
  EXPECT_EQ(exited.error, "time limit 0.3 s exceeded");  // the log is empty: no tail
  EXPECT_GE(exited.time - launched_at, 0.3);
}

TEST_F(ProcessExecutorTest, CancelTerminatesAtOnce) {
  auto executor = make("/bin/sleep 30");
  executor->launch(request(10));
  EXPECT_FALSE(executor->next_event(clock_->now() + 0.05));  // running, silent
  const double cancelled_at = clock_->now();
  executor->cancel(10);
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_EQ(exited.exit_code, -SIGTERM);
  EXPECT_LT(exited.time - cancelled_at, kKillGrace);
}

TEST_F(ProcessExecutorTest, MalformedReportsAreWarnedLoggedAndIgnored) {
  auto executor = make(shell_trial("malformed.sh"));
  executor->launch(request(11));
  const ExecutorEvent result = next(*executor);
  ASSERT_EQ(result.kind, Kind::kResult);
  ASSERT_EQ(result.metrics.size(), 2u);
  EXPECT_EQ(result.metrics.at("loss"), 2);
  EXPECT_TRUE(std::isnan(result.metrics.at("acc")));  // null is NaN
  executor->reply(11, Action::kContinue);
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_EQ(warnings_, (std::vector<std::string>{
                           "trial 11: malformed report line ignored: @tuneq {bad (not valid JSON)",
                           "trial 11: malformed report line ignored: @tuneq [1] (not a JSON "
                           "object)"}));
  EXPECT_EQ(read_file(trial_dir(11) / "trial.log"), "@tuneq {bad\n@tuneq [1]\ngot continue\n");
}

TEST_F(ProcessExecutorTest, ReportsAfterStopAreIgnored) {
  auto executor = make(shell_trial("late_reports.sh"));
  executor->launch(request(12));
  ASSERT_EQ(next(*executor).kind, Kind::kResult);
  executor->reply(12, Action::kStop);
  const ExecutorEvent exited = next(*executor);  // the second report makes no event
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok);
  EXPECT_EQ(read_file(trial_dir(12) / "trial.log"), "@tuneq {\"loss\": 2}\nafter stop\n");
}

TEST_F(ProcessExecutorTest, ConfigValuesAreArgumentsNeverShellCode) {
  auto executor = make(python_trial("reporter.py") + " --name {name} '{name}' x{steps}");
  executor->launch(request(13, {{"name", Value("x; touch PWNED")}, {"steps", Value(0)}}));
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_TRUE(exited.ok) << exited.error;
  const nlohmann::json argv = nlohmann::json::parse(read_file(trial_dir(13) / "argv.json"));
  EXPECT_EQ(argv, nlohmann::json({"--name", "x; touch PWNED", "x; touch PWNED", "x0"}));
  EXPECT_FALSE(fs::exists(trial_dir(13) / "PWNED"));
  EXPECT_FALSE(fs::exists("PWNED"));
}

TEST_F(ProcessExecutorTest, EnvironmentOfATrial) {
  ProcessExecutorOptions options = this->options(python_trial("reporter.py"));
  options.env["TUNEQ_TEST_EXTRA"] = "extra value";
  // The base environment (inherited + env) cannot override a trial's own variables; its
  // CUDA_VISIBLE_DEVICES holds for trials given no GPUs.
  options.env["TUNEQ_TRIAL_ID"] = "not this";
  options.env["TUNEQ_RESTORE"] = "nor this";
  options.env["CUDA_VISIBLE_DEVICES"] = "7";
  auto executor = make(options);
  LaunchRequest with_gpus = request(14, {{"steps", Value(0)}, {"lr", Value(0.1)}});
  with_gpus.allocation.gpus = {1, 3};
  executor->launch(with_gpus);
  executor->launch(request(15, {{"steps", Value(0)}}));
  for (int i = 0; i < 2; ++i) {
    const ExecutorEvent exited = next(*executor);
    ASSERT_EQ(exited.kind, Kind::kExited);
    EXPECT_TRUE(exited.ok) << exited.error;
  }
  const nlohmann::json first = nlohmann::json::parse(read_file(trial_dir(14) / "env.json"));
  EXPECT_EQ(first["cwd"], trial_dir(14).string());
  const nlohmann::json& env = first["env"];
  EXPECT_EQ(env["TUNEQ_TRIAL_ID"], "14");
  EXPECT_EQ(env["TUNEQ_CONFIG"], R"({"lr":0.1,"steps":0})");
  EXPECT_EQ(env["TUNEQ_TRIAL_DIR"], trial_dir(14).string());
  EXPECT_EQ(env["TUNEQ_RESTORE"], "");
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "1,3");
  EXPECT_EQ(env["PYTHONUNBUFFERED"], "1");
  EXPECT_EQ(env["TUNEQ_TEST_EXTRA"], "extra value");
  // Without GPUs the variable is left as the base environment has it.
  const nlohmann::json second = nlohmann::json::parse(read_file(trial_dir(15) / "env.json"))["env"];
  EXPECT_EQ(second["CUDA_VISIBLE_DEVICES"], "7");
  EXPECT_EQ(second["TUNEQ_TRIAL_ID"], "15");
  EXPECT_EQ(second["TUNEQ_RESTORE"], "");
  EXPECT_EQ(second["TUNEQ_TEST_EXTRA"], "extra value");
}

TEST_F(ProcessExecutorTest, ProgramThatCannotStartIsAFailedTrial) {
  auto executor = make("/nonexistent/train --lr {lr}");
  executor->launch(request(16, {{"lr", Value(0.5)}}));
  const ExecutorEvent exited = next(*executor);
  ASSERT_EQ(exited.kind, Kind::kExited);
  EXPECT_FALSE(exited.ok);
  EXPECT_EQ(exited.exit_code, 127);
  EXPECT_EQ(exited.error, "cannot execute '/nonexistent/train': No such file or directory");
  // A missing placeholder value is the caller's bug: an error at launch.
  EXPECT_THROW(executor->launch(request(17)), Error);
}

TEST_F(ProcessExecutorTest, RejectsBadOptions) {
  EXPECT_THROW(make("t 'unbalanced"), Error);
  ProcessExecutorOptions negative = options("/bin/true");
  negative.stop_grace = -1;
  EXPECT_THROW(make(negative), Error);
  ProcessExecutorOptions no_dir = options("/bin/true");
  no_dir.trials_dir.clear();
  EXPECT_THROW(make(no_dir), Error);
  ProcessExecutorOptions bad_env = options("/bin/true");
  bad_env.env["A=B"] = "x";
  EXPECT_THROW(make(bad_env), Error);
}

TEST_F(ProcessExecutorTest, DoubleLaunchIsRefused) {
  auto executor = make("/bin/sleep 30");
  executor->launch(request(18));
  EXPECT_THROW(executor->launch(request(18)), Error);
}  // the destructor kills and reaps the sleeping trial

TEST_F(ProcessExecutorTest, ManualClockDoesNotHangTheWait) {
  ManualClock manual(100);
  ProcessExecutorOptions options = this->options("/bin/sleep 30");
  auto executor = make_process_executor(options, manual);
  executor->launch(request(19));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(executor->next_event(100.05));  // the clock never moves: ~0.05 s of real waiting
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
}

// Outside tuneq the Python helper uses the default config, prints its reports and never waits
// for a reply (stdin here is a fifo that is never written or closed).
TEST_F(ProcessExecutorTest, PythonHelperRunsByHand) {
  const fs::path fifo = dir_ / "stdin";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int writer = open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // keeps the fifo open, silent
  ASSERT_GE(writer, 0);
  const std::string command = fmt::format(
      "cd '{}' && env -u TUNEQ_TRIAL_ID -u TUNEQ_CONFIG /usr/bin/python3 '{}' < '{}'",
      dir_.string(), (repo_root() / "examples" / "trial_helper" / "train_quadratic.py").string(),
      fifo.string());
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  close(writer);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // 30 steps by default, each a report line naming its checkpoint relative to the directory.
  EXPECT_NE(output.find("@tuneq {\"step\":1,"), std::string::npos) << output;
  EXPECT_NE(output.find("\"checkpoint\":\"ckpt-30\"}\n"), std::string::npos) << output;
  EXPECT_TRUE(fs::is_directory(dir_ / "ckpt-30"));
}

// One real run of examples/trial_helper_demo (built only with TUNEQ_BUILD_EXAMPLES), which uses
// the C++ helper include/tuneq/trial.hpp: config lookup, checkpoints, report and reply, resume.
TEST_F(ProcessExecutorTest, CppHelperDemoPausesAndResumes) {
  const fs::path demo = fs::read_symlink("/proc/self/exe").parent_path().parent_path() /
                        "examples" / "trial_helper_demo";
  if (!fs::exists(demo)) GTEST_SKIP() << "examples not built: " << demo;
  auto executor = make(template_word(demo));
  const Config config = {{"lr", Value(0.1)}, {"steps", Value(4)}, {"w0", Value(-1.0)}};
  executor->launch(request(20, config));
  // f(w) = (w-3)^2 + 0.1 (w-3)^4, f'(w) = 2(w-3) + 0.4(w-3)^3; from w0 = -1 with lr 0.1:
  // step 1: d = -4, f' = -8 - 25.6 = -33.6, w = -1 + 3.36 = 2.36.
  const ExecutorEvent first = next(*executor);
  ASSERT_EQ(first.kind, Kind::kResult) << first.error;
  EXPECT_EQ(first.metrics.at("step"), 1);
  EXPECT_NEAR(first.metrics.at("w"), 2.36, 1e-12);
  const double d = 2.36 - 3;
  EXPECT_NEAR(first.metrics.at("loss"), d * d + 0.1 * d * d * d * d, 1e-12);
  executor->reply(20, Action::kContinue);
  const ExecutorEvent second = next(*executor);
  ASSERT_EQ(second.kind, Kind::kResult);
  EXPECT_EQ(second.checkpoint, (trial_dir(20) / "ckpt-2").string());
  executor->reply(20, Action::kPause);
  const ExecutorEvent paused = next(*executor);
  ASSERT_EQ(paused.kind, Kind::kExited);
  EXPECT_TRUE(paused.ok);
  EXPECT_EQ(paused.exit_code, 0);  // it read "pause" and returned, no signal needed

  LaunchRequest resume = request(20, config);
  resume.restore = second.checkpoint;
  executor->launch(resume);
  for (int step = 3; step <= 4; ++step) {
    const ExecutorEvent result = next(*executor);
    ASSERT_EQ(result.kind, Kind::kResult) << result.error;
    EXPECT_EQ(result.metrics.at("step"), step);
    executor->reply(20, Action::kContinue);
  }
  const ExecutorEvent done = next(*executor);
  ASSERT_EQ(done.kind, Kind::kExited);
  EXPECT_TRUE(done.ok);
  EXPECT_NE(read_file(trial_dir(20) / "trial.log").find("resuming at step 2"), std::string::npos);
}

}  // namespace
}  // namespace tuneq::process_test
