// Test fixture for the process executor tests: a fresh trials directory per test, commands for
// the trial programs in tests/trials/, and waiting helpers.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tuneq/clock.hpp"
#include "tuneq/error.hpp"
#include "tuneq/process.hpp"

namespace tuneq::process_test {

namespace fs = std::filesystem;

inline constexpr double kStopGrace = 0.2;
inline constexpr double kKillGrace = 0.2;

// The repository root (this file is src/run/process_executor_test_util.hpp).
inline fs::path repo_root() {
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

// A path as one word of a command template: single-quoted, braces doubled.
inline std::string template_word(const fs::path& path) {
  std::string word = "'";
  for (const char c : path.string()) {
    if (c == '\'') {
      word += "'\\''";
    } else {
      word += c;
      if (c == '{' || c == '}') word += c;
    }
  }
  return word + "'";
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// True once no live (non-zombie) process is left in the process group, waiting up to 2 s.
// Zombies count as gone: orphans are reaped by init, which in some containers never reaps.
inline bool group_is_gone(pid_t group) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    if (kill(-group, 0) == -1 && errno == ESRCH) return true;
    bool live = false;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string stat = read_file(entry.path() / "stat");
      const std::size_t paren = stat.rfind(')');
      if (paren == std::string::npos) continue;
      char state = 0;
      int ppid = 0;
      int pgrp = 0;
      if (std::sscanf(stat.c_str() + paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
          pgrp == group && state != 'Z' && state != 'X') {
        live = true;
      }
    }
    if (!live) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class ProcessExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("tuneq-proc-{}-{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessExecutorOptions options(std::string command) {
    ProcessExecutorOptions o;
    o.command = std::move(command);
    o.trials_dir = dir_ / "trials";
    o.stop_grace = kStopGrace;
    o.kill_grace = kKillGrace;
    o.warn = [this](const std::string& message) { warnings_.push_back(message); };
    return o;
  }
  std::unique_ptr<Executor> make(ProcessExecutorOptions o) {
    return make_process_executor(std::move(o), *clock_);
  }
  std::unique_ptr<Executor> make(std::string command) { return make(options(std::move(command))); }

  static std::string python_trial(const std::string& name) {
    return "/usr/bin/python3 " + template_word(repo_root() / "tests" / "trials" / name);
  }
  static std::string shell_trial(const std::string& name) {
    return "/bin/sh " + template_word(repo_root() / "tests" / "trials" / name);
  }

  static LaunchRequest request(TrialId id, Config config = {}) {
    LaunchRequest r;
    r.trial = id;
    r.config = std::move(config);
    r.allocation.cpu = 1;
    return r;
  }

  fs::path trial_dir(TrialId id) const { return dir_ / "trials" / std::to_string(id); }

  // The next event within `timeout` seconds; a failure (and an empty kResult) if none comes.
  ExecutorEvent next(Executor& executor, double timeout = 5) {
    std::optional<ExecutorEvent> event = executor.next_event(clock_->now() + timeout);
    if (!event) {
      ADD_FAILURE() << "no event within " << timeout << " s";
      return {};
    }
    return *event;
  }

  std::unique_ptr<Clock> clock_ = make_system_clock();
  fs::path dir_;
  std::vector<std::string> warnings_;
};

}  // namespace tuneq::process_test
