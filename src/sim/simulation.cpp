#include "sim/simulation.hpp"

#include <cmath>
#include <limits>

#include "tuneq/error.hpp"
#include "tuneq/simulated.hpp"

namespace tuneq::sim {
namespace {

// Sees every report (a model's value is asked once per report, after the clock moved to it) and
// keeps the trajectory and the compute counters.
class Recorder {
 public:
  Recorder(const Benchmark& benchmark, Mode mode, const ManualClock& clock, SimulationOutcome& out)
      : benchmark_(benchmark), mode_(mode), clock_(clock), out_(out) {}

  double report(const TrialCurve& curve, std::uint64_t step) {
    const double value = curve.value(step);
    ++out_.reports;
    out_.compute_seconds += curve.step_cost(step);
    out_.compute_resource += curve.resource(step) - (step > 1 ? curve.resource(step - 1) : 0.0);
    if (!std::isnan(value) && (!have_best_ || better(mode_, value, best_))) {
      have_best_ = true;
      best_ = value;
      const double final = curve.final_value();
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

// One launch of a trial: the benchmark's curve of its config, reports seen by the recorder.
class Model final : public SimulatedModel {
 public:
  Model(std::unique_ptr<TrialCurve> curve, Recorder& recorder)
      : curve_(std::move(curve)), recorder_(recorder) {}
  std::uint64_t max_steps() const override { return curve_->steps(); }
  double value(std::uint64_t step) override { return recorder_.report(*curve_, step); }
  double step_cost(std::uint64_t step) override { return curve_->step_cost(step); }
  double resource(std::uint64_t step) override { return curve_->resource(step); }

 private:
  std::unique_ptr<TrialCurve> curve_;
  Recorder& recorder_;
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
  trial.model = [&benchmark, &recorder](const Config& c) -> std::unique_ptr<SimulatedModel> {
    return std::make_unique<Model>(benchmark.curve(c), recorder);
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
