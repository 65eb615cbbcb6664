// Simulated executor: trials whose learning curves and per-step costs come from functions, run
// on a virtual clock. Scheduler behaviour with many workers is tested in milliseconds through the
// same tuner loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "tuneq/clock.hpp"
#include "tuneq/executor.hpp"

namespace tuneq {

struct SimulatedTrial {
  // Metric value after `step` steps (step = 1, 2, ...).
  std::function<double(const Config&, std::uint64_t step)> curve;
  // Virtual seconds one step takes.
  std::function<double(const Config&, std::uint64_t step)> step_cost;
  std::uint64_t max_steps = 100;  // the trial completes after this many steps
  std::string metric = "loss";    // report key of the curve's value
  std::string resource = "step";  // report key of the step count; "": no resource key is reported
  // Optional. Steps of a trial of this config, asked once per launch; overrides max_steps.
  std::function<std::uint64_t(const Config&)> max_steps_of;
  // Optional. The resource value reported after `step` steps; default: the step count.
  std::function<double(const Config&, std::uint64_t step)> resource_of;
};

// Each step of a trial is one report {resource: step (or resource_of), metric: curve(config,
// step)} at virtual time start + sum of step costs. A paused trial resumes from its last step (the
// checkpoint is the step number). Advances `clock` in next_event; events at equal times come out in
// trial id order.
std::unique_ptr<Executor> make_simulated_executor(SimulatedTrial trial, ManualClock& clock);

}  // namespace tuneq
