// Runs (or resumes) an experiment from its spec on local processes, writing the event log in
// the experiment directory, drawing progress, and printing where everything is at the end.
// Shared by `tuneq run` and `tuneq resume`; the caller holds the directory's lock.
#pragma once

#include <vector>

#include "cli/exit_code.hpp"
#include "cli/experiment_dir.hpp"
#include "spec/experiment_spec.hpp"
#include "store/sqlite_store.hpp"

namespace tuneq::cli {

struct RunSettings {
  bool quiet = false;          // no progress display
  double plain_interval = 10;  // seconds between progress lines when not on a terminal
};

// Runs to the end. `history` is empty for a new experiment, else the log to resume from.
ExitCode run_experiment(const spec::ExperimentSpec& spec, const ExperimentPaths& paths,
                        store::SqliteStore& store, const std::vector<Event>& history,
                        const RunSettings& settings);

}  // namespace tuneq::cli
