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

// One launch's curve as an object, built once from the config (SimulatedTrial::model), so that
// the per-step questions need not look the config up again at every step.
class SimulatedModel {
 public:
  virtual ~SimulatedModel() = default;
  virtual std::uint64_t max_steps() const = 0;       // the trial completes after this many steps
  virtual double value(std::uint64_t step) = 0;      // metric reported after `step` steps (1, 2..)
  virtual double step_cost(std::uint64_t step) = 0;  // virtual seconds step `step` takes, >= 0
  virtual double resource(std::uint64_t step) = 0;   // resource value reported after `step` steps
};

struct SimulatedTrial {
  // Metric value after `step` steps (step = 1, 2, ...).
  std::function<double(const Config&, std::uint64_t step)> curve;
  // Virtual seconds one step takes.
  std::function<double(const Config&, std::uint64_t step)> step_cost;
  std::uint64_t max_steps = 100;  // the trial completes after this many steps
  std::string metric = "loss";    // report key of the curve's value
  std::string resource = "step";  // report key of the step count; "": no resource key is reported
  // Optional. Builds each launch's model from its config; when set, it answers instead of curve,
  // step_cost and max_steps (which may then be unset), and reports its resource values.
  std::function<std::unique_ptr<SimulatedModel>(const Config&)> model;
};

// Each step of a trial is one report {resource: step (or the model's), metric: curve(config,
// step)} at virtual time start + sum of step costs. A paused trial resumes from its last step (the
// checkpoint is the step number). Advances `clock` in next_event; events at equal times come out in
// trial id order.
std::unique_ptr<Executor> make_simulated_executor(SimulatedTrial trial, ManualClock& clock);

}  // namespace tuneq
