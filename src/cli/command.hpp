// What every subcommand shares: how it registers with the command line and how it fails.
//
// Each subcommand lives in its own file (run_command.cpp, status_command.cpp, ...) with an
// options struct, a `register_<name>` function that adds it to the CLI11 app, and a run function.
// main.cpp holds the one top-level catch that turns errors into exit codes.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/exit_code.hpp"

namespace tuneq::cli {

// A failure the user must act on, with the exit code it maps to. main prints "tuneq: <what>".
class CommandError : public std::runtime_error {
 public:
  CommandError(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Set by the callback of the subcommand the user chose; main runs it after parsing.
using Action = std::function<ExitCode()>;

void register_run(CLI::App& app, Action& action);
void register_resume(CLI::App& app, Action& action);
void register_status(CLI::App& app, Action& action);
void register_best(CLI::App& app, Action& action);
void register_export(CLI::App& app, Action& action);
void register_plan(CLI::App& app, Action& action);
void register_simulate(CLI::App& app, Action& action);

}  // namespace tuneq::cli
