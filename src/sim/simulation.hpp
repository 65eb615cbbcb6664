// One simulated experiment: a searcher and a scheduler driven by the production tuner loop,
// with trials simulated by a Benchmark on a virtual clock, and what `tuneq simulate` reports
// about it: the best value over simulated time (with the regret of the incumbent), worker
// utilisation and the compute spent.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "sim/benchmark.hpp"
#include "tuneq/event.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::sim {

// The best value so far changed at `time`: `best` is the best value reported up to then (under
// the mode), `regret` the regret of the config that reported it: final_value(config) - optimum
// (min mode; optimum - final_value in max mode), NaN when the optimum is unknown.
struct TrajectoryPoint {
  double time = 0;
  double best = 0;
  double regret = 0;
};

struct SimulationOutcome {
  TuneResult result;                        // the tuner's own result (trials, utilisation, ...)
  std::vector<TrajectoryPoint> trajectory;  // one point per improvement, in time order
  std::size_t reports = 0;                  // results reported by all trials
  double compute_seconds = 0;               // sum of the simulated cost of every step that reported
  double compute_resource = 0;              // sum over reports of the resource gained by that step
  double final_regret = 0;                  // regret of the incumbent at the end (NaN: no result)
};

// Runs `options` with `searcher` and `scheduler` on `benchmark`, `workers` trials at a time:
// options.pool becomes `workers` cpus, each trial one cpu and no GPU, max_concurrent `workers`.
// Reports use options.metric and options.resource_attr as keys (resource_attr "" reports none,
// and the loop counts reports). Events go to `sink` when given. Deterministic: the same inputs
// give the same outcome. Throws Error::InvalidArgument for workers < 1.
SimulationOutcome run_simulation(TunerOptions options, std::unique_ptr<Searcher> searcher,
                                 std::unique_ptr<Scheduler> scheduler, const Benchmark& benchmark,
                                 int workers, EventSink* sink = nullptr);

}  // namespace tuneq::sim
