// What the query commands learn by replaying an experiment's log through a fresh scheduler: the
// rungs and brackets as the scheduler sees them (the log records decisions, not rungs).
#pragma once

#include <string>
#include <vector>

#include "cli/experiment_dir.hpp"
#include "tuneq/scheduler.hpp"

namespace tuneq::cli {

// "asha (promotion)", "hyperband", "median stopping", "fifo".
std::string scheduler_label(const spec::ExperimentSpec& spec);

// Rung occupancy after replaying the view's events; empty for schedulers without rungs. A log
// that no longer replays (it is being written, or the spec changed) gives no rungs rather than
// failing the status command.
std::vector<RungView> replayed_rungs(const ExperimentView& view);

}  // namespace tuneq::cli
