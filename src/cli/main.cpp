// The tuneq command. One top-level catch turns every failure into a message and an exit code
// (cli/exit_code.hpp, documented in docs/cli.md).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/app_version.hpp"
#include "cli/command.hpp"
#include "tuneq/error.hpp"

int main(int argc, char** argv) {
  using tuneq::cli::ExitCode;
  CLI::App app{"tuneq: hyperparameter tuning as job scheduling under a budget"};
  app.set_version_flag("--version", tuneq::cli::version());
  app.require_subcommand(1);
  tuneq::cli::Action action;
  tuneq::cli::register_run(app, action);
  tuneq::cli::register_resume(app, action);
  tuneq::cli::register_status(app, action);
  tuneq::cli::register_best(app, action);
  tuneq::cli::register_export(app, action);
  tuneq::cli::register_plan(app, action);
  tuneq::cli::register_simulate(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : tuneq::cli::to_int(ExitCode::kUsage);
  }
  try {
    return tuneq::cli::to_int(action());
  } catch (const tuneq::cli::CommandError& e) {
    std::cerr << "tuneq: " << e.what() << "\n";
    return tuneq::cli::to_int(e.code());
  } catch (const tuneq::Error& e) {
    std::cerr << "tuneq: " << e.what() << "\n";
    return tuneq::cli::to_int(ExitCode::kFailure);
  } catch (const std::exception& e) {
    std::cerr << "tuneq: internal error: " << e.what() << "\n";
    return tuneq::cli::to_int(ExitCode::kFailure);
  }
}
