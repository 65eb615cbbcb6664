// The scheduler keys of the population-based schedulers (pbt, pb2): mutations, bounds and the
// options they share with Ray Tune's names.
#include "spec/population_keys.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "spec/domain_parser.hpp"
#include "spec/spec_errors.hpp"

namespace tuneq::spec {

std::vector<std::string> parameter_names(const Space& space) {
  std::vector<std::string> names;
  for (const auto& p : space.params()) names.push_back(p.name);
  return names;
}

namespace {

// The parameter an entry's key names, or a failure at the key with the names it could be.
const Space::Param& require_parameter(const SpecNode& e, const Space& space) {
  const Space::Param* param = space.find(e.key());
  if (param == nullptr) {
    const auto names = parameter_names(space);
    e.fail_at_key(fmt::format("not a parameter of the space; expected one of {}{}",
                              join_names(names), did_you_mean_suffix(e.key(), names)));
  }
  return *param;
}

// hyperparam_mutations: {lr: loguniform(1e-4, 1e-1), batch: [16, 32, 64]}; every name a
// parameter of the space.
void read_mutations(const SpecNode& node, ExperimentSpec& spec) {
  for (const auto& e : node.entries("a map of parameter -> domain or list, like "
                                    "{lr: loguniform(1e-4, 1e-1), batch: [16, 32, 64]}")) {
    require_parameter(e, spec.space);
    if (e.is_list()) {
      std::vector<Value> values;
      for (const auto& item : e.items("a list of values")) values.push_back(item.as_value());
      if (values.empty()) e.fail("is an empty list; expected at least one value");
      spec.scheduler.pbt.hyperparam_mutations[e.key()] = Mutation::List(std::move(values));
    } else {
      spec.scheduler.pbt.hyperparam_mutations[e.key()] = Mutation::Resample(read_domain(e));
    }
  }
  if (spec.scheduler.pbt.hyperparam_mutations.empty()) {
    node.fail("is empty; expected at least one parameter to mutate");
  }
}

// hyperparam_bounds: {lr: [1.0e-4, 0.1]}; every name a parameter of the space, every value a list
// [low, high] of numbers with low < high.
void read_bounds(const SpecNode& node, ExperimentSpec& spec) {
  for (const auto& e :
       node.entries("a map of parameter -> [low, high], like {lr: [1.0e-4, 0.1]}")) {
    const Space::Param& param = require_parameter(e, spec.space);
    const std::vector<Value>& listed = param.domain.values();  // choice and grid
    if (std::any_of(listed.begin(), listed.end(), [](const Value& v) { return !v.is_number(); })) {
      e.fail_at_key(
          "is not a numeric parameter; PB2 chooses numbers within bounds (a choice or grid of "
          "strings or booleans cannot be bounded)");
    }
    const auto items = e.items("a list [low, high] like [1.0e-4, 0.1]");
    if (items.size() != 2) {
      e.fail(fmt::format("expected [low, high], two numbers; got a list of {}", items.size()));
    }
    const double low = items[0].as_number();
    const double high = items[1].as_number();
    if (!(low < high)) {
      e.fail(fmt::format("expected [low, high] with low < high; got [{}, {}]", low, high));
    }
    spec.scheduler.pb2.hyperparam_bounds[e.key()] = {low, high};
  }
  if (spec.scheduler.pb2.hyperparam_bounds.empty()) {
    node.fail("is empty; expected at least one parameter with its [low, high]");
  }
}

}  // namespace

void read_pbt_option(const SpecNode& e, ExperimentSpec& spec) {
  PbtOptions& o = spec.scheduler.pbt;
  const std::string key = e.key();
  if (key == "perturbation_interval") o.perturbation_interval = e.as_number();
  if (key == "burn_in_period") o.burn_in_period = e.as_number();
  if (key == "quantile_fraction") o.quantile_fraction = e.as_number();
  if (key == "resample_probability") o.resample_probability = e.as_number();
  if (key == "synch") o.synch = e.as_bool();
  if (key == "perturbation_factors") {
    o.perturbation_factors.clear();
    for (const auto& item : e.items("a list of numbers like [1.2, 0.8]")) {
      o.perturbation_factors.push_back(item.as_number());
    }
  }
  if (key == "hyperparam_mutations") read_mutations(e, spec);
}

void read_pb2_option(const SpecNode& e, ExperimentSpec& spec) {
  Pb2Options& o = spec.scheduler.pb2;
  const std::string key = e.key();
  if (key == "perturbation_interval") o.perturbation_interval = e.as_number();
  if (key == "burn_in_period") o.burn_in_period = e.as_number();
  if (key == "quantile_fraction") o.quantile_fraction = e.as_number();
  if (key == "synch") o.synch = e.as_bool();
  if (key == "hyperparam_bounds") read_bounds(e, spec);
}

}  // namespace tuneq::spec
