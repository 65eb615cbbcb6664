// From a parsed experiment spec to the engine's parts: searcher, scheduler, tuner options and
// process-executor options. Uses the public factories only, so the library and the CLI build the
// same objects from the same options.
#pragma once

#include <memory>

#include "spec/experiment_spec.hpp"
#include "tuneq/process.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::spec {

// random -> make_random_search, grid -> make_grid_search (seed, num_samples), wrapped in
// make_points_to_evaluate when the spec lists starting points. A random searcher over a space
// with grid axes is a grid search too (grid axes are always crossed with the sampled ones): its
// num_samples counts passes over the grid, 0 meaning passes without end. The concurrency limit is
// not applied here: TunerOptions::max_concurrent carries it.
std::unique_ptr<Searcher> make_searcher(const ExperimentSpec& spec);

// fifo, median (MedianStoppingOptions), asha (stopping or promotion variant, AshaOptions),
// hyperband (HyperbandOptions); every option's mode is spec.mode. Throws the factory's
// Error::InvalidArgument for options out of range.
std::unique_ptr<Scheduler> make_scheduler(const ExperimentSpec& spec);

// metric, mode, resource, pool, per-trial resources, max_concurrent, budget, max_failures.
// A pool.cpu of 0 ("auto") becomes the number of CPUs of this machine (at least 1).
TunerOptions tuner_options(const ExperimentSpec& spec);

// command, env and the trial's time_limit / stop_grace / kill_grace. trials_dir and warn are the
// caller's to set.
ProcessExecutorOptions process_executor_options(const ExperimentSpec& spec);

}  // namespace tuneq::spec
