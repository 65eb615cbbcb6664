// A simulated experiment with the real searchers and schedulers, shared by the determinism and
// utilisation tests. Tests only.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "tuneq/clock.hpp"
#include "tuneq/event.hpp"
#include "tuneq/scheduler.hpp"
#include "tuneq/searcher.hpp"
#include "tuneq/simulated.hpp"
#include "tuneq/space.hpp"
#include "tuneq/tuner.hpp"

namespace tuneq::experiment {

class VectorSink final : public EventSink {
 public:
  void append(const Event& event) override { events.push_back(event); }
  std::vector<Event> events;
};

inline Space demo_space() {
  Space space;
  space.add("lr", Domain::LogUniform(1e-4, 1e-1));
  space.add("width", Domain::RandInt(16, 257));
  space.add("dropout", Domain::Uniform(0.0, 0.5));
  space.add("optimizer", Domain::Choice({"adam", "sgd"}));
  return space;
}

// A learning curve that decays towards a config-dependent floor (best near lr = 1e-2, wide,
// little dropout, adam), and a per-step cost in [1, 2) that grows with width: wide trials are
// the stragglers.
inline SimulatedTrial demo_trial(std::uint64_t max_steps) {
  SimulatedTrial sim;
  sim.max_steps = max_steps;
  sim.curve = [](const Config& c, std::uint64_t step) {
    const double lr = c.at("lr").as_float();
    const double width = static_cast<double>(c.at("width").as_int());
    const double dropout = c.at("dropout").as_float();
    const double floor = 0.1 + 0.05 * std::pow(std::log10(lr) + 2, 2) + 4.0 / width +
                         0.2 * dropout + (c.at("optimizer").as_string() == "sgd" ? 0.05 : 0);
    const double speed = 0.3 + 10 * lr;
    return floor + std::exp(-speed * static_cast<double>(step));
  };
  sim.step_cost = [](const Config& c, std::uint64_t) {
    return 1.0 + (static_cast<double>(c.at("width").as_int()) - 16) / 241.0;
  };
  return sim;
}

struct Outcome {
  TuneResult result;
  std::vector<Event> events;
};

// `workers` slots, `trials` random-search trials drawn with `seed`, `max_steps` steps each.
inline Outcome run_simulated(std::unique_ptr<Scheduler> scheduler, std::uint64_t seed, int workers,
                             std::uint64_t trials, std::uint64_t max_steps, bool keep_events) {
  ManualClock clock;
  auto executor = make_simulated_executor(demo_trial(max_steps), clock);
  TunerOptions options;
  options.metric = "loss";
  options.mode = Mode::kMin;
  options.pool.cpu = workers;
  VectorSink sink;
  Tuner tuner(options, make_random_search(demo_space(), RandomSearchOptions{seed, trials}),
              std::move(scheduler), *executor, clock, keep_events ? &sink : nullptr);
  Outcome out;
  out.result = tuner.run();
  out.events = std::move(sink.events);
  return out;
}

}  // namespace tuneq::experiment
