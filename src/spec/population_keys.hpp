// The scheduler keys of the population-based schedulers in an experiment spec (type: pbt and
// type: pb2). Part of parse_spec (experiment_spec.cpp); failures name file, line and key.
#pragma once

#include <string>
#include <vector>

#include "spec/experiment_spec.hpp"
#include "spec/spec_errors.hpp"
#include "tuneq/space.hpp"

namespace tuneq::spec {

// One entry of a `type: pbt` scheduler section (perturbation_interval, burn_in_period,
// quantile_fraction, resample_probability, perturbation_factors, synch, hyperparam_mutations).
// REQUIRES: spec.space has been read (mutations must name its parameters).
void read_pbt_option(const SpecNode& e, ExperimentSpec& spec);

// One entry of a `type: pb2` scheduler section (perturbation_interval, burn_in_period,
// quantile_fraction, synch, hyperparam_bounds). REQUIRES: spec.space has been read.
void read_pb2_option(const SpecNode& e, ExperimentSpec& spec);

// The names of the space's parameters, in its order.
std::vector<std::string> parameter_names(const Space& space);

}  // namespace tuneq::spec
