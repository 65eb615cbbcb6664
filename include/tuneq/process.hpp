// Process executor: each trial is a command run in its own directory and process group, speaking
// the line protocol of docs/protocol.md on stdin/stdout.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tuneq/clock.hpp"
#include "tuneq/executor.hpp"

namespace tuneq {

struct ProcessExecutorOptions {
  // The command template, e.g. "python3 train.py --lr {lr}". It is split into words like a shell
  // would split it (quotes and backslashes), but no shell ever runs it: each {name} is replaced
  // inside its word by the config value, so a value is always exactly one argument (or part of
  // one) and can never run as shell code.
  std::string command;
  // Each trial runs in trials_dir / "<id>" (created), its output going to "<id>/trial.log".
  std::filesystem::path trials_dir;
  double stop_grace = 10;  // seconds a trial told "pause"/"stop" may take to exit before SIGTERM
  double kill_grace = 5;   // seconds after SIGTERM before SIGKILL (the whole process group)
  double time_limit = 0;   // wall seconds per launch before the trial is killed as failed; 0: none
  std::map<std::string, std::string> env;  // extra environment variables for every trial
  // Receives warnings (malformed report lines, with the trial id). May be empty.
  std::function<void(const std::string&)> warn;
  std::size_t log_tail_lines = 20;  // lines of the trial's log quoted in a failure's error
};

// REQUIRES: options.command non-empty, every {name} in it a parameter of the configs launched.
// The clock is borrowed (deadlines in next_event are in its seconds) and must outlive the executor.
std::unique_ptr<Executor> make_process_executor(ProcessExecutorOptions options, const Clock& clock);

// Splits a command template into words and substitutes config values. Throws
// Error::InvalidArgument for unbalanced quotes or a {name} that the config lacks.
std::vector<std::string> expand_command(const std::string& command, const Config& config);

// The {name} placeholders a command template uses, in order of first appearance ("{{" and "}}"
// are literal braces).
std::vector<std::string> command_placeholders(const std::string& command);

}  // namespace tuneq
