// Benchmarks for `tuneq simulate`: what a simulated trial of a configuration reports at each step,
// how long each step takes, and the best value the space holds (so regret is known).
//
//   branin, hartmann3, hartmann6   multi-fidelity functions (Kandasamy et al. 2017): fidelity
//                                  z = step / steps perturbs the function's constants; the cost of
//                                  reaching z grows as 0.05 + 0.95 z^3
//   curves                         parametric learning curves with noise and crossings: configs
//                                  that start fast end worse
//   FILE.csv                       tabular: recorded curves, nearest listed config (tabular.hpp)
//
// docs/simulate.md defines each one. A Benchmark is immutable after construction; its curves
// borrow it (they must not outlive it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuneq/result.hpp"
#include "tuneq/space.hpp"
#include "tuneq/value.hpp"

namespace tuneq::sim {

// One parameter of a benchmark: numeric on [low, high], or categorical (its values as text).
struct Parameter {
  std::string name;
  bool categorical = false;
  double low = 0, high = 0;         // numeric: the range the benchmark is defined on
  std::vector<std::string> values;  // categorical: the values listed
};

// One config's curve, resolved once (the config looked up, the nearest listed config found).
// Step k is 1, 2, ..., steps().
class TrialCurve {
 public:
  virtual ~TrialCurve() = default;
  virtual std::uint64_t steps() const = 0;
  virtual double resource(std::uint64_t step) const = 0;
  virtual double value(std::uint64_t step) const = 0;  // observed: with noise, where there is
  virtual double step_cost(std::uint64_t step) const = 0;
  virtual double final_value() const = 0;  // noise-free, at the last step
};

class Benchmark {
 public:
  virtual ~Benchmark() = default;

  // "branin", "digits_mlp.csv", ...
  virtual const std::string& name() const = 0;
  virtual const std::vector<Parameter>& parameters() const = 0;
  // The mode the benchmark's metric is optimised in; nullopt when the spec's mode decides
  // (tabular: a CSV may hold a loss and an accuracy).
  virtual std::optional<Mode> mode() const = 0;
  // True when the spec's domains must stay within the parameters' ranges (a function is only
  // defined there); false when any value is matched to the nearest listed config (tabular).
  virtual bool bounded() const = 0;

  // The curve of `config`. Throws Error::InvalidArgument when the config lacks a parameter (or,
  // tabular, no listed config matches its categorical values).
  virtual std::unique_ptr<TrialCurve> curve(const Config& config) const = 0;

  // A trial of `config` completes after steps(config) steps. At step k (1 <= k <= steps) it
  // reports resource(config, k) and value(config, k) (observed: with noise, where the benchmark
  // has noise), and the step takes step_cost(config, k) >= 0 simulated seconds. Each call
  // resolves the config again; the simulator resolves it once per launch (curve()).
  std::uint64_t steps(const Config& config) const { return curve(config)->steps(); }
  double resource(const Config& config, std::uint64_t step) const {
    return curve(config)->resource(step);
  }
  double value(const Config& config, std::uint64_t step) const {
    return curve(config)->value(step);
  }
  double step_cost(const Config& config, std::uint64_t step) const {
    return curve(config)->step_cost(step);
  }
  // The noise-free value of `config` at its last step: what the config is worth when trained to
  // the end. Regret is final_value(incumbent) - optimum() (min mode).
  double final_value(const Config& config) const { return curve(config)->final_value(); }
  // The best final value over the space (the literature's optimum for the functions; the best
  // listed config's for tabular).
  virtual double optimum() const = 0;
};

// Options of the synthetic benchmarks.
struct SyntheticOptions {
  std::uint64_t steps = 81;  // steps of a full-length trial (fidelity 1, or the curve's end)
  std::uint64_t seed = 0;    // noise seed (curves); a run's noise is a function of it
};

// The names make_synthetic knows: branin, hartmann3, hartmann6, curves.
const std::vector<std::string>& synthetic_names();

// Throws Error::NotFound "unknown benchmark 'x'; expected one of ... or a FILE.csv" for an
// unknown name, Error::InvalidArgument for steps < 1.
std::unique_ptr<Benchmark> make_synthetic(const std::string& name, const SyntheticOptions& options);

// Checks that `space` (the spec's, read from `source`) can be simulated by `benchmark`: the same
// parameter names; for a bounded benchmark every numeric domain within the parameter's range and
// no unbounded domain (randn); categorical parameters drawn from choice/grid whose values are all
// listed. Throws Error::InvalidArgument naming both sides otherwise.
void check_space(const Benchmark& benchmark, const Space& space, const std::string& source);

}  // namespace tuneq::sim
