#include "sim/simulation.hpp"

#include <cmath>
#include <limits>

#include "tuneq/error.hpp"
#include "tuneq/simulated.hpp"

namespace tuneq::sim {
namespace {

// Sees every report (the curve is asked once per report, after the clock moved to it) and keeps
// the trajectory and the compute counters.
class Recorder {
 public:
  Recorder(const Benchmark& benchmark, Mode mode, const ManualClock& clock, SimulationOutcome& out)
      : benchmark_(benchmark), mode_(mode), clock_(clock), out_(out) {}

  double report(const Config& config, std::uint64_t step) {
    const double value = benchmark_.value(config, step);
    ++out_.reports;
    out_.compute_seconds += benchmark_.step_cost(config, step);
    out_.compute_resource += benchmark_.resource(config, step) -
                             (step > 1 ? benchmark_.resource(config, step - 1) : 0.0);
    if (!std::isnan(value) && (!have_best_ || better(mode_, value, best_))) {
      have_best_ = true;
      best_ = value;
      const double final = benchmark_.final_value(config);
      const double optimum = benchmark_.optimum();
      const double regret = mode_ == Mode::kMin ? final - optimum : optimum - final;
      out_.trajectory.push_back(TrajectoryPoint{clock_.now(), value, regret});
    }
    return value;
  }

 private:
  const Benchmark& benchmark_;
  Mode mode_;
  const ManualClock& clock_;
  SimulationOutcome& out_;
  bool have_best_ = false;
  double best_ = 0;
};

}  // namespace

SimulationOutcome run_simulation(TunerOptions options, std::unique_ptr<Searcher> searcher,
                                 std::unique_ptr<Scheduler> scheduler, const Benchmark& benchmark,
                                 int workers, EventSink* sink) {
  if (workers < 1) throw Error::InvalidArgument("simulate: workers must be >= 1");
  options.pool = ResourcePool{workers, {}};
  options.per_trial = Resources{1, 0};
  options.max_concurrent = static_cast<std::size_t>(workers);

  SimulationOutcome out;
  ManualClock clock;
  Recorder recorder(benchmark, options.mode, clock, out);
  SimulatedTrial trial;
  trial.metric = options.metric;
  trial.resource = options.resource_attr;
  trial.curve = [&recorder](const Config& c, std::uint64_t step) {
    return recorder.report(c, step);
  };
  trial.step_cost = [&benchmark](const Config& c, std::uint64_t step) {
    return benchmark.step_cost(c, step);
  };
  trial.max_steps_of = [&benchmark](const Config& c) { return benchmark.steps(c); };
  trial.resource_of = [&benchmark](const Config& c, std::uint64_t step) {
    return benchmark.resource(c, step);
  };
  auto executor = make_simulated_executor(std::move(trial), clock);
  Tuner tuner(std::move(options), std::move(searcher), std::move(scheduler), *executor, clock,
              sink);
  out.result = tuner.run();
  out.final_regret = out.trajectory.empty() ? std::numeric_limits<double>::quiet_NaN()
                                            : out.trajectory.back().regret;
  return out;
}

}  // namespace tuneq::sim
